"""Raw tables in Postgres, bulk-loaded with COPY (never row-by-row INSERTs).

Each record batch of a lake file is rendered as CSV and streamed into ``COPY raw.<table> FROM STDIN``.
An in-memory DuckDB rewrites the two column kinds CSV has no form for first: a list of scalars becomes a
Postgres array literal (``{"a","b",NULL}``, so ``text[]``) and a struct or list of structs becomes JSON
text (``jsonb``). Null versus empty text survives the round trip: pyarrow writes a NULL as an empty field
and an empty string as ``""``, which is exactly how COPY's CSV format tells them apart.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import duckdb
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv

from extract.warehouse.lake_reader import FileRows
from extract.warehouse.raw_tables import (
    LOADED_BATCHES_TABLE,
    RAW_SCHEMA,
    is_flat_list,
    is_nested,
    postgres_type,
    quote,
)
from extract.warehouse.target import postgres_conninfo
from extract.warehouse.writer import columns_sql, source_sql, text_literal

SOURCE_VIEW = "lamp_lake_rows"
CSV_BATCH_ROWS = 64 * 1024
CSV_OPTIONS = pacsv.WriteOptions(include_header=False)


def _csv_expression(field: pa.Field) -> str:
    """The DuckDB expression giving the column's CSV-ready value."""
    column = quote(field.name)
    if is_nested(field.type):
        return f"CAST(to_json({column}) AS VARCHAR) AS {column}"
    if is_flat_list(field.type):
        # Every element double-quoted with \ and " escaped, NULL elements as the bare word NULL.
        escaped = "replace(replace(CAST(x AS VARCHAR), '\\', '\\\\'), '\"', '\\\"')"
        element = f"coalesce('\"' || {escaped} || '\"', 'NULL')"
        return (
            f"'{{' || array_to_string(list_transform({column}, lambda x: {element}), ',') || '}}' AS {column}"
        )
    return column


class PostgresWriter:
    def __init__(self, settings: Mapping[str, str]) -> None:
        # Autocommit outside explicit transactions, so each `transaction()` is a real BEGIN ... COMMIT
        # (inside an implicit transaction psycopg would only open a savepoint).
        self.connection = psycopg.connect(postgres_conninfo(settings), autocommit=True)
        self.converter = duckdb.connect(":memory:")
        self.converter.execute("SET enable_progress_bar = false")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.connection.transaction():
            yield

    def prepare_schema(self) -> None:
        with self.connection.transaction():
            self.connection.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}")
            self.connection.execute(
                f"CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.{LOADED_BATCHES_TABLE} ("
                "batch_id text PRIMARY KEY, loaded_at timestamp with time zone NOT NULL, "
                "file_count integer NOT NULL, row_count bigint NOT NULL)"
            )

    def table_columns(self, table: str) -> dict[str, str] | None:
        rows = self.connection.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
            (RAW_SCHEMA, table),
        ).fetchall()
        return {str(name): str(data_type) for name, data_type in rows} or None

    def create_table(self, table: str, schema: pa.Schema) -> None:
        columns = ", ".join(f"{quote(field.name)} {postgres_type(field.type)}" for field in schema)
        self.connection.execute(f"CREATE TABLE {RAW_SCHEMA}.{quote(table)} ({columns})")

    def add_columns(self, table: str, fields: list[pa.Field]) -> None:
        for field in fields:
            self.connection.execute(
                f"ALTER TABLE {RAW_SCHEMA}.{quote(table)} ADD COLUMN {quote(field.name)} "
                f"{postgres_type(field.type)}"
            )

    def loaded_batches(self) -> set[str]:
        rows = self.connection.execute(f"SELECT batch_id FROM {RAW_SCHEMA}.{LOADED_BATCHES_TABLE}").fetchall()
        return {str(row[0]) for row in rows}

    def lock_loaded_batches(self) -> None:
        # Two loaders at once would otherwise both load a batch; the second waits here, then sees it loaded.
        self.connection.execute(f"LOCK TABLE {RAW_SCHEMA}.{LOADED_BATCHES_TABLE} IN EXCLUSIVE MODE")

    def append(self, table: str, rows: FileRows, constants: Mapping[str, str]) -> int:
        selected = [_csv_expression(field) for field in rows.schema]
        selected += [f"{text_literal(value)} AS {quote(name)}" for name, value in constants.items()]
        names = [*rows.schema.names, *constants]
        copy_sql = f"COPY {RAW_SCHEMA}.{quote(table)} ({columns_sql(names)}) FROM STDIN (FORMAT CSV)"
        if rows.local_path is None:
            self.converter.register(SOURCE_VIEW, rows.open_stream())
        count = 0
        try:
            converted = self.converter.sql(
                f"SELECT {', '.join(selected)} FROM {source_sql(rows, SOURCE_VIEW)}"
            )
            csv_batches: pa.RecordBatchReader = converted.to_arrow_reader(CSV_BATCH_ROWS)
            with self.connection.cursor().copy(copy_sql) as copy:
                for batch in csv_batches:
                    buffer = io.BytesIO()
                    pacsv.write_csv(batch, buffer, CSV_OPTIONS)
                    copy.write(buffer.getbuffer())
                    count += batch.num_rows
        finally:
            if rows.local_path is None:
                self.converter.unregister(SOURCE_VIEW)
        return count

    def record_batch(self, batch_id: str, file_count: int, row_count: int) -> None:
        self.connection.execute(
            f"INSERT INTO {RAW_SCHEMA}.{LOADED_BATCHES_TABLE} VALUES (%s, now(), %s, %s)",
            (batch_id, file_count, row_count),
        )

    def close(self) -> None:
        self.converter.close()
        self.connection.close()
