"""Decode a GTFS-Realtime feed held as a dict in the enhanced-JSON shape into a ``RawFeed``.

This is the decoder of MBTA enhanced JSON and, through ``protobuf_reference.message_to_dict``, the
reference decoder of protobuf: one set of row rules for both formats, so the same snapshot lands the
same rows whatever its format. The dict uses proto field names (``stop_time_update``); the caller
checks that a header exists before calling (what a missing header means depends on the format).

Presence: a key that is absent or null is NULL. Written for speed: the common value type is tested
inline and only the rest goes through ``extract.realtime.values``.
"""

from __future__ import annotations

from typing import Any

from extract.realtime import enums
from extract.realtime.alerts import alert_row
from extract.realtime.raw import (
    ALERT_COLUMNS,
    TU_STOP_COLUMNS,
    TU_TRIP_COLUMNS,
    VP_CARRIAGE_COLUMNS,
    VP_COLUMNS,
    RawFeed,
    RawTable,
)
from extract.realtime.timestamps import EARLIEST, LATEST, MILLISECOND_THRESHOLD, entity_seconds, to_seconds
from extract.realtime.values import (
    as_bool,
    as_enum,
    as_float,
    as_int,
    as_list,
    as_object,
    as_str,
    invalid,
)

_EMPTY: dict[str, Any] = {}
_TRIP_SR = enums.TRIP_SCHEDULE_RELATIONSHIP
_STOP_SR = enums.STOP_SCHEDULE_RELATIONSHIP
_OCCUPANCY = enums.OCCUPANCY_STATUS


def _columns(names: tuple[str, ...], rows: list[tuple[Any, ...]]) -> dict[str, list[Any]]:
    if not rows:
        return {name: [] for name in names}
    return {name: list(values) for name, values in zip(names, zip(*rows, strict=True), strict=True)}


def decode_header(feed: dict[str, Any]) -> tuple[str | None, str | None, int | None, bool]:
    """(gtfs_realtime_version, incrementality, timestamp in seconds, timestamp was in milliseconds)."""
    header = as_object(feed.get("header"))
    if header is None:
        raise ValueError("decode_header needs a feed with a header")
    timestamp = as_int(header.get("timestamp"))
    in_milliseconds = timestamp is not None and timestamp >= MILLISECOND_THRESHOLD
    if in_milliseconds:
        timestamp = to_seconds(timestamp)  # type: ignore[arg-type]
    return (
        as_str(header.get("gtfs_realtime_version")),
        as_enum(header.get("incrementality"), enums.INCREMENTALITY),
        timestamp,
        in_milliseconds,
    )


def _stop_time_event(
    event: Any, field: str, nulled: dict[str, int]
) -> tuple[int | None, int | None, int | None, bool]:
    """A StopTimeEvent (arrival or departure): (time in seconds, delay, uncertainty, time was in ms).

    ``field``: the lake column of its time, for the count of implausible times landed as NULL.
    """
    if event is None:
        return None, None, None, False
    if event.__class__ is not dict:
        raise invalid("an object", event)
    time = event.get("time")
    in_milliseconds = False
    if time is not None:
        if time.__class__ is not int:
            time = as_int(time)
        if not EARLIEST <= time < LATEST:
            time, in_milliseconds = entity_seconds(time, field, nulled)
    delay = event.get("delay")
    if delay is not None and delay.__class__ is not int:
        delay = as_int(delay)
    uncertainty = event.get("uncertainty")
    if uncertainty is not None and uncertainty.__class__ is not int:
        uncertainty = as_int(uncertainty)
    return time, delay, uncertainty, in_milliseconds


