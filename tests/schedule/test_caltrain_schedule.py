"""End to end on the real Caltrain schedule (it has stop_times): matching, scheduled metrics, on-time.

The static feed is the shared real one; the realtime side is written in code (the shared Caltrain
snapshots carry no stop_id, so rule 1.2 keeps none of their rows): a scheduled trip seen with its
start_time (exact match, rule 10.1) and an ADDED trip whose start lies between two scheduled trips
(backup match, rule 10.4). Every expected value is recomputed here, in Python, from the zip.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from schedule_feeds import VehicleReport, build_warehouse, rows, write_snapshots

from extract.warehouse import WarehouseTarget

SERVICE_DATE = 20231108  # a Wednesday, inside the feed's 2023-09-23 … 2024-06-01
ROUTE = "L1"


def _gtfs_seconds(text: str) -> int | None:
    if not text.strip():
        return None
    hours, minutes, seconds = (int(part) for part in text.strip().split(":"))
    return hours * 3600 + minutes * 60 + seconds


def _hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


@dataclass(frozen=True)
class StopTime:
    trip_id: str
    stop_sequence: int
    stop_id: str
    parent_station: str
    arrival: int | None
    departure: int | None


class Schedule:
    """The Caltrain feed read with the csv module: an independent implementation of rules 3.5, 4.2, 11."""

    def __init__(self, zip_path: Path) -> None:
        with zipfile.ZipFile(zip_path) as archive:

            def table(name: str) -> list[dict[str, str]]:
                return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))

            self.agency_timezone = table("agency.txt")[0]["agency_timezone"]
            route_types = {row["route_id"]: int(row["route_type"]) for row in table("routes.txt")}
            self.trips = {
                row["trip_id"]: row for row in table("trips.txt") if route_types[row["route_id"]] < 3
            }
            parents = {row["stop_id"]: row["parent_station"] or row["stop_id"] for row in table("stops.txt")}
            self.stop_times: dict[str, list[StopTime]] = defaultdict(list)
            for row in table("stop_times.txt"):
                if row["trip_id"] in self.trips:
                    self.stop_times[row["trip_id"]].append(
                        StopTime(
                            trip_id=row["trip_id"],
                            stop_sequence=int(row["stop_sequence"]),
                            stop_id=row["stop_id"],
                            parent_station=parents.get(row["stop_id"], row["stop_id"]),
                            arrival=_gtfs_seconds(row["arrival_time"]),
                            departure=_gtfs_seconds(row["departure_time"]),
                        )
                    )
            for times in self.stop_times.values():
                times.sort(key=lambda stop_time: stop_time.stop_sequence)
            self.calendar = table("calendar.txt")
            self.calendar_dates = table("calendar_dates.txt")

    def active_services(self, service_date: int) -> set[str]:
        """Rule 3.5."""
        day = datetime.strptime(str(service_date), "%Y%m%d").date()
        weekday = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")[
            day.weekday()
        ]
        exceptions = {
            (row["service_id"], int(row["exception_type"]))
            for row in self.calendar_dates
            if int(row["date"]) == service_date
        }
        active = {
            row["service_id"]
            for row in self.calendar
            if int(row["start_date"]) <= service_date <= int(row["end_date"])
            and row[weekday] == "1"
            and (row["service_id"], 2) not in exceptions
        }
        return active | {service for service, kind in exceptions if kind == 1}

    def scheduled_metrics(self) -> dict[tuple[str, int], tuple[int | None, int | None]]:
        """(trip_id, stop_sequence) → (scheduled_travel_time, scheduled_headway_trunk), rules 11.1, 11.3."""
        travel: dict[tuple[str, int], int | None] = {}
        queues: dict[tuple[str, str, str, str], list[StopTime]] = defaultdict(list)
        for trip_id, times in self.stop_times.items():
            trip = self.trips[trip_id]
            previous_departure: int | None = None
            for index, stop_time in enumerate(times):
                arrival = stop_time.arrival
                travel[(trip_id, stop_time.stop_sequence)] = (
                    None
                    if index == 0 or arrival is None or previous_departure is None
                    else arrival - previous_departure
                )
                previous_departure = stop_time.departure
                # Caltrain routes have no branches (seeds), so the trunk is the route_id (rule 8.2).
                key = (stop_time.parent_station, trip["service_id"], trip["direction_id"], trip["route_id"])
                queues[key].append(stop_time)
        headway: dict[tuple[str, int], int | None] = {}
        for queue in queues.values():
            queue.sort(
                key=lambda s: (s.departure is None, s.departure or 0, s.trip_id.encode(), s.stop_sequence)
            )
            for index, stop_time in enumerate(queue):
                before = queue[index - 1].departure if index else None
                headway[(stop_time.trip_id, stop_time.stop_sequence)] = (
                    None if before is None or stop_time.departure is None else stop_time.departure - before
                )
        return {key: (travel[key], headway[key]) for key in travel}


def _day_start(service_date: int, timezone: str) -> int:
    """GTFS: noon minus 12 hours, local time."""
    day = datetime.strptime(str(service_date), "%Y%m%d").date()
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo(timezone))
    return int(noon.timestamp()) - 43200


@pytest.fixture(scope="module")
def caltrain_zip(sample_data: Path) -> Path:
    return sample_data / "other" / "caltrain-2023-11-08" / "caltrain_gtfs.zip"


@pytest.fixture(scope="module")
def schedule(caltrain_zip: Path) -> Schedule:
    return Schedule(caltrain_zip)


@dataclass(frozen=True)
class Scenario:
    exact_trip: str
    before_trip: str
    after_trip: str
    added_start: int
    delays: tuple[int, ...]
    reports: tuple[VehicleReport, ...]


def _scenario(schedule: Schedule) -> Scenario:
    """An exact-match trip seen at its first three stations with delays, and an ADDED trip between two."""
    active = schedule.active_services(SERVICE_DATE)
    candidates = sorted(
        (min(st.arrival for st in schedule.stop_times[trip_id] if st.arrival is not None), trip_id)
        for trip_id, trip in schedule.trips.items()
        if trip["route_id"] == ROUTE
        and trip["direction_id"] == "0"
        and trip["service_id"] in active
        and schedule.stop_times[trip_id]
    )
    exact_trip = candidates[2][1]
    (before_start, before_trip), (after_start, after_trip) = candidates[5], candidates[6]
    assert before_start < after_start
    added_start = before_start + 2 * (after_start - before_start) // 3  # nearer the later trip
    day_start = _day_start(SERVICE_DATE, schedule.agency_timezone)
    delays = (0, 120, 400)
    reports: list[VehicleReport] = []
    exact_times = schedule.stop_times[exact_trip]
    for stop_time, delay in zip(exact_times[:3], delays, strict=True):
        assert stop_time.arrival is not None
        arrived = day_start + stop_time.arrival + delay
        for status, timestamp in (("IN_TRANSIT_TO", arrived - 90), ("STOPPED_AT", arrived)):
            reports.append(
                VehicleReport(
                    trip_id=exact_trip,
                    route_id=ROUTE,
                    direction_id=0,
                    start_date=str(SERVICE_DATE),
                    start_time=_hms(exact_times[0].departure or 0),
                    vehicle_id="car-exact",
                    stop_id=stop_time.stop_id,
                    stop_sequence=stop_time.stop_sequence,
                    status=status,
                    timestamp=timestamp,
                )
            )
    for stop_time in schedule.stop_times[after_trip][:2]:
        assert stop_time.arrival is not None
        arrived = day_start + stop_time.arrival + 30
        for status, timestamp in (("IN_TRANSIT_TO", arrived - 60), ("STOPPED_AT", arrived)):
            reports.append(
                VehicleReport(
                    trip_id="ADDED-1",
                    route_id=ROUTE,
                    direction_id=0,
                    start_date=str(SERVICE_DATE),
                    # An ADDED trip states its start; rule 2.3 uses it, rule 10.1 cannot (unknown trip_id).
                    start_time=_hms(added_start),
                    vehicle_id="car-added",
                    stop_id=stop_time.stop_id,
                    stop_sequence=stop_time.stop_sequence,
                    status=status,
                    timestamp=timestamp,
                )
            )
    return Scenario(exact_trip, before_trip, after_trip, added_start, delays, tuple(reports))


def _build(tmp_path: Path, caltrain_zip: Path, scenario: Scenario, target: WarehouseTarget) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "caltrain_gtfs.zip").write_bytes(caltrain_zip.read_bytes())
    write_snapshots(inbox, scenario.reports)
    build_warehouse(inbox, tmp_path / "lake", target)


def _check(target: WarehouseTarget, schedule: Schedule, scenario: Scenario) -> None:
    # --- scheduled metrics of the whole feed (rules 11.1, 11.3) against the Python recomputation
    expected_metrics = schedule.scheduled_metrics()
    stored = rows(
        target,
        "select trip_id, stop_sequence, scheduled_travel_time, scheduled_headway_trunk, "
        "scheduled_headway_branch from intermediate.int_schedule__scheduled_stop_times",
    )
    assert len(stored) == len(expected_metrics) > 3000
    actual_metrics = {
        (row["trip_id"], row["stop_sequence"]): (row["scheduled_travel_time"], row["scheduled_headway_trunk"])
        for row in stored
    }
    assert actual_metrics == expected_metrics
    assert all(row["scheduled_headway_branch"] is None for row in stored)  # no branches at Caltrain
    assert sum(1 for travel, _ in expected_metrics.values() if travel is not None) > 3000

    # --- trip matching (rules 10.1, 10.4)
    matches = {
        row["trip_id"]: row
        for row in rows(
            target,
            "select trip_id, start_time, static_trip_id_guess, static_start_time, static_stop_count, "
            f"first_last_station_match, has_static_match from intermediate.int_schedule__trip_matches "
            f"where service_date = {SERVICE_DATE}",
        )
    }
    exact_times = schedule.stop_times[scenario.exact_trip]
    assert matches[scenario.exact_trip] == {
        "trip_id": scenario.exact_trip,
        "start_time": exact_times[0].departure,
        "static_trip_id_guess": scenario.exact_trip,
        "static_start_time": exact_times[0].departure,
        "static_stop_count": len(exact_times),
        "first_last_station_match": True,
        "has_static_match": True,
    }
    after_times = schedule.stop_times[scenario.after_trip]
    assert matches["ADDED-1"] == {
        "trip_id": "ADDED-1",
        "start_time": scenario.added_start,
        "static_trip_id_guess": scenario.after_trip,
        "static_start_time": after_times[0].arrival,
        "static_stop_count": len(after_times),
        "first_last_station_match": False,
        "has_static_match": True,
    }

    # --- scheduled columns (rule 12.2), first stop (rule 9.3) and on-time deviations per trip-stop
    on_time = {
        row["parent_station"]: row
        for row in rows(
            target,
            "select parent_station, scheduled_arrival_time, arrival_deviation_seconds, "
            "departure_deviation_seconds, arrival_status, departure_status "
            f"from marts.fct_on_time_trip_stops where trip_id = '{scenario.exact_trip}'",
        )
    }
    day_start = _day_start(SERVICE_DATE, schedule.agency_timezone)
    assert set(on_time) == {stop_time.parent_station for stop_time in exact_times[:3]}
    for index, (stop_time, delay) in enumerate(zip(exact_times[:3], scenario.delays, strict=True)):
        row = on_time[stop_time.parent_station]
        assert row["scheduled_arrival_time"] == stop_time.arrival
        assert row["arrival_deviation_seconds"] == delay
        if index < 2:
            following = exact_times[index + 1]
            assert following.arrival is not None and stop_time.departure is not None
            observed_departure = day_start + following.arrival + scenario.delays[index + 1] - 90
            assert row["departure_deviation_seconds"] == observed_departure - (
                day_start + stop_time.departure
            )
        else:
            assert row["departure_deviation_seconds"] is None
    assert [on_time[st.parent_station]["arrival_status"] for st in exact_times[:3]] == [
        "on_time",
        "on_time",
        "late",
    ]

    schedule_rows = rows(
        target,
        "select events.parent_station, events.scheduled_travel_time, events.scheduled_headway_trunk, "
        "first_stops.first_stop from intermediate.int_schedule__event_schedule as events "
        "inner join intermediate.int_schedule__first_stops as first_stops "
        "on events.service_date = first_stops.service_date and events.route_id = first_stops.route_id "
        "and events.trip_id = first_stops.trip_id and events.parent_station = first_stops.parent_station "
        f"where events.trip_id = '{scenario.exact_trip}'",
    )
    by_station = {row["parent_station"]: row for row in schedule_rows}
    for index, stop_time in enumerate(exact_times[:3]):
        travel, headway = expected_metrics[(stop_time.trip_id, stop_time.stop_sequence)]
        assert by_station[stop_time.parent_station]["scheduled_travel_time"] == travel
        assert by_station[stop_time.parent_station]["scheduled_headway_trunk"] == headway
        assert by_station[stop_time.parent_station]["first_stop"] == (index == 0)


def test_caltrain_matching_and_scheduled_metrics(
    tmp_path: Path, caltrain_zip: Path, schedule: Schedule
) -> None:
    # DuckDB only: the same SQL on Postgres is exercised by test_schedule_rules_end_to_end.py.
    target = WarehouseTarget.duckdb(tmp_path / "warehouse.duckdb")
    scenario = _scenario(schedule)
    _build(tmp_path, caltrain_zip, scenario, target)
    _check(target, schedule, scenario)
