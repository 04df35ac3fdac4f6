"""Enum names of GTFS-Realtime, taken from the protobuf bindings (the single source of truth).

Enums land as their names. A number the bindings do not know is kept as its decimal text ("7"), and a
name the bindings do not know (an agency's own value in enhanced JSON) is kept as written: neither is
ever replaced by the enum's default.
"""

from __future__ import annotations

from google.protobuf.descriptor import EnumDescriptor
from google.transit import gtfs_realtime_pb2 as rt


def _names(enum: EnumDescriptor) -> dict[int, str]:
    return {value.number: value.name for value in enum.values}


INCREMENTALITY = _names(rt.FeedHeader.Incrementality.DESCRIPTOR)
TRIP_SCHEDULE_RELATIONSHIP = _names(rt.TripDescriptor.ScheduleRelationship.DESCRIPTOR)
STOP_SCHEDULE_RELATIONSHIP = _names(rt.TripUpdate.StopTimeUpdate.ScheduleRelationship.DESCRIPTOR)
VEHICLE_STOP_STATUS = _names(rt.VehiclePosition.VehicleStopStatus.DESCRIPTOR)
CONGESTION_LEVEL = _names(rt.VehiclePosition.CongestionLevel.DESCRIPTOR)
OCCUPANCY_STATUS = _names(rt.VehiclePosition.OccupancyStatus.DESCRIPTOR)
WHEELCHAIR_ACCESSIBLE = _names(rt.VehicleDescriptor.WheelchairAccessible.DESCRIPTOR)
CAUSE = _names(rt.Alert.Cause.DESCRIPTOR)
EFFECT = _names(rt.Alert.Effect.DESCRIPTOR)
SEVERITY_LEVEL = _names(rt.Alert.SeverityLevel.DESCRIPTOR)


def enum_text(names: dict[int, str], number: int) -> str:
    """The name of ``number``, or its decimal text when the bindings do not know it."""
    name = names.get(number)
    return name if name is not None else str(number)