def decode_feed_dict(feed: dict[str, Any]) -> RawFeed:
    version, incrementality, timestamp, header_ms = decode_header(feed)
    entities = as_list(feed.get("entity"))

    vp_rows: list[tuple[Any, ...]] = []
    vp_ms: list[int] = []
    consist_labels: list[str | None] = []
    carriages: list[tuple[Any, ...]] = []
    trip_rows: list[tuple[Any, ...]] = []
    trip_ms: list[int] = []
    stop_rows: list[tuple[Any, ...]] = []
    stop_ms: list[int] = []
    alert_rows: list[tuple[Any, ...]] = []
    alert_ms: list[int] = []
    kinds: set[str] = set()
    nulled: dict[str, int] = {}  # lake field -> implausible epoch values landed as NULL

    for index, entity in enumerate(entities):
        if entity.__class__ is not dict:
            raise invalid("an entity object", entity)
        entity_id = entity.get("id")
        if entity_id is not None and entity_id.__class__ is not str:
            entity_id = as_str(entity_id)
        deleted = entity.get("is_deleted")
        if deleted is not None and deleted.__class__ is not bool:
            deleted = as_bool(deleted)
        trip_update = entity.get("trip_update")
        if trip_update is not None:
            kinds.add("trip_updates")
            trip_update = as_object(trip_update) or _EMPTY
            if _trip_update(trip_update, entity_id, index, deleted, trip_rows, stop_rows, stop_ms, nulled):
                trip_ms.append(len(trip_rows) - 1)
        vehicle = entity.get("vehicle")
        if vehicle is not None:
            kinds.add("vehicle_positions")
            row, corrected = _vehicle_position(
                as_object(vehicle) or _EMPTY, entity_id, index, deleted, consist_labels, carriages, nulled
            )
            if corrected:
                vp_ms.append(len(vp_rows))
            vp_rows.append(row)
        alert = entity.get("alert")
        if alert is not None:
            kinds.add("alerts")
            row, corrected = alert_row(as_object(alert) or _EMPTY, entity_id, index, deleted, nulled)
            if corrected:
                alert_ms.append(len(alert_rows))
            alert_rows.append(row)

    return RawFeed(
        gtfs_realtime_version=version,
        incrementality=incrementality,
        header_timestamp=timestamp,
        header_in_milliseconds=header_ms,
        entity_count=len(entities),
        entity_kinds=kinds,
        vehicle_positions=RawTable(_columns(VP_COLUMNS, vp_rows), vp_ms),
        vp_consists=RawTable({"consist_label": consist_labels}),
        vp_carriages=RawTable(_columns(VP_CARRIAGE_COLUMNS, carriages)),
        trip_update_trips=RawTable(_columns(TU_TRIP_COLUMNS, trip_rows), trip_ms),
        trip_update_stops=RawTable(_columns(TU_STOP_COLUMNS, stop_rows), stop_ms),
        alerts=RawTable(_columns(ALERT_COLUMNS, alert_rows), alert_ms),
        nulled_epochs=nulled,
    )


def _trip(trip: dict[str, Any]) -> tuple[Any, ...]:
    """TripDescriptor + MBTA extensions, in the order of schemas.TRIP_FIELDS."""
    get = trip.get
    return (
        as_str(get("trip_id")),
        as_str(get("route_id")),
        as_int(get("direction_id")),
        as_str(get("start_time")),
        as_str(get("start_date")),
        as_enum(get("schedule_relationship"), _TRIP_SR),
        as_str(get("route_pattern_id")),
        as_str(get("tm_trip_id")),
        as_bool(get("revenue")),
        as_bool(get("last_trip")),
    )


def _vehicle_descriptor(vehicle: dict[str, Any]) -> tuple[Any, ...]:
    get = vehicle.get
    return (
        as_str(get("id")),
        as_str(get("label")),
        as_str(get("license_plate")),
        as_enum(get("wheelchair_accessible"), enums.WHEELCHAIR_ACCESSIBLE),
    )


def _epoch(value: Any, field: str, nulled: dict[str, int]) -> tuple[int | None, bool]:
    """An entity epoch value: (seconds or NULL, was in milliseconds); see ``timestamps``."""
    seconds = as_int(value)
    if seconds is None or EARLIEST <= seconds < LATEST:
        return seconds, False
    return entity_seconds(seconds, field, nulled)


