"""The warehouse's ``raw`` schema: which lake tables it holds, their columns and their SQL types.

A raw table is named after its lake table (``gtfs_rt/vehicle_positions`` → ``raw.gtfs_rt__vehicle_positions``)
and has the lake file's columns, the static partition column ``feed_key`` and ``lake_batch_id``. Every table
listed here exists after a load even when no feed carried it (a feed without directions.txt, or no feed yet),
with its standard columns, so the dbt models always compile (spec rule 3.4: a missing file reads as empty).
"""

from __future__ import annotations

import pyarrow as pa

from extract.schemas import REALTIME_TABLES
from extract.static_gtfs import FEED_VERSIONS_SCHEMA, FEED_VERSIONS_TABLE
from extract.static_gtfs.columns import KNOWN_COLUMNS

RAW_SCHEMA = "raw"
LOADED_BATCHES_TABLE = "_lamp_loaded_batches"
BATCH_COLUMN = "lake_batch_id"
FEED_KEY_COLUMN = "feed_key"

# The static files the dbt models read (plus the version table the extractor writes per feed).
STATIC_FILES = (
    "agency",
    "feed_info",
    "routes",
    "stops",
    "trips",
    "stop_times",
    "calendar",
    "calendar_dates",
    "directions",
    "route_patterns",
)

REALTIME_LAKE_TABLES = tuple(f"gtfs_rt/{name}" for name in REALTIME_TABLES)
STATIC_LAKE_TABLES = tuple(f"gtfs_static/{name}" for name in (*STATIC_FILES, FEED_VERSIONS_TABLE))
LAKE_TABLES = REALTIME_LAKE_TABLES + STATIC_LAKE_TABLES


def raw_table_name(lake_table: str) -> str:
    """``gtfs_rt/vehicle_positions`` → ``gtfs_rt__vehicle_positions``."""
    return lake_table.strip("/").replace("/", "__")


def is_static(lake_table: str) -> bool:
    return lake_table.startswith("gtfs_static/")


def standard_schema(lake_table: str) -> pa.Schema:
    """The columns a raw table always has, whatever the landed files held."""
    name = lake_table.split("/", 1)[1]
    if not is_static(lake_table):
        fields = list(REALTIME_TABLES[name])
    elif name == FEED_VERSIONS_TABLE:
        fields = list(FEED_VERSIONS_SCHEMA)
    else:
        fields = [pa.field(FEED_KEY_COLUMN, pa.string())]
        fields += [pa.field(column, data_type) for column, data_type in KNOWN_COLUMNS[name].items()]
    return with_batch_column(pa.schema(fields))


def with_batch_column(schema: pa.Schema) -> pa.Schema:
    if BATCH_COLUMN in schema.names:
        return schema
    return schema.append(pa.field(BATCH_COLUMN, pa.string()))


def quote(identifier: str) -> str:
    """A double-quoted SQL identifier (both DuckDB and Postgres)."""
    return '"' + identifier.replace('"', '""') + '"'


def is_nested(data_type: pa.DataType) -> bool:
    """Struct, map, or a list of those: JSON on Postgres, native on DuckDB."""
    if pa.types.is_struct(data_type) or pa.types.is_map(data_type):
        return True
    if pa.types.is_list(data_type) or pa.types.is_large_list(data_type):
        return is_nested(data_type.value_type)
    return False


def is_flat_list(data_type: pa.DataType) -> bool:
    """A list of scalars: an array column (text[] / VARCHAR[])."""
    is_list = pa.types.is_list(data_type) or pa.types.is_large_list(data_type)
    return is_list and not is_nested(data_type.value_type)


def _scalar_type(data_type: pa.DataType, postgres: bool) -> str:
    if pa.types.is_int64(data_type) or pa.types.is_uint32(data_type):
        return "bigint"
    if pa.types.is_int32(data_type) or pa.types.is_uint16(data_type):
        return "integer"
    if pa.types.is_int16(data_type) or pa.types.is_int8(data_type) or pa.types.is_uint8(data_type):
        return "smallint"
    if pa.types.is_boolean(data_type):
        return "boolean"
    if pa.types.is_float64(data_type):
        return "double precision" if postgres else "double"
    if pa.types.is_float32(data_type):
        return "real"
    if pa.types.is_date(data_type):
        return "date"
    if pa.types.is_timestamp(data_type):
        return "timestamp with time zone" if data_type.tz else "timestamp"
    # strings, and anything unusual (uint64, decimals...) as its text form
    return "text" if postgres else "varchar"


def postgres_type(data_type: pa.DataType) -> str:
    """The Postgres column type of an arrow type: list<string> → text[], nested → jsonb."""
    if is_nested(data_type):
        return "jsonb"
    if is_flat_list(data_type):
        return f"{_scalar_type(data_type.value_type, postgres=True)}[]"
    return _scalar_type(data_type, postgres=True)


def duckdb_type(data_type: pa.DataType) -> str:
    """The DuckDB column type of an arrow type: lists and structs stay native."""
    if pa.types.is_list(data_type) or pa.types.is_large_list(data_type):
        return f"{duckdb_type(data_type.value_type)}[]"
    if pa.types.is_struct(data_type):
        members = ", ".join(f"{quote(child.name)} {duckdb_type(child.type)}" for child in data_type)
        return f"struct({members})"
    if pa.types.is_map(data_type):
        return f"map({duckdb_type(data_type.key_type)}, {duckdb_type(data_type.item_type)})"
    return _scalar_type(data_type, postgres=False)
