"""Rule 9.8 / issue 3: an incremental build equals a full refresh. Load hour 12 and build; load hour 13
(later files touching the same service date) and build incrementally; the marts must equal those of a
full refresh (every model rebuilt from scratch from the raw rows of both hours)."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.pipeline import extract
from extract.warehouse.dbt import run_dbt
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
