"""The explicit column types of the static GTFS files the warehouse reads.

Conventions (issue 2):
- ids, names, colours, dates ("20230508") and times ("25:10:00") are strings, so "0713" keeps its zero
  and a time past midnight is not mangled;
- enumerations, flags, sequences and counts are int64;
- coordinates and distances are float64;
- a column a file has but this module does not know is kept as a string.

Every known column is present in the landed table, NULL when the file lacks it (spec rule 1.4: missing
columns read as NULL), so tables of different feeds and agencies share one shape. Agency extension columns
that the MBTA documents (stops.vehicle_type, trips.trip_route_type, routes.line_id, ...) and its extension
files (directions.txt, route_patterns.txt) are listed here too.
"""

from __future__ import annotations

import pyarrow as pa

STRING = pa.string()
INTEGER = pa.int64()
FLOAT = pa.float64()
_TYPES = {"": STRING, "int": INTEGER, "float": FLOAT}


def _columns(spec: str) -> dict[str, pa.DataType]:
    """Column name → type from "name name:int name:float ..." (untagged names are strings), in order."""
    columns: dict[str, pa.DataType] = {}
    for item in spec.split():
        name, _, tag = item.partition(":")
        columns[name] = _TYPES[tag]
    return columns


# GTFS file name (without .txt) → its known columns, in the order the landed table has them.
KNOWN_COLUMNS: dict[str, dict[str, pa.DataType]] = {
    "agency": _columns(
        "agency_id agency_name agency_url agency_timezone agency_lang agency_phone agency_fare_url "
        "agency_email"
    ),
    "stops": _columns(
        "stop_id stop_code stop_name tts_stop_name stop_desc stop_lat:float stop_lon:float zone_id stop_url "
        "location_type:int parent_station stop_timezone wheelchair_boarding:int level_id platform_code "
        # MBTA extensions
        "platform_name stop_address municipality on_street at_street vehicle_type:int"
    ),
    "routes": _columns(
        "route_id agency_id route_short_name route_long_name route_desc route_type:int route_url route_color "
        "route_text_color route_sort_order:int continuous_pickup:int continuous_drop_off:int network_id "
        # MBTA extensions
        "route_fare_class line_id listed_route:int"
    ),
    "trips": _columns(
        "route_id service_id trip_id trip_headsign trip_short_name direction_id:int block_id shape_id "
        "wheelchair_accessible:int bikes_allowed:int "
        # MBTA extensions
        "trip_route_type:int route_pattern_id"
    ),
    "stop_times": _columns(
        "trip_id arrival_time departure_time stop_id location_group_id location_id stop_sequence:int "
        "stop_headsign start_pickup_drop_off_window end_pickup_drop_off_window pickup_type:int "
        "drop_off_type:int continuous_pickup:int continuous_drop_off:int shape_dist_traveled:float "
        "timepoint:int pickup_booking_rule_id drop_off_booking_rule_id "
        # MBTA extension
        "checkpoint_id"
    ),
    "calendar": _columns(
        "service_id monday:int tuesday:int wednesday:int thursday:int friday:int saturday:int sunday:int "
        "start_date end_date"
    ),
    "calendar_dates": _columns("service_id date exception_type:int holiday_name"),  # holiday_name: MBTA
    "feed_info": _columns(
        "feed_publisher_name feed_publisher_url feed_lang default_lang feed_start_date feed_end_date "
        "feed_version feed_contact_email feed_contact_url"
    ),
    "shapes": _columns(
        "shape_id shape_pt_lat:float shape_pt_lon:float shape_pt_sequence:int shape_dist_traveled:float"
    ),
    "frequencies": _columns("trip_id start_time end_time headway_secs:int exact_times:int"),
    "transfers": _columns(
        "from_stop_id to_stop_id from_route_id to_route_id from_trip_id to_trip_id transfer_type:int "
        "min_transfer_time:int"
    ),
    "levels": _columns("level_id level_index:float level_name"),
    "pathways": _columns(
        "pathway_id from_stop_id to_stop_id pathway_mode:int is_bidirectional:int length:float "
        "traversal_time:int stair_count:int max_slope:float min_width:float signposted_as "
        "reversed_signposted_as"
    ),
    # Agency extension files (MBTA; Caltrain publishes directions.txt too).
    "directions": _columns("route_id direction_id:int direction direction_destination"),
    "route_patterns": _columns(
        "route_pattern_id route_id direction_id:int route_pattern_name route_pattern_time_desc "
        "route_pattern_typicality:int route_pattern_sort_order:int representative_trip_id "
        "canonical_route_pattern:int"
    ),
}

# Other file names of the GTFS reference: recognised as GTFS (detection) and landed with string columns.
OTHER_GTFS_FILES = frozenset(
    {
        "fare_attributes",
        "fare_rules",
        "fare_media",
        "fare_products",
        "fare_leg_rules",
        "fare_transfer_rules",
        "timeframes",
        "rider_categories",
        "areas",
        "stop_areas",
        "networks",
        "route_networks",
        "location_groups",
        "location_group_stops",
        "booking_rules",
        "translations",
        "attributions",
    }
)

GTFS_FILE_NAMES = frozenset(KNOWN_COLUMNS) | OTHER_GTFS_FILES

# Files the warehouse reads for every feed; an absent one is named in StaticFeed.missing_files (rule 3.4).
# routes.txt is not listed: without it the feed is rejected. calendar.txt and calendar_dates.txt are
# each optional as long as the other is present (GTFS reference), so they are checked as a pair.
EXPECTED_FILES = ("agency", "stops", "trips", "stop_times")
CALENDAR_FILES = ("calendar", "calendar_dates")

# Columns the lake and the warehouse add to every static table: the partition column ``feed_key`` and
# ``lake_batch_id`` (extract/warehouse/raw_tables.py). A file column of the same name would break every load
# of its table ("Duplicate column name") or, for feed_key, pass itself off as the version; so such a column
# lands renamed with RESERVED_PREFIX.
RESERVED_COLUMNS = frozenset({"feed_key", "lake_batch_id"})
RESERVED_PREFIX = "extra_"

# Columns the GTFS reference requires and the warehouse models need, per file: a file without one lands
# (its rows still count) with a warning naming the column. routes.txt without route_id is useless (nothing
# can join to its rows) and is rejected instead: see REJECT_WITHOUT.
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "agency": ("agency_timezone",),
    "routes": ("route_id", "route_type"),
    "stops": ("stop_id",),
    "trips": ("route_id", "service_id", "trip_id"),
    "stop_times": ("trip_id", "stop_id", "stop_sequence"),
    "calendar": ("service_id", *_WEEKDAYS, "start_date", "end_date"),
    "calendar_dates": ("service_id", "date", "exception_type"),
}
REJECT_WITHOUT: dict[str, tuple[str, ...]] = {"routes": ("route_id",)}
