"""The schedule rules end to end, on small GTFS feeds built in code, through the real pipeline.

Service date 2024-03-10 is the 23-hour day when New York clocks go forward: GTFS times count from noon
minus 12 hours, i.e. 23:00 EST on the 9th, so 08:00:00 is 08:00 EDT (counting from midnight would give
09:00). Two feed versions overlap on that date (rule 3.3); the newer one lands late and re-matches the
date. Services exist only in calendar_dates, one trip's service is removed for the date (rule 3.5), a
trip runs past midnight (25:10:00), and an ADDED trip starts between two scheduled ones (rule 10.4).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from schedule_feeds import (
    VehicleReport,
    build_warehouse,
    gtfs_zip,
    rows,
    run_schedule_unit_tests,
    write_snapshots,
)

from extract.warehouse import WarehouseTarget

SERVICE_DATE = 20240310
DAY_START = 1710043200  # noon EDT on 2024-03-10 minus 12 hours = 2024-03-09 23:00 EST
STATIONS = {"o1": "P1", "o2": "P2", "o3": "P3"}


def _feed(version: str, trips: dict[str, tuple[str, list[tuple[str, str, str]]]], removed: str = "") -> bytes:
    """A one-route GTFS feed valid for March 2024; trips: trip_id → (service_id, [(stop, arr, dep)])."""
    services = sorted({service for service, _ in trips.values()})
    calendar_dates = [
        {"service_id": s, "date": SERVICE_DATE, "exception_type": 1} for s in services if s != removed
    ]
    calendar = [
        {
            "service_id": removed or "NONE",
            **dict.fromkeys(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday"), 0),
            "sunday": 1,
            "start_date": 20240301,
            "end_date": 20240331,
        }
    ]
    if removed:
        calendar_dates.append({"service_id": removed, "date": SERVICE_DATE, "exception_type": 2})
    return gtfs_zip(
        {
            "agency": [
                {
                    "agency_id": "T",
                    "agency_name": "Test",
                    "agency_url": "https://example.test",
                    "agency_timezone": "America/New_York",
                }
            ],
            "feed_info": [
                {
                    "feed_publisher_name": "Test",
                    "feed_publisher_url": "https://example.test",
                    "feed_lang": "en",
                    "feed_start_date": 20240301,
                    "feed_end_date": 20240331,
                    "feed_version": version,
                }
            ],
            "routes": [{"route_id": "Orange", "route_short_name": "OL", "route_type": 1}],
            "stops": [
                {"stop_id": p, "stop_name": p, "location_type": 1, "parent_station": ""}
                for p in ("P1", "P2", "P3")
            ]
            + [
                {"stop_id": s, "stop_name": s, "location_type": 0, "parent_station": p}
                for s, p in STATIONS.items()
            ],
            "calendar": calendar,
            "calendar_dates": calendar_dates,
            "trips": [
                {"route_id": "Orange", "service_id": service, "trip_id": trip_id, "direction_id": 0}
                for trip_id, (service, _) in trips.items()
            ],
            "stop_times": [
                {
                    "trip_id": trip_id,
                    "arrival_time": arrival,
                    "departure_time": departure,
                    "stop_id": stop,
                    "stop_sequence": sequence,
                }
                for trip_id, (_, stops) in trips.items()
                for sequence, (stop, arrival, departure) in enumerate(stops, start=1)
            ],
        }
    )


OLD_FEED = _feed(
    "Winter 2024, 2024-02-01T12:00:00+00:00",
    {"OLD-1": ("SUN-A", [("o1", "08:13:00", "08:13:00"), ("o2", "08:18:00", "08:18:00")])},
)
NEW_FEED = _feed(
    "Spring 2024, 2024-03-05T12:00:00+00:00",
    {
        "S1": (
            "SUN",
            [("o1", "08:00:00", "08:00:30"), ("o2", "08:05:00", "08:05:30"), ("o3", "08:10:00", "08:10:00")],
        ),
        "S2": (
            "SUN",
            [("o1", "08:20:00", "08:20:30"), ("o2", "08:25:00", "08:25:30"), ("o3", "08:30:00", "08:30:00")],
        ),
        "N1": (
            "SUN",
            [("o1", "25:10:00", "25:10:30"), ("o2", "25:15:00", "25:15:30"), ("o3", "25:20:00", "25:20:00")],
        ),
        # Nearest to the ADDED trip, but its service is removed on the date by calendar_dates.
        "X1": ("REM", [("o1", "08:14:00", "08:14:00"), ("o2", "08:19:00", "08:19:00")]),
    },
    removed="REM",
)


def _visits(trip_id: str, start_time: str | None, visits: list[tuple[str, int, int]]) -> list[VehicleReport]:
    """VP reports: for each (stop, move, stop) offset from DAY_START, IN_TRANSIT_TO then STOPPED_AT."""
    reports = []
    for sequence, (stop, moved, stopped) in enumerate(visits, start=1):
        for status, offset in (("IN_TRANSIT_TO", moved), ("STOPPED_AT", stopped)):
            reports.append(
                VehicleReport(
                    trip_id=trip_id,
                    route_id="Orange",
                    direction_id=0,
                    start_date=str(SERVICE_DATE),
                    start_time=start_time,
                    vehicle_id=f"v-{trip_id}",
                    stop_id=stop,
                    stop_sequence=sequence,
                    status=status,
                    timestamp=DAY_START + offset,
                )
            )
    return reports


REPORTS = [
    # S1 on schedule at o1, 60 s late at o2, 400 s late at o3 (08:00:00 = 28800 s).
    *_visits("S1", "08:00:00", [("o1", 28680, 28800), ("o2", 29070, 29160), ("o3", 29710, 29800)]),
    # ADDED, starting 08:14:00 (29640): S1 is 840 s away, S2 360, X1 0 but not running, OLD-1 superseded.
    *_visits("ADDED-1", "08:14:00", [("o1", 29580, 29640), ("o2", 29940, 30000)]),
    # Past midnight: 25:10:00 = 90600 s after the day's start, i.e. 01:10 EDT on 11 March.
    *_visits("N1", "25:10:00", [("o1", 90540, 90600), ("o2", 90840, 90930)]),
]


def _match(target: WarehouseTarget, trip_id: str) -> dict[str, object]:
    (row,) = rows(
        target,
        "select static_trip_id_guess, static_start_time, static_stop_count, first_last_station_match "
        f"from intermediate.int_schedule__trip_matches where trip_id = '{trip_id}'",
    )
    return row


@pytest.mark.parametrize("target_name", ["duckdb", "postgres"])
def test_schedule_rules_on_feeds_built_in_code(
    target_name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if target_name == "duckdb":
        target = WarehouseTarget.duckdb(tmp_path / "warehouse.duckdb")
    else:
        target = WarehouseTarget.postgres_database(request.getfixturevalue("postgres_database"))
    lake = tmp_path / "lake"

    # 1. Only the old version has landed: it governs the date and the ADDED trip matches its trip.
    first = tmp_path / "inbox-1"
    first.mkdir()
    (first / "winter.zip").write_bytes(OLD_FEED)
    write_snapshots(first, REPORTS)
    build_warehouse(first, lake, target)
    assert _match(target, "ADDED-1")["static_trip_id_guess"] == "OLD-1"

    # 2. The newer version lands late: version(D) changes (rule 3.3) and the date is re-matched.
    second = tmp_path / "inbox-2"
    second.mkdir()
    (second / "spring.zip").write_bytes(NEW_FEED)
    build_warehouse(second, lake, target)

    assert rows(
        target,
        "select schedule_day_start_epoch, local_midnight_epoch, has_schedule "
        f"from intermediate.int_schedule__service_days where service_date = {SERVICE_DATE}",
    ) == [
        {
            "schedule_day_start_epoch": DAY_START,
            "local_midnight_epoch": DAY_START + 3600,
            "has_schedule": True,
        }
    ]

    assert _match(target, "S1") == {
        "static_trip_id_guess": "S1",
        "static_start_time": 28800,
        "static_stop_count": 3,
        "first_last_station_match": True,
    }
    assert _match(target, "ADDED-1") == {
        "static_trip_id_guess": "S2",
        "static_start_time": 30000,
        "static_stop_count": 3,
        "first_last_station_match": False,
    }
    assert _match(target, "N1") == {
        "static_trip_id_guess": "N1",
        "static_start_time": 90600,
        "static_stop_count": 3,
        "first_last_station_match": True,
    }

    # Rule 11.1 (08:05:00 − 08:00:30) and rule 11.3 at P1 (S1, S2 1200 s later, N1 60600 s later).
    scheduled = {
        (row["trip_id"], row["parent_station"]): (
            row["scheduled_travel_time"],
            row["scheduled_headway_trunk"],
        )
        for row in rows(
            target,
            "select trip_id, parent_station, scheduled_travel_time, scheduled_headway_trunk "
            "from intermediate.int_schedule__scheduled_stop_times where trip_id in ('S1', 'S2', 'N1')",
        )
    }
    assert scheduled[("S1", "P1")] == (None, None)
    assert scheduled[("S1", "P2")] == (270, None)
    assert scheduled[("S2", "P1")] == (None, 1200)
    assert scheduled[("N1", "P1")] == (None, 60600)
    assert scheduled[("N1", "P3")] == (270, 60600)

    # On-time per trip-stop: instants from noon minus 12 hours on the 23-hour day.
    on_time = {
        (row["trip_id"], row["parent_station"]): row
        for row in rows(
            target,
            "select trip_id, parent_station, scheduled_arrival_epoch, arrival_deviation_seconds, "
            "departure_deviation_seconds, arrival_status, departure_status from marts.fct_on_time_trip_stops",
        )
    }
    assert on_time[("S1", "P1")]["scheduled_arrival_epoch"] == 1710072000  # 08:00 EDT = 12:00 UTC
    assert [on_time[("S1", p)]["arrival_deviation_seconds"] for p in ("P1", "P2", "P3")] == [0, 60, 400]
    assert [on_time[("S1", p)]["arrival_status"] for p in ("P1", "P2", "P3")] == [
        "on_time",
        "on_time",
        "late",
    ]
    # Departure from P1 = the move towards P2 (rule 5.2): 29070 − 28830 = 240; from P2: 29710 − 29130.
    assert [on_time[("S1", p)]["departure_deviation_seconds"] for p in ("P1", "P2", "P3")] == [240, 580, None]
    assert on_time[("N1", "P1")]["scheduled_arrival_epoch"] == 1710133800  # 01:10 EDT on 11 March
    assert on_time[("N1", "P1")]["arrival_deviation_seconds"] == 0
    assert on_time[("ADDED-1", "P1")]["arrival_deviation_seconds"] == 29640 - 30000

    # Headway adherence at P1: ADDED-1 departs 870 s after S1 (scheduled 1200 via S2), N1 60900 after
    # (scheduled 60600); schedule hours 8 and 25.
    headways = {
        row["schedule_hour"]: row
        for row in rows(
            target,
            "select schedule_hour, observed_headway_count, compared_headway_count, "
            "avg_observed_headway_seconds, avg_scheduled_headway_seconds, long_gap_count "
            "from marts.fct_on_time_headways where parent_station = 'P1'",
        )
    }
    assert headways[8] == {
        "schedule_hour": 8,
        "observed_headway_count": 1,
        "compared_headway_count": 1,
        "avg_observed_headway_seconds": 870.0,
        "avg_scheduled_headway_seconds": 1200.0,
        "long_gap_count": 0,
    }
    assert headways[25]["avg_observed_headway_seconds"] == 60900.0
    assert headways[25]["avg_scheduled_headway_seconds"] == 60600.0

    # The hand-computed dbt unit tests of every schedule rule, on this target too (they need the built
    # relations for their column types): 10 in _int_schedule.yml and _on_time.yml.
    assert run_schedule_unit_tests(target) == 10
