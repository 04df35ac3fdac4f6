"""The lake's contract: one explicit pyarrow schema per realtime table.

Every downstream reader (the warehouse loader, dbt sources, other tools) relies on these names and
types, so a change here is a change of the lake format.

Conventions (issue 2):
- ids (trip_id, route_id, stop_id, vehicle ids and labels) are strings, never numbers: "0713" keeps its zero;
- epoch seconds are int64; protobuf uint32 fields are int64 (so no value can overflow), int32 stay int32;
- enums are stored as their names; an enum number the bindings do not know is stored as its decimal
  number as text (e.g. "7"), never silently replaced by the default;
- a field the feed does not set is NULL (presence-checked), never 0 or '';
- every row carries the snapshot's header timestamp (``feed_timestamp``), its ``entity_id`` and
  ``source_file_id`` (the sha256 of the input file's bytes, the key of the ledger).

Partitioning is not part of the file schema: files live under
``gtfs_rt/<table>/date=YYYY-MM-DD/hour=HH/<batch_id>.parquet`` (UTC date/hour of ``feed_timestamp``).
"""

from __future__ import annotations

import pyarrow as pa

# Columns every realtime row carries, in this order, first.
PROVENANCE_FIELDS: list[pa.Field] = [
    pa.field("source_file_id", pa.string(), nullable=False),  # sha256 hex of the input bytes
    pa.field("feed_timestamp", pa.int64()),  # FeedHeader.timestamp, epoch seconds
    pa.field("entity_id", pa.string()),
    pa.field("entity_index", pa.int32(), nullable=False),  # position of the entity in the feed
    pa.field("is_deleted", pa.bool_()),
    # True when some epoch field of the row (or the header) was clearly in milliseconds; such values
    # are divided by 1000 so the row never says "year 55,000", and the flag keeps it visible.
    pa.field("has_millisecond_timestamp", pa.bool_(), nullable=False),
]

# TripDescriptor + MBTA extensions, shared by VehiclePositions and TripUpdates rows.
TRIP_FIELDS: list[pa.Field] = [
    pa.field("trip_id", pa.string()),
    pa.field("route_id", pa.string()),
    pa.field("direction_id", pa.int64()),
    pa.field("start_time", pa.string()),
    pa.field("start_date", pa.string()),
    pa.field("trip_schedule_relationship", pa.string()),
    # MBTA enhanced-JSON extensions (NULL when absent, always NULL from standard protobuf)
    pa.field("trip_route_pattern_id", pa.string()),
    pa.field("trip_tm_trip_id", pa.string()),
    pa.field("trip_revenue", pa.bool_()),
    pa.field("trip_last_trip", pa.bool_()),
]

# VehicleDescriptor
VEHICLE_FIELDS: list[pa.Field] = [
    pa.field("vehicle_id", pa.string()),
    pa.field("vehicle_label", pa.string()),
    pa.field("vehicle_license_plate", pa.string()),
    pa.field("vehicle_wheelchair_accessible", pa.string()),
]

CARRIAGE = pa.struct(
    [
        pa.field("id", pa.string()),
        pa.field("label", pa.string()),
        pa.field("occupancy_status", pa.string()),
        pa.field("occupancy_percentage", pa.int32()),
        pa.field("carriage_sequence", pa.int64()),
    ]
)

# One row per VehiclePosition entity.
VEHICLE_POSITIONS = pa.schema(
    [
        *PROVENANCE_FIELDS,
        *TRIP_FIELDS,
        *VEHICLE_FIELDS,
        # MBTA extension: vehicle.consist[].label in feed order; NULL when consist is absent,
        # an empty list when present and empty. A label may be NULL.
        pa.field("vehicle_consist_labels", pa.list_(pa.string())),
        pa.field("latitude", pa.float64()),
        pa.field("longitude", pa.float64()),
        pa.field("bearing", pa.float64()),
        pa.field("odometer", pa.float64()),
        pa.field("speed", pa.float64()),
        pa.field("current_stop_sequence", pa.int64()),
        pa.field("stop_id", pa.string()),
        pa.field("current_status", pa.string()),
        pa.field("vehicle_timestamp", pa.int64()),
        pa.field("congestion_level", pa.string()),
        pa.field("occupancy_status", pa.string()),
        pa.field("occupancy_percentage", pa.int64()),
        pa.field("multi_carriage_details", pa.list_(CARRIAGE)),
        # multi_carriage_details[].label in feed order (NULL when absent): what rule 5.4 falls back to
        pa.field("multi_carriage_labels", pa.list_(pa.string())),
    ]
)

