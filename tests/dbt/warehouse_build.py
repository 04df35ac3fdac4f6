"""Helpers of the end-to-end dbt tests: build a warehouse from a lake and read marts back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import psycopg

from extract.warehouse.dbt import run_dbt
from extract.warehouse.loader import load
from extract.warehouse.target import DUCKDB, WarehouseTarget, postgres_conninfo

# The realtime marts and everything upstream of them (staging, static, seeds), with their data and
# unit tests. Selecting them keeps the e2e build to what these tests check.
RAIL_MARTS_SELECTION = ["+subway_performance", "+fct_vehicle_events", "+dim_vehicle_trips"]

# Each mart with its key (rules 0.2 and 12.4), so both engines are read in the same order.
MART_ORDER = {
    "fct_vehicle_events": "service_date, route_id, trip_id, parent_station",
    "dim_vehicle_trips": "service_date, route_id, trip_id",
    "subway_performance": "service_date, route_id, trip_id, parent_station",
}


def build_warehouse(lake: Path, target: WarehouseTarget, work_dir: Path) -> None:
    """Load the lake's new batches into `raw`, then `dbt build` the rail marts (raises if anything fails)."""
    load(str(lake), target)
    run_dbt(
        ["build", "--select", *RAIL_MARTS_SELECTION, "--indirect-selection", "cautious"],
        target,
        work_dir=work_dir,
    )


def run_rail_models(lake: Path, target: WarehouseTarget, work_dir: Path, *extra: str) -> None:
    """Load the lake's new batches, then seed and run the rail models (no tests: the build tests them)."""
    load(str(lake), target)
    run_dbt(["seed"], target, work_dir=work_dir)
    run_dbt(["run", "--select", *RAIL_MARTS_SELECTION, *extra], target, work_dir=work_dir)


def query(target: WarehouseTarget, sql: str) -> list[tuple[Any, ...]]:
    """Rows of a query on either warehouse, as plain Python tuples."""
    if target.name == DUCKDB:
        with duckdb.connect(target.duckdb_path, read_only=True) as con:
            return [tuple(row) for row in con.execute(sql).fetchall()]
    with psycopg.connect(postgres_conninfo(target.postgres)) as con:
        return [tuple(row) for row in con.execute(sql).fetchall()]


def mart_rows(target: WarehouseTarget, mart: str) -> list[tuple[Any, ...]]:
    return query(target, f"select * from marts.{mart} order by {MART_ORDER[mart]}")


def column_types(target: WarehouseTarget, schema: str, table: str) -> list[tuple[str, str]]:
    """(column, lower-case type name) in table order, from information_schema on either engine."""
    return [
        (str(name), str(data_type).lower())
        for name, data_type in query(
            target,
            "select column_name, data_type from information_schema.columns "
            f"where table_schema = '{schema}' and table_name = '{table}' order by ordinal_position",
        )
    ]
