"""An independent, plain-Python computation of VP events and metrics straight from the lake's raw
vehicle positions (spec rules 1.2, 4.1, 5.1, 5.3, 8.1, 8.3, 9.1-9.6), for one route without branches.

It shares no code or SQL with the dbt models: it is the hand computation the e2e test compares the
marts with. TripUpdates are ignored, so callers compare only values that do not depend on them.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pyarrow.parquet as pq

from extract.lake import committed_data_files

LOCAL = ZoneInfo("America/New_York")
CUTOFF = timedelta(hours=4)


@dataclass
class Event:
    route_id: str
    trip_id: str
    parent_station: str
    move: int | None = None
    stop: int | None = None
    detail: tuple[int, int, int, str, str] | None = None  # (ts, feed ts, stop_sequence, stop_id, vehicle)
    revenue: bool = True
    direction_id: int = 0

    @property
    def stop_sequence(self) -> int:
        assert self.detail is not None
        return self.detail[2]

    @property
    def sort_ts(self) -> int:
        value = self.move if self.move is not None else self.stop
        assert value is not None
        return value


@dataclass
class Metrics:
    travel: int | None = None
    dwell: int | None = None
    next_departure: int | None = None
    headway_trunk: int | None = None
    first_stop: bool = False


@dataclass
class RouteReference:
    events: dict[tuple[int, str, str], Event] = field(default_factory=dict)  # (date, trip, station)
    metrics: dict[tuple[int, str, str], Metrics] = field(default_factory=dict)


def service_date(start_date: str | None, timestamp: int) -> int:
    """Rule 2.1 with the default 04:00 cutoff."""
    if start_date and len(start_date) == 8 and start_date.isdigit():
        return int(start_date)
    local = datetime.fromtimestamp(timestamp, LOCAL).replace(tzinfo=None) - CUTOFF
    return int(local.strftime("%Y%m%d"))


def parent_stations(lake: str) -> dict[str, str]:
    parents: dict[str, str] = {}
    for data_file in committed_data_files(lake, "gtfs_static/stops"):
        for row in pq.read_table(data_file.path, columns=["stop_id", "parent_station"]).to_pylist():
            if row["parent_station"]:
                parents[row["stop_id"]] = row["parent_station"]
    return parents


@dataclass(frozen=True)
class Position:
    """One raw VehiclePositions row that rule 1.2 keeps."""

    feed_timestamp: int
    trip_id: str
    direction_id: int
    start_date: str | None
    revenue: bool
    vehicle_id: str
    stop_sequence: int
    stop_id: str
    stopped: bool
    timestamp: int


def vp_rows(lake: str, route_id: str) -> list[Position]:
    """Raw VP rows of the route that rule 1.2 keeps."""
    columns = [
        "feed_timestamp", "trip_id", "route_id", "direction_id", "start_date", "trip_revenue",
        "vehicle_id", "current_stop_sequence", "stop_id", "current_status", "vehicle_timestamp",
    ]  # fmt: skip
    kept = []
    for data_file in committed_data_files(lake, "gtfs_rt/vehicle_positions"):
        table = pq.read_table(data_file.path, columns=columns, filters=[("route_id", "=", route_id)])
        for row in table.to_pylist():
            if (
                row["current_status"] is not None
                and row["stop_id"] is not None
                and row["vehicle_id"] is not None
                and row["trip_id"] is not None
                and row["current_stop_sequence"] is not None
                and row["current_stop_sequence"] >= 0
                and (row["vehicle_timestamp"] or 0) > 0
                and row["direction_id"] in (0, 1)
            ):
                kept.append(
                    Position(
                        feed_timestamp=row["feed_timestamp"],
                        trip_id=row["trip_id"],
                        direction_id=row["direction_id"],
                        start_date=row["start_date"],
                        revenue=row["trip_revenue"] is not False,
                        vehicle_id=row["vehicle_id"],
                        stop_sequence=row["current_stop_sequence"],
                        stop_id=row["stop_id"],
                        stopped=row["current_status"] in ("STOPPED_AT", "1"),
                        timestamp=row["vehicle_timestamp"],
                    )
                )
    return kept


def compute(lake: str, route_id: str) -> RouteReference:
    """Events (rule 5) and travel, dwell, next departure and trunk headway (rule 9) of one route."""
    parents = parent_stations(lake)
    reference = RouteReference()
    for row in vp_rows(lake, route_id):
        station = parents.get(row.stop_id, row.stop_id)
        key = (service_date(row.start_date, row.timestamp), row.trip_id, station)
        event = reference.events.setdefault(key, Event(route_id, row.trip_id, station))
        if row.stopped:
            event.stop = row.timestamp if event.stop is None else min(event.stop, row.timestamp)
        else:
            event.move = row.timestamp if event.move is None else min(event.move, row.timestamp)
        detail = (row.timestamp, row.feed_timestamp, row.stop_sequence, row.stop_id, row.vehicle_id)
        if event.detail is None or detail < event.detail:
            event.detail = detail
            event.revenue = row.revenue
            event.direction_id = row.direction_id

    trips: dict[tuple[int, str], list[Event]] = defaultdict(list)
    for (date, trip_id, _), event in reference.events.items():
        trips[(date, trip_id)].append(event)

    queues: dict[tuple[int, str, int], list[tuple[int, str, tuple[int, str, str]]]] = defaultdict(list)
    for (date, trip_id), events in trips.items():
        events.sort(key=lambda e: (e.sort_ts, e.stop_sequence, e.parent_station))
        attribute = max(
            events, key=lambda e: (e.stop_sequence, e.sort_ts, [-ord(c) for c in e.parent_station])
        )
        stop_count = len(events)
        first_sequence = min(e.stop_sequence for e in events)
        for event in events:
            metrics = reference.metrics.setdefault((date, trip_id, event.parent_station), Metrics())
            metrics.first_stop = event.stop_sequence == first_sequence
            if event.stop is not None and event.move is not None and event.stop - event.move > 0:
                metrics.travel = event.stop - event.move
        dwell_rows = [e for e in events if e.stop_sequence != first_sequence] if stop_count > 1 else []
        for current, following in itertools.pairwise(dwell_rows):
            if current.stop is not None and following.move is not None and following.move - current.stop > 0:
                reference.metrics[(date, trip_id, current.parent_station)].dwell = (
                    following.move - current.stop
                )
        if attribute.revenue and stop_count > 1:
            for current, following in itertools.pairwise(events):
                if following.move is not None:
                    key = (date, trip_id, current.parent_station)
                    reference.metrics[key].next_departure = following.move
                    queue = (date, current.parent_station, attribute.direction_id)
                    queues[queue].append((following.move, trip_id, key))
    for departures in queues.values():
        departures.sort(key=lambda item: (item[0], item[1].encode()))
        for (earlier, _, _), (later, _, later_key) in itertools.pairwise(departures):
            if later - earlier > 0:
                reference.metrics[later_key].headway_trunk = later - earlier
    return reference
