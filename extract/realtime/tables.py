"""``RawFeed`` → the lake's Arrow tables, each exactly conforming to its schema in extract/schemas.py."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from extract.errors import RejectedInput
from extract.realtime.raw import VP_CARRIAGE_COLUMNS, RawFeed, RawTable
from extract.schemas import ALERTS, CARRIAGE, TRIP_UPDATES, VEHICLE_POSITIONS


def build_tables(raw: RawFeed, source_file_id: str) -> dict[str, pa.Table]:
    """The tables that have rows; a value that does not fit its column type rejects the feed."""
    tables: dict[str, pa.Table] = {}
    try:
        if len(raw.vehicle_positions):
            tables["vehicle_positions"] = _vehicle_positions_table(raw, source_file_id)
        if len(raw.trip_update_trips):
            tables["trip_updates"] = _trip_updates_table(raw, source_file_id)
        if len(raw.alerts):
            tables["alerts"] = _flat_table(ALERTS, raw.alerts, raw, source_file_id)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as exc:
        raise RejectedInput(
            "invalid_field_value", f"A feed value does not fit its column type ({exc})."
        ) from exc
    return tables


def _feed_level_columns(raw: RawFeed, source_file_id: str, rows: int, ms_rows: pa.Array) -> dict[str, Any]:
    return {
        "source_file_id": pa.array([source_file_id] * rows, pa.string()),
        "feed_timestamp": pa.array([raw.header_timestamp] * rows, pa.int64()),
        "has_millisecond_timestamp": ms_rows,
    }


def _millisecond_flags(rows: int, flagged: list[int], everything: bool) -> pa.Array:
    if everything:
        return pa.array([True] * rows, pa.bool_())
    flags = [False] * rows
    for row in flagged:
        flags[row] = True
    return pa.array(flags, pa.bool_())


def _array(values: list[Any], type_: pa.DataType) -> pa.Array:
    """``pa.array``, with the cheap path for the many columns a feed never fills (all NULL)."""
    if values.count(None) == len(values):
        return pa.nulls(len(values), type_)
    return pa.array(values, type_)


def _flat_table(schema: pa.Schema, table: RawTable, raw: RawFeed, source_file_id: str) -> pa.Table:
    rows = len(table)
    flags = _millisecond_flags(rows, table.millisecond_rows, raw.header_in_milliseconds)
    computed = _feed_level_columns(raw, source_file_id, rows, flags)
    arrays = [
        computed[field.name] if field.name in computed else _array(table.columns[field.name], field.type)
        for field in schema
    ]
    return pa.Table.from_arrays(arrays, schema=schema)


def _trip_updates_table(raw: RawFeed, source_file_id: str) -> pa.Table:
    trips, stops = raw.trip_update_trips, raw.trip_update_stops
    trip_row = pa.array(stops.columns["trip_row"], pa.int32())
    rows = len(stops)
    # A stop row is flagged when it or its trip row held a millisecond value.
    trip_flags = _millisecond_flags(len(trips), trips.millisecond_rows, raw.header_in_milliseconds)
    stop_flags = _millisecond_flags(rows, stops.millisecond_rows, raw.header_in_milliseconds)
    flags = pc.or_(trip_flags.take(trip_row), stop_flags)
    computed = _feed_level_columns(raw, source_file_id, rows, flags)
    # The trip fields, one row per trip update, repeated for each of its stop rows in one take.
    trip_fields = [field for field in TRIP_UPDATES if field.name in trips.columns]
    trip_level = pa.Table.from_arrays(
        [_array(trips.columns[field.name], field.type) for field in trip_fields],
        schema=pa.schema(trip_fields),
    ).take(trip_row)
    arrays = []
    for field in TRIP_UPDATES:
        if field.name in computed:
            arrays.append(computed[field.name])
        elif field.name in trips.columns:
            arrays.append(trip_level.column(field.name))
        else:
            arrays.append(_array(stops.columns[field.name], field.type))
    return pa.Table.from_arrays(arrays, schema=TRIP_UPDATES)


def _list_offsets(counts: list[int | None]) -> tuple[pa.Array, pa.Array | None]:
    """List offsets from per-row counts (None = a NULL list), and the null mask if any."""
    offsets = [0]
    total = 0
    for count in counts:
        if count:
            total += count
        offsets.append(total)
    has_nulls = None in counts
    mask = pa.array([count is None for count in counts], pa.bool_()) if has_nulls else None
    return pa.array(offsets, pa.int32()), mask


def _list_array(offsets: pa.Array, mask: pa.Array | None, values: pa.Array) -> pa.Array:
    return pa.ListArray.from_arrays(offsets, values, mask=mask)


def _vehicle_positions_table(raw: RawFeed, source_file_id: str) -> pa.Table:
    vp = raw.vehicle_positions
    rows = len(vp)
    flags = _millisecond_flags(rows, vp.millisecond_rows, raw.header_in_milliseconds)
    computed = _feed_level_columns(raw, source_file_id, rows, flags)
    consist_offsets, consist_mask = _list_offsets(vp.columns["consist_count"])
    consist_labels = pa.array(raw.vp_consists.columns["consist_label"], pa.string())
    computed["vehicle_consist_labels"] = _list_array(consist_offsets, consist_mask, consist_labels)
    carriage_offsets, carriage_mask = _list_offsets(vp.columns["carriage_count"])
    carriage_columns = raw.vp_carriages.columns
    children = [
        _array(carriage_columns[name], child.type)
        for name, child in zip(VP_CARRIAGE_COLUMNS, CARRIAGE, strict=True)
    ]
    carriage_structs = pa.StructArray.from_arrays(children, fields=list(CARRIAGE))
    computed["multi_carriage_details"] = _list_array(carriage_offsets, carriage_mask, carriage_structs)
    computed["multi_carriage_labels"] = _list_array(carriage_offsets, carriage_mask, children[1])
    arrays = [
        computed[field.name] if field.name in computed else _array(vp.columns[field.name], field.type)
        for field in VEHICLE_POSITIONS
    ]
    return pa.Table.from_arrays(arrays, schema=VEHICLE_POSITIONS)