def _vehicle_position(
    vp: dict[str, Any],
    entity_id: str | None,
    index: int,
    deleted: bool | None,
    consist_labels: list[str | None],
    carriages: list[tuple[Any, ...]],
    nulled: dict[str, int],
) -> tuple[tuple[Any, ...], bool]:
    get = vp.get
    vehicle = as_object(get("vehicle")) or _EMPTY
    position = as_object(get("position")) or _EMPTY
    consist = vehicle.get("consist")
    consist_count = None
    if consist is not None:
        consist = as_list(consist)
        consist_count = len(consist)
        for car in consist:
            label = car.get("label") if car.__class__ is dict else (as_object(car) or _EMPTY).get("label")
            consist_labels.append(label if label is None or label.__class__ is str else as_str(label))
    details = get("multi_carriage_details")
    carriage_count = None
    if details is not None:
        details = as_list(details)
        carriage_count = len(details)
        carriages.extend(_carriage(car) for car in details)
    timestamp, corrected = _epoch(get("timestamp"), "vehicle_timestamp", nulled)
    pget = position.get
    row = (
        entity_id,
        index,
        deleted,
        *_trip(as_object(get("trip")) or _EMPTY),
        *_vehicle_descriptor(vehicle),
        as_float(pget("latitude")),
        as_float(pget("longitude")),
        as_float(pget("bearing")),
        as_float(pget("odometer")),
        as_float(pget("speed")),
        as_int(get("current_stop_sequence")),
        as_str(get("stop_id")),
        as_enum(get("current_status"), enums.VEHICLE_STOP_STATUS),
        timestamp,
        as_enum(get("congestion_level"), enums.CONGESTION_LEVEL),
        as_enum(get("occupancy_status"), _OCCUPANCY),
        as_int(get("occupancy_percentage")),
        consist_count,
        carriage_count,
    )
    return row, corrected


def _carriage(raw: Any) -> tuple[Any, ...]:
    get = (as_object(raw) or _EMPTY).get
    return (
        as_str(get("id")),
        as_str(get("label")),
        as_enum(get("occupancy_status"), _OCCUPANCY),
        as_int(get("occupancy_percentage")),
        as_int(get("carriage_sequence")),
    )


def _trip_update(
    tu: dict[str, Any],
    entity_id: str | None,
    index: int,
    deleted: bool | None,
    trip_rows: list[tuple[Any, ...]],
    stop_rows: list[tuple[Any, ...]],
    stop_ms: list[int],
    nulled: dict[str, int],
) -> bool:
    """Append the trip row and its stop rows; True when the trip row had a millisecond timestamp."""
    get = tu.get
    timestamp, corrected = _epoch(get("timestamp"), "trip_update_timestamp", nulled)
    trip_row = len(trip_rows)
    trip_rows.append(
        (
            entity_id,
            index,
            deleted,
            *_trip(as_object(get("trip")) or _EMPTY),
            *_vehicle_descriptor(as_object(get("vehicle")) or _EMPTY),
            timestamp,
            as_int(get("delay")),
        )
    )
    updates = get("stop_time_update")
    if updates is None or updates == []:
        stop_rows.append((trip_row, *([None] * (len(TU_STOP_COLUMNS) - 1))))
        return corrected
    if updates.__class__ is not list:
        raise invalid("a list", updates)
    append = stop_rows.append
    for k, stu in enumerate(updates):
        if stu.__class__ is not dict:
            raise invalid("a stop time update object", stu)
        sget = stu.get
        seq = sget("stop_sequence")
        if seq is not None and seq.__class__ is not int:
            seq = as_int(seq)
        stop_id = sget("stop_id")
        if stop_id is not None and stop_id.__class__ is not str:
            stop_id = as_str(stop_id)
        a_time, a_delay, a_unc, a_ms = _stop_time_event(sget("arrival"), "arrival_time", nulled)
        d_time, d_delay, d_unc, d_ms = _stop_time_event(sget("departure"), "departure_time", nulled)
        stu_ms = a_ms or d_ms
        relationship = sget("schedule_relationship")
        if relationship is not None:
            relationship = as_enum(relationship, _STOP_SR)
        occupancy = sget("departure_occupancy_status")
        if occupancy is not None:
            occupancy = as_enum(occupancy, _OCCUPANCY)
        boarding = sget("boarding_status")
        if boarding is not None and boarding.__class__ is not str:
            boarding = as_str(boarding)
        if stu_ms:
            stop_ms.append(len(stop_rows))
        append(
            (
                trip_row,
                k,
                seq,
                stop_id,
                a_time,
                a_delay,
                a_unc,
                d_time,
                d_delay,
                d_unc,
                relationship,
                occupancy,
                boarding,
            )
        )
    return corrected
