"""One Alert (enhanced-JSON-shaped dict) → one row of the alerts table (see schemas.ALERTS).

Translated strings land as lists of {text, language}. MBTA enhanced JSON writes ``cause_detail`` and
``effect_detail`` as plain strings where protobuf has TranslatedStrings: a plain string becomes one
translation with a NULL language. Periods and informed entities stay nested lists in feed order.
"""

from __future__ import annotations

from typing import Any

from extract.realtime import enums
from extract.realtime.timestamps import EARLIEST, LATEST, entity_seconds
from extract.realtime.values import as_enum, as_int, as_list, as_object, as_str

_EMPTY: dict[str, Any] = {}
Translation = dict[str, str | None]


class _Epochs:
    """Converts epoch values, remembers whether any was in milliseconds, counts those nulled (by field)."""

    def __init__(self, nulled: dict[str, int]) -> None:
        self.corrected = False
        self.nulled = nulled

    def __call__(self, value: Any, field: str) -> int | None:
        seconds = as_int(value)
        if seconds is None or EARLIEST <= seconds < LATEST:
            return seconds
        seconds, corrected = entity_seconds(seconds, field, self.nulled)
        self.corrected |= corrected
        return seconds


def translated(value: Any) -> list[Translation] | None:
    if value is None:
        return None
    if value.__class__ is str:
        return [{"text": value, "language": None}]
    obj = as_object(value) or _EMPTY
    return [
        {"text": as_str(t.get("text")), "language": as_str(t.get("language"))}
        for t in (as_object(item) or _EMPTY for item in as_list(obj.get("translation")))
    ]


def _periods(value: Any, epoch: _Epochs, field: str) -> list[dict[str, int | None]] | None:
    if value is None:
        return None
    return [
        {"start": epoch(p.get("start"), f"{field}.start"), "end": epoch(p.get("end"), f"{field}.end")}
        for p in (as_object(item) or _EMPTY for item in as_list(value))
    ]


def _informed_entity(raw: Any) -> dict[str, Any]:
    get = (as_object(raw) or _EMPTY).get
    trip = as_object(get("trip")) or _EMPTY
    activities = get("activities")
    return {
        "agency_id": as_str(get("agency_id")),
        "route_id": as_str(get("route_id")),
        "route_type": as_int(get("route_type")),
        "direction_id": as_int(get("direction_id")),
        "trip_id": as_str(trip.get("trip_id")),
        "trip_route_id": as_str(trip.get("route_id")),
        "trip_direction_id": as_int(trip.get("direction_id")),
        "trip_start_date": as_str(trip.get("start_date")),
        "trip_start_time": as_str(trip.get("start_time")),
        "stop_id": as_str(get("stop_id")),
        "activities": None if activities is None else [as_str(a) for a in as_list(activities)],
        "facility_id": as_str(get("facility_id")),
    }


def alert_row(
    alert: dict[str, Any], entity_id: str | None, index: int, deleted: bool | None, nulled: dict[str, int]
) -> tuple[tuple[Any, ...], bool]:
    """The row in raw.ALERT_COLUMNS order, and whether an epoch value was in milliseconds.

    Implausible epoch values land as NULL, counted by field in ``nulled`` (see ``timestamps``).
    """
    get = alert.get
    epoch = _Epochs(nulled)
    informed = get("informed_entity")
    reminders = get("reminder_times")
    row = (
        entity_id,
        index,
        deleted,
        as_enum(get("cause"), enums.CAUSE),
        as_enum(get("effect"), enums.EFFECT),
        as_enum(get("severity_level"), enums.SEVERITY_LEVEL),
        translated(get("cause_detail")),
        translated(get("effect_detail")),
        translated(get("url")),
        translated(get("header_text")),
        translated(get("description_text")),
        translated(get("tts_header_text")),
        translated(get("tts_description_text")),
        translated(get("image_alternative_text")),
        _periods(get("active_period"), epoch, "active_period"),
        _periods(get("communication_period"), epoch, "communication_period"),
        _periods(get("impact_period"), epoch, "impact_period"),
        None if informed is None else [_informed_entity(e) for e in as_list(informed)],
        as_str(get("alert_lifecycle")),
        epoch(get("created_timestamp"), "created_timestamp"),
        epoch(get("last_modified_timestamp"), "last_modified_timestamp"),
        epoch(get("last_push_notification_timestamp"), "last_push_notification_timestamp"),
        epoch(get("closed_timestamp"), "closed_timestamp"),
        as_str(get("duration_certainty")),
        as_int(get("severity")),
        translated(get("short_header_text")),
        translated(get("service_effect_text")),
        translated(get("timeframe_text")),
        translated(get("recurrence_text")),
        None if reminders is None else [epoch(r, "reminder_times") for r in as_list(reminders)],
    )
    return row, epoch.corrected