# One row per StopTimeUpdate (trip fields repeated), and one row with NULL stop fields for a
# TripUpdate that has no StopTimeUpdates (cancelled trips often have none).
TRIP_UPDATES = pa.schema(
    [
        *PROVENANCE_FIELDS,
        *TRIP_FIELDS,
        *VEHICLE_FIELDS,
        pa.field("trip_update_timestamp", pa.int64()),
        pa.field("trip_update_delay", pa.int32()),
        # position of the update in trip_update.stop_time_update; NULL on the no-update row
        pa.field("stop_time_update_index", pa.int32()),
        pa.field("stop_sequence", pa.int64()),
        pa.field("stop_id", pa.string()),
        pa.field("arrival_time", pa.int64()),
        pa.field("arrival_delay", pa.int32()),
        pa.field("arrival_uncertainty", pa.int32()),
        pa.field("departure_time", pa.int64()),
        pa.field("departure_delay", pa.int32()),
        pa.field("departure_uncertainty", pa.int32()),
        pa.field("stop_schedule_relationship", pa.string()),
        pa.field("departure_occupancy_status", pa.string()),
        # MBTA extension: stop_time_update.boarding_status
        pa.field("boarding_status", pa.string()),
    ]
)

TRANSLATION = pa.struct([pa.field("text", pa.string()), pa.field("language", pa.string())])
ACTIVE_PERIOD = pa.struct([pa.field("start", pa.int64()), pa.field("end", pa.int64())])
INFORMED_ENTITY = pa.struct(
    [
        pa.field("agency_id", pa.string()),
        pa.field("route_id", pa.string()),
        pa.field("route_type", pa.int32()),
        pa.field("direction_id", pa.int64()),
        pa.field("trip_id", pa.string()),
        pa.field("trip_route_id", pa.string()),
        pa.field("trip_direction_id", pa.int64()),
        pa.field("trip_start_date", pa.string()),
        pa.field("trip_start_time", pa.string()),
        pa.field("stop_id", pa.string()),
        # MBTA extensions: informed_entity.activities (e.g. BOARD, EXIT, RIDE) and facility_id
        pa.field("activities", pa.list_(pa.string())),
        pa.field("facility_id", pa.string()),
    ]
)

# One row per Alert entity; its periods and informed entities are nested lists (not exploded), so an
# alert is one row and its lists keep their feed order. The warehouse explodes them.
# TranslatedString fields are lists of (text, language). MBTA enhanced JSON writes cause_detail and
# effect_detail as plain strings: such a string lands as one translation with a NULL language, so the
# protobuf (TranslatedString) and JSON (string) forms share one column type.
ALERTS = pa.schema(
    [
        *PROVENANCE_FIELDS,
        pa.field("cause", pa.string()),
        pa.field("effect", pa.string()),
        pa.field("severity_level", pa.string()),
        pa.field("cause_detail", pa.list_(TRANSLATION)),
        pa.field("effect_detail", pa.list_(TRANSLATION)),
        pa.field("url", pa.list_(TRANSLATION)),
        pa.field("header_text", pa.list_(TRANSLATION)),
        pa.field("description_text", pa.list_(TRANSLATION)),
        pa.field("tts_header_text", pa.list_(TRANSLATION)),
        pa.field("tts_description_text", pa.list_(TRANSLATION)),
        pa.field("image_alternative_text", pa.list_(TRANSLATION)),
        pa.field("active_period", pa.list_(ACTIVE_PERIOD)),
        pa.field("communication_period", pa.list_(ACTIVE_PERIOD)),
        pa.field("impact_period", pa.list_(ACTIVE_PERIOD)),
        pa.field("informed_entity", pa.list_(INFORMED_ENTITY)),
        # MBTA extensions present in enhanced JSON alerts (NULL when absent, always NULL from protobuf)
        pa.field("alert_lifecycle", pa.string()),
        pa.field("created_timestamp", pa.int64()),
        pa.field("last_modified_timestamp", pa.int64()),
        pa.field("last_push_notification_timestamp", pa.int64()),
        pa.field("closed_timestamp", pa.int64()),
        pa.field("duration_certainty", pa.string()),
        pa.field("severity", pa.int32()),
        pa.field("short_header_text", pa.list_(TRANSLATION)),
        pa.field("service_effect_text", pa.list_(TRANSLATION)),
        pa.field("timeframe_text", pa.list_(TRANSLATION)),
        pa.field("recurrence_text", pa.list_(TRANSLATION)),
        pa.field("reminder_times", pa.list_(pa.int64())),
    ]
)

REALTIME_TABLES: dict[str, pa.Schema] = {
    "vehicle_positions": VEHICLE_POSITIONS,
    "trip_updates": TRIP_UPDATES,
    "alerts": ALERTS,
}
