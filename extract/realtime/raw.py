"""The reference decoder's intermediate form: plain Python column lists, before Arrow.

``feed_dict.decode_feed_dict`` (the reference for both formats) fills a ``RawFeed``;
``tables.build_tables`` turns it into the lake's Arrow tables. The column lists are named after the
lake columns of extract/schemas.py. (The C accelerator builds the Arrow tables itself.)

TripUpdates are kept in two levels to avoid repeating the trip fields in Python: one row per trip
update (``TU_TRIP_COLUMNS``) and one row per stop time update (``TU_STOP_COLUMNS``) pointing at its trip
row through ``trip_row``; a trip update without stop time updates gets one stop row of NULLs with
``stop_time_update_index`` NULL. Arrow repeats the trip fields with one ``take``. VehiclePositions'
list columns (consist, multi_carriage_details) are kept as a per-row count plus flat value columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from extract.schemas import ALERTS

# Columns computed from the feed as a whole, not by the per-entity decoders.
FEED_LEVEL_COLUMNS = ("source_file_id", "feed_timestamp", "has_millisecond_timestamp")

_TRIP = (
    "trip_id",
    "route_id",
    "direction_id",
    "start_time",
    "start_date",
    "trip_schedule_relationship",
    "trip_route_pattern_id",
    "trip_tm_trip_id",
    "trip_revenue",
    "trip_last_trip",
)
_VEHICLE = ("vehicle_id", "vehicle_label", "vehicle_license_plate", "vehicle_wheelchair_accessible")

# VehiclePositions: scalar columns, then the list columns as counts (NULL = absent) + flat values.
VP_COLUMNS: tuple[str, ...] = (
    "entity_id",
    "entity_index",
    "is_deleted",
    *_TRIP,
    *_VEHICLE,
    "latitude",
    "longitude",
    "bearing",
    "odometer",
    "speed",
    "current_stop_sequence",
    "stop_id",
    "current_status",
    "vehicle_timestamp",
    "congestion_level",
    "occupancy_status",
    "occupancy_percentage",
    "consist_count",  # number of vehicle.consist entries, NULL when absent
    "carriage_count",  # number of multi_carriage_details, NULL when absent
)
VP_CONSIST_COLUMNS: tuple[str, ...] = ("consist_label",)
VP_CARRIAGE_COLUMNS: tuple[str, ...] = (
    "carriage_id",
    "carriage_label",
    "carriage_occupancy_status",
    "carriage_occupancy_percentage",
    "carriage_sequence",
)
TU_TRIP_COLUMNS: tuple[str, ...] = (
    "entity_id",
    "entity_index",
    "is_deleted",
    *_TRIP,
    *_VEHICLE,
    "trip_update_timestamp",
    "trip_update_delay",
)
TU_STOP_COLUMNS: tuple[str, ...] = (
    "trip_row",
    "stop_time_update_index",
    "stop_sequence",
    "stop_id",
    "arrival_time",
    "arrival_delay",
    "arrival_uncertainty",
    "departure_time",
    "departure_delay",
    "departure_uncertainty",
    "stop_schedule_relationship",
    "departure_occupancy_status",
    "boarding_status",
)
ALERT_COLUMNS: tuple[str, ...] = tuple(n for n in ALERTS.names if n not in FEED_LEVEL_COLUMNS)


def _empty(names: tuple[str, ...]) -> dict[str, list[Any]]:
    return {name: [] for name in names}


@dataclass
class RawTable:
    """Column lists plus the row numbers whose epoch values were corrected from milliseconds."""

    columns: dict[str, list[Any]]
    millisecond_rows: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(next(iter(self.columns.values())))


@dataclass
class RawFeed:
    gtfs_realtime_version: str | None
    incrementality: str | None
    header_timestamp: int | None
    header_in_milliseconds: bool
    entity_count: int
    entity_kinds: set[str]  # "vehicle_positions" / "trip_updates" / "alerts" among the entities
    vehicle_positions: RawTable = field(default_factory=lambda: RawTable(_empty(VP_COLUMNS)))
    vp_consists: RawTable = field(default_factory=lambda: RawTable(_empty(VP_CONSIST_COLUMNS)))
    vp_carriages: RawTable = field(default_factory=lambda: RawTable(_empty(VP_CARRIAGE_COLUMNS)))
    trip_update_trips: RawTable = field(default_factory=lambda: RawTable(_empty(TU_TRIP_COLUMNS)))
    trip_update_stops: RawTable = field(default_factory=lambda: RawTable(_empty(TU_STOP_COLUMNS)))
    alerts: RawTable = field(default_factory=lambda: RawTable(_empty(ALERT_COLUMNS)))
    # lake field ("vehicle_timestamp", "active_period.start"...) -> implausible epoch values landed as NULL
    nulled_epochs: dict[str, int] = field(default_factory=dict)
