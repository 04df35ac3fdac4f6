"""End to end over the shared two-hour real sample: extract → load → dbt build on DuckDB and on real
Postgres. The marts must be identical on both engines, every rail line must have events and metrics,
and Orange Line travel, dwell and headway times must equal an independent computation straight from
the raw vehicle positions (tests/dbt/reference_metrics.py) and a few figures checked by hand.

One test builds both warehouses (a few minutes), so pytest-xdist never builds them twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.warehouse.target import WarehouseTarget
from tests.dbt.reference_metrics import compute
from tests.dbt.warehouse_build import MART_ORDER, build_warehouse, column_types, mart_rows, query

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

RAIL_LINES = ["Blue", "Green-B", "Green-C", "Green-D", "Green-E", "Mattapan", "Orange", "Red"]

# Rule 12.3 columns and warehouse types (int16 → smallint, int64 → bigint, string → text, bool → boolean).
SUBWAY_PERFORMANCE_COLUMNS = [
    ("stop_sequence", "smallint"), ("stop_id", "text"), ("parent_station", "text"),
    ("move_timestamp", "bigint"), ("stop_timestamp", "bigint"), ("travel_time_seconds", "bigint"),
    ("dwell_time_seconds", "bigint"), ("headway_trunk_seconds", "bigint"),
    ("headway_branch_seconds", "bigint"), ("service_date", "bigint"), ("route_id", "text"),
    ("direction_id", "boolean"), ("start_time", "bigint"), ("vehicle_id", "text"),
    ("branch_route_id", "text"), ("trunk_route_id", "text"), ("stop_count", "smallint"),
    ("trip_id", "text"), ("vehicle_label", "text"), ("vehicle_consist", "text"), ("direction", "text"),
    ("direction_destination", "text"), ("scheduled_arrival_time", "bigint"),
    ("scheduled_departure_time", "bigint"), ("scheduled_travel_time", "bigint"),
    ("scheduled_headway_branch", "bigint"), ("scheduled_headway_trunk", "bigint"),
]  # fmt: skip

# DuckDB spells the same types differently in information_schema.
DUCKDB_TYPE_NAMES = {"varchar": "text"}

# The first Orange trip-stops with travel, dwell and headway, read off the raw snapshots by hand.
# Trip 56494242 (direction 1) at Sullivan Square (platform 70031): first IN_TRANSIT_TO 70031 at
# 1683547755, first STOPPED_AT 70031 at 1683547842 → travel 87 (rule 9.2); first report heading to
# Assembly (70279) at 1683547922 → dwell 80 (rule 9.4); the previous direction-1 train, 56494241, headed
# to Assembly at 1683547254 → trunk headway 1683547922 − 1683547254 = 668 (rule 9.6). Chinatown (70019)
# for 56494243: INCOMING_AT 1683547817, STOPPED_AT 1683547855 → travel 38.
HAND_CHECKED_ORANGE = [
    ("56494242", "place-sull", 87, 80, 668),
    ("56494243", "place-chncl", 38, 107, 761),
    ("56494338", "place-chncl", 34, 45, 694),
]


def test_two_hour_sample_on_duckdb_and_postgres(
    sample_lake: Path, tmp_path: Path, postgres_database: dict[str, str]
) -> None:
    on_duckdb = WarehouseTarget.duckdb(tmp_path / "warehouse.duckdb")
    on_postgres = WarehouseTarget.postgres_database(postgres_database)
    build_warehouse(sample_lake, on_duckdb, tmp_path / "duckdb")
    build_warehouse(sample_lake, on_postgres, tmp_path / "postgres")

    assert_marts_identical(on_duckdb, on_postgres)
    assert_public_columns_and_types(on_duckdb, on_postgres)
    assert_every_rail_line_has_events_and_metrics(on_duckdb)
    assert_orange_line_equals_raw_computation(sample_lake, on_duckdb)
    assert_hand_checked_trip_stops(on_duckdb)


def assert_marts_identical(on_duckdb: WarehouseTarget, on_postgres: WarehouseTarget) -> None:
    for mart in MART_ORDER:
        duckdb_rows, postgres_rows = mart_rows(on_duckdb, mart), mart_rows(on_postgres, mart)
        assert len(duckdb_rows) > 0, mart
        assert len(duckdb_rows) == len(postgres_rows), mart
        differences = [(d, p) for d, p in zip(duckdb_rows, postgres_rows, strict=True) if d != p]
        assert differences[:5] == [], mart


def assert_public_columns_and_types(on_duckdb: WarehouseTarget, on_postgres: WarehouseTarget) -> None:
    duckdb_columns = [
        (name, DUCKDB_TYPE_NAMES.get(kind, kind))
        for name, kind in column_types(on_duckdb, "marts", "subway_performance")
    ]
    assert duckdb_columns == SUBWAY_PERFORMANCE_COLUMNS
    assert column_types(on_postgres, "marts", "subway_performance") == SUBWAY_PERFORMANCE_COLUMNS


def assert_every_rail_line_has_events_and_metrics(target: WarehouseTarget) -> None:
    per_line = {
        route: counts
        for route, *counts in query(
            target,
            "select route_id, count(*), count(travel_time_seconds), count(dwell_time_seconds), "
            "count(headway_trunk_seconds) from marts.subway_performance group by route_id",
        )
    }
    assert sorted(per_line) == RAIL_LINES
    for route, (rows, travel, dwell, headway) in per_line.items():
        assert rows > 100 and travel > 0 and dwell > 0 and headway > 0, route
    branches = query(
        target,
        "select distinct route_id, branch_route_id, trunk_route_id from marts.dim_vehicle_trips "
        "where route_id in ('Red', 'Green-B') order by 1, 2",
    )
    assert ("Green-B", "Green-B", "Green") in branches
    assert ("Red", "Red-A", "Red") in branches
    assert ("Red", "Red-B", "Red") in branches


def assert_orange_line_equals_raw_computation(lake: Path, target: WarehouseTarget) -> None:
    reference = compute(str(lake), "Orange")
    rows = query(
        target,
        "select service_date, trip_id, parent_station, vp_move_timestamp, vp_stop_timestamp, first_stop, "
        "travel_time_seconds, dwell_time_seconds, next_departure_timestamp, headway_trunk_seconds "
        "from marts.fct_vehicle_events where route_id = 'Orange' and has_vp",
    )
    assert len(rows) == len(reference.events) > 300
    compared_dwells = compared_headways = 0
    for date, trip, station, move, stop, first_stop, travel, dwell, next_departure, headway in rows:
        key = (date, trip, station)
        event, expected = reference.events[key], reference.metrics[key]
        assert (move, stop, first_stop) == (event.move, event.stop, expected.first_stop), key
        assert (next_departure, headway) == (expected.next_departure, expected.headway_trunk), key
        if stop is not None:  # with vp_stop the stop time does not depend on trip updates
            assert (travel, dwell) == (expected.travel, expected.dwell), key
            compared_dwells += dwell is not None
        compared_headways += headway is not None
    assert compared_dwells > 100 and compared_headways > 100


def assert_hand_checked_trip_stops(target: WarehouseTarget) -> None:
    rows = query(
        target,
        "select trip_id, parent_station, travel_time_seconds, dwell_time_seconds, headway_trunk_seconds "
        "from marts.subway_performance where route_id = 'Orange' "
        "and dwell_time_seconds is not null and headway_trunk_seconds is not null "
        "order by move_timestamp, trip_id, parent_station limit 3",
    )
    assert rows == HAND_CHECKED_ORANGE
