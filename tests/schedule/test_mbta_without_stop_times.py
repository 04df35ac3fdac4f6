"""The shared MBTA static feed has no stop_times.txt (rule 3.4): the schedule models build, every
scheduled value stays NULL, nothing fails, and dbt reports the warning `realtime_dates_without_schedule`."""

from __future__ import annotations

import shutil
from pathlib import Path

from schedule_feeds import build_warehouse, node_statuses, rows

from extract.pipeline import extract
from extract.warehouse import WarehouseTarget

VP_SNAPSHOTS = 12  # the first minute of VehiclePositions: enough trips, fast to build


def test_mbta_sample_builds_with_null_schedule_and_a_warning(mbta_day: Path, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    static_report = extract(str(mbta_day / "static" / "MBTA_GTFS"), str(lake))
    assert static_report.rejected == 0
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for snapshot in sorted((mbta_day / "raw" / "VehiclePositions").glob("*.pb"))[:VP_SNAPSHOTS]:
        shutil.copy(snapshot, inbox / snapshot.name)
    target = WarehouseTarget.duckdb(tmp_path / "warehouse.duckdb")

    result = build_warehouse(inbox, lake, target)

    statuses = node_statuses(result)
    assert statuses["realtime_dates_without_schedule"] == "warn"
    assert [name for name, status in statuses.items() if status in ("error", "fail")] == []

    (matches,) = rows(
        target,
        "select count(*) as trips, count(static_trip_id_guess) as guessed, "
        "sum(case when has_static_match or first_last_station_match then 1 else 0 end) as matched "
        "from intermediate.int_schedule__trip_matches",
    )
    assert matches["trips"] > 50
    assert matches["guessed"] == 0 and matches["matched"] == 0
    for relation in (
        "intermediate.int_schedule__static_trips",
        "intermediate.int_schedule__scheduled_stop_times",
        "intermediate.int_schedule__event_schedule",
        "marts.fct_on_time_trip_stops",
        "marts.fct_on_time_headways",
    ):
        assert rows(target, f"select count(*) as n from {relation}") == [{"n": 0}], relation
    assert rows(
        target,
        "select has_schedule, has_realtime from intermediate.int_schedule__service_days "
        "where service_date = 20230508",
    ) == [{"has_schedule": False, "has_realtime": True}]
    # Rule 3.4: without stop_times, first_stop is rt_first.
    assert rows(
        target,
        "select count(*) as n from intermediate.int_schedule__first_stops "
        "where first_stop <> rt_first or static_rank is not null",
    ) == [{"n": 0}]
