"""Rule 9.8 / issue 3: an incremental build equals a full refresh. Load hour 12 and build; load hour 13
(later files touching the same service date) and build incrementally; the marts must equal those of a
full refresh (every model rebuilt from scratch from the raw rows of both hours)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from extract.pipeline import extract
from extract.warehouse.dbt import DbtRunFailed, run_dbt
from extract.warehouse.target import WarehouseTarget
from tests.dbt.warehouse_build import MART_ORDER, RAIL_MARTS_SELECTION, mart_rows, query, run_rail_models

pytestmark = pytest.mark.slow


def hour_inputs(day: Path, destination: Path, hour: str, *, with_static: bool) -> Path:
    """A source directory with only the realtime snapshots of one UTC hour (symlinks, nothing copied)."""
    for feed in ("VehiclePositions", "TripUpdates"):
        feed_dir = destination / "raw" / feed
        feed_dir.mkdir(parents=True)
        for snapshot in sorted((day / "raw" / feed).glob(f"2023-05-08T{hour}:*")):
            (feed_dir / snapshot.name).symlink_to(snapshot)
    if with_static:
        static_dir = destination / "static" / "MBTA_GTFS"
        static_dir.mkdir(parents=True)
        for gtfs_file in (day / "static" / "MBTA_GTFS").iterdir():
            (static_dir / gtfs_file.name).symlink_to(gtfs_file)
    return destination


def test_late_hour_built_incrementally_equals_a_full_build(mbta_day: Path, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    incremental = WarehouseTarget.duckdb(tmp_path / "incremental.duckdb")

    extract(str(hour_inputs(mbta_day, tmp_path / "hour12", "12", with_static=True)), str(lake))
    run_rail_models(lake, incremental, tmp_path / "first")
    trips_after_hour_12 = query(incremental, "select count(*) from marts.dim_vehicle_trips")[0][0]

    extract(str(hour_inputs(mbta_day, tmp_path / "hour13", "13", with_static=False)), str(lake))
    run_rail_models(lake, incremental, tmp_path / "second")

    # the second run appended the new batches and rebuilt the service date they touch
    batches = query(
        incremental, "select count(distinct lake_batch_id) from intermediate.int_rt__batch_service_dates"
    )
    assert batches[0][0] >= 2
    assert query(incremental, "select count(*) from marts.dim_vehicle_trips")[0][0] > trips_after_hour_12

    built_incrementally = {mart: mart_rows(incremental, mart) for mart in MART_ORDER}

    # from scratch: every model rebuilt from the raw tables of both hours
    run_dbt(["run", "--full-refresh", "--select", *RAIL_MARTS_SELECTION], incremental, work_dir=tmp_path)
    for mart in MART_ORDER:
        assert built_incrementally[mart] == mart_rows(incremental, mart), mart


def _plant_stale_event(target: WarehouseTarget, service_date: int) -> None:
    """A row of int_rt__vp_events for a date built under inputs that are no longer current (its
    fingerprint is not the date's): what a date leaves behind when a rebuild now produces nothing."""
    with duckdb.connect(target.duckdb_path) as con:
        con.execute(
            "insert into intermediate.int_rt__vp_events by name select * replace "
            f"({service_date} as service_date, '1|an older static version' as input_fingerprint) "
            "from intermediate.int_rt__vp_events limit 1"
        )


def _dates_with_events(target: WarehouseTarget) -> list[int]:
    rows = query(target, "select distinct service_date from intermediate.int_rt__vp_events order by 1")
    return [row[0] for row in rows]


def test_a_rebuilt_date_without_rows_loses_its_old_rows_and_a_backfill_touches_only_its_range(
    mbta_day: Path, tmp_path: Path
) -> None:
    """delete+insert only replaces dates that produced rows; rt_remove_stale_service_dates removes the
    rest (rule 9.8). The backfill vars (Dagster partitions) rebuild and clean exactly their range."""
    lake = tmp_path / "lake"
    warehouse = WarehouseTarget.duckdb(tmp_path / "warehouse.duckdb")
    extract(str(hour_inputs(mbta_day, tmp_path / "hour12", "12", with_static=True)), str(lake))
    run_rail_models(lake, warehouse, tmp_path / "first")
    assert _dates_with_events(warehouse) == [20230508]
    events_before = query(warehouse, "select count(*) from intermediate.int_rt__vp_events")[0][0]

    # two dates outside the lookback whose inputs changed since they were built
    _plant_stale_event(warehouse, 20230430)
    _plant_stale_event(warehouse, 20230501)

    # a backfill of 2023-05-01 alone: that date is cleaned, 2023-04-30 waits for an ordinary run
    backfill = '{"service_date_start": 20230501, "service_date_end": 20230501}'
    run_dbt(["run", "--select", *RAIL_MARTS_SELECTION, "--vars", backfill], warehouse, work_dir=tmp_path)
    assert _dates_with_events(warehouse) == [20230430, 20230508]

    run_rail_models(lake, warehouse, tmp_path / "ordinary")
    assert _dates_with_events(warehouse) == [20230508]
    assert query(warehouse, "select count(*) from intermediate.int_rt__vp_events")[0][0] == events_before

    # the range is pasted into SQL: anything but YYYYMMDD integers stops the build at compile time
    bad = '{"service_date_start": "20230501; drop table marts.subway_performance"}'
    with pytest.raises(DbtRunFailed) as failed:
        run_dbt(["run", "--select", "int_rt__vp_events", "--vars", bad], warehouse, work_dir=tmp_path)
    messages = [str(result.message) for result in failed.value.result.result]  # type: ignore[union-attr]
    assert any("must be YYYYMMDD integers" in message for message in messages), messages
    assert query(warehouse, "select count(*) from marts.subway_performance")[0][0] > 0
