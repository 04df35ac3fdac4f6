"""What the loader needs from a warehouse: one implementation per target (DuckDB, Postgres)."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Protocol

import pyarrow as pa

from extract.warehouse.lake_reader import FileRows
from extract.warehouse.raw_tables import quote


class RawWriter(Protocol):
    """Writes lake rows into schema ``raw``; every change happens inside ``transaction()``."""

    def transaction(self) -> AbstractContextManager[None]:
        """All writes inside commit together, or none (on an exception) do."""
        ...

    def prepare_schema(self) -> None:
        """Create schema ``raw`` and the loaded-batches table if missing."""
        ...

    def table_columns(self, table: str) -> dict[str, str] | None:
        """Column name → SQL type of ``raw.<table>``, or None when the table does not exist."""
        ...

    def create_table(self, table: str, schema: pa.Schema) -> None: ...

    def add_columns(self, table: str, fields: list[pa.Field]) -> None: ...

    def loaded_batches(self) -> set[str]: ...

    def lock_loaded_batches(self) -> None:
        """Serialise loaders: held until the transaction ends (a no-op where the file lock suffices)."""
        ...

    def append(self, table: str, rows: FileRows, constants: Mapping[str, str]) -> int:
        """Insert a file's rows (plus text ``constants`` columns) into ``raw.<table>``; the row count."""
        ...

    def record_batch(self, batch_id: str, file_count: int, row_count: int) -> None: ...

    def close(self) -> None: ...


def columns_sql(names: list[str]) -> str:
    return ", ".join(quote(name) for name in names)


def source_sql(rows: FileRows, stream_view: str) -> str:
    """What a DuckDB query reads the file's rows from: the parquet file itself, or a registered stream."""
    return f"read_parquet({text_literal(rows.local_path)})" if rows.local_path else stream_view


def text_literal(value: str) -> str:
    """A SQL string literal (standard quoting, valid on DuckDB and Postgres)."""
    return "'" + value.replace("'", "''") + "'"
