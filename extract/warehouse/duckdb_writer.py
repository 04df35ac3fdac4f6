"""Raw tables in a DuckDB file: the lake's record batches are inserted with one INSERT ... SELECT."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import duckdb
import pyarrow as pa

from extract import config
from extract.warehouse.lake_reader import FileRows
from extract.warehouse.raw_tables import LOADED_BATCHES_TABLE, RAW_SCHEMA, duckdb_type, quote
from extract.warehouse.writer import columns_sql, source_sql, text_literal

SOURCE_VIEW = "lamp_lake_rows"


class DuckdbWriter:
    def __init__(self, path: str) -> None:
        self.connection = duckdb.connect(path)
        self.connection.execute("SET enable_progress_bar = false")
        # The loader streams, so the bound costs nothing and keeps a load (with Python around it) under 2 GB.
        self.connection.execute("SET memory_limit = ?", [config.duckdb_memory_limit()])
        # A checkpoint after each batch's commit would rewrite the table storage every time; one at the
        # end (close) is enough, and the WAL keeps every committed batch durable meanwhile.
        self.connection.execute("SET checkpoint_threshold = '8GB'")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.connection.begin()
        try:
            yield
        except BaseException:
            self.connection.rollback()
            raise
        self.connection.commit()

    def prepare_schema(self) -> None:
        self.connection.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}")
        self.connection.execute(
            f"CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.{LOADED_BATCHES_TABLE} ("
            "batch_id varchar PRIMARY KEY, loaded_at timestamp with time zone NOT NULL, "
            "file_count integer NOT NULL, row_count bigint NOT NULL)"
        )

    def table_columns(self, table: str) -> dict[str, str] | None:
        rows = self.connection.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            [RAW_SCHEMA, table],
        ).fetchall()
        return {str(name): str(data_type) for name, data_type in rows} or None

    def create_table(self, table: str, schema: pa.Schema) -> None:
        columns = ", ".join(f"{quote(field.name)} {duckdb_type(field.type)}" for field in schema)
        self.connection.execute(f"CREATE TABLE {RAW_SCHEMA}.{quote(table)} ({columns})")

    def add_columns(self, table: str, fields: list[pa.Field]) -> None:
        for field in fields:
            self.connection.execute(
                f"ALTER TABLE {RAW_SCHEMA}.{quote(table)} "
                f"ADD COLUMN {quote(field.name)} {duckdb_type(field.type)}"
            )

    def loaded_batches(self) -> set[str]:
        rows = self.connection.execute(f"SELECT batch_id FROM {RAW_SCHEMA}.{LOADED_BATCHES_TABLE}").fetchall()
        return {str(row[0]) for row in rows}

    def lock_loaded_batches(self) -> None:
        """DuckDB allows one writing process per file, so loaders are already serialised."""

    def append(self, table: str, rows: FileRows, constants: Mapping[str, str]) -> int:
        names = [*rows.schema.names, *constants]
        selected = [*(quote(name) for name in rows.schema.names)]
        selected += [f"{text_literal(value)} AS {quote(name)}" for name, value in constants.items()]
        if rows.local_path is None:
            self.connection.register(SOURCE_VIEW, rows.open_stream())
        try:
            # Types are cast to the table's columns (an int64 file column into a text column, say).
            result = self.connection.execute(
                f"INSERT INTO {RAW_SCHEMA}.{quote(table)} ({columns_sql(names)}) "
                f"SELECT {', '.join(selected)} FROM {source_sql(rows, SOURCE_VIEW)}"
            ).fetchone()
        finally:
            if rows.local_path is None:
                self.connection.unregister(SOURCE_VIEW)
        return int(result[0]) if result else 0

    def record_batch(self, batch_id: str, file_count: int, row_count: int) -> None:
        self.connection.execute(
            f"INSERT INTO {RAW_SCHEMA}.{LOADED_BATCHES_TABLE} VALUES (?, current_timestamp, ?, ?)",
            [batch_id, file_count, row_count],
        )

    def close(self) -> None:
        self.connection.execute("CHECKPOINT")
        self.connection.close()
