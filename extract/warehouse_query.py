"""Read-only SQL on the warehouse (DuckDB file or Postgres), for the run summary and the exports.

The same SQL runs on both: callers stick to what DuckDB and Postgres share (``percentile_cont ... within
group``, ``count(distinct ...)``). libpq reads the password from the target's settings; nothing here
prints them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import psycopg
import pyarrow as pa

from extract.warehouse.target import DUCKDB, WarehouseTarget, postgres_conninfo


def query_rows(target: WarehouseTarget, sql: str) -> list[tuple[Any, ...]]:
    if target.name == DUCKDB:
        with duckdb.connect(target.duckdb_path, read_only=True) as con:
            return [tuple(row) for row in con.execute(sql).fetchall()]
    with psycopg.connect(postgres_conninfo(target.postgres), autocommit=True) as con:
        return [tuple(row) for row in con.execute(sql).fetchall()]


def query_arrow(target: WarehouseTarget, sql: str, schema: pa.Schema) -> pa.Table:
    """The result as an Arrow table with exactly ``schema`` (the query selects its columns in order)."""
    if target.name == DUCKDB:
        with duckdb.connect(target.duckdb_path, read_only=True) as con:
            table: pa.Table = con.sql(sql).to_arrow_table()
        return table.rename_columns(schema.names).cast(schema)
    rows = query_rows(target, sql)
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in schema.names]
    return pa.Table.from_arrays(
        [pa.array(list(values), type=field.type) for values, field in zip(columns, schema, strict=True)],
        schema=schema,
    )


def relation_exists(target: WarehouseTarget, schema: str, name: str) -> bool:
    """Whether ``schema.name`` exists (False, too, when the DuckDB file does not exist yet)."""
    if target.name == DUCKDB and not Path(target.duckdb_path).exists():
        return False
    sql = (
        "select count(*) from information_schema.tables "
        f"where table_schema = '{schema}' and table_name = '{name}'"
    )
    return bool(query_rows(target, sql)[0][0])
