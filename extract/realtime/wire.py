"""The optional C accelerator (``extract.realtime._wire``, built from _wire.c by setup.py).

It walks protobuf bytes, or enhanced-JSON text, straight into the lake's
VehiclePositions and TripUpdates tables (Arrow C data interface). ``decode_protobuf`` and
``decode_json`` return None when the extension is not built or the walker declines the input
(anything unusual: malformed wire data, a missing header, alerts, repeated singular sub-messages,
unexpected JSON value types...). On None the pure-Python reference path decides, so both paths
always give the same result; the tests hold them to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from extract.realtime import enums
from extract.schemas import CARRIAGE, TRIP_UPDATES, VEHICLE_POSITIONS

_wire: Any
try:
    from extract.realtime import _wire  # type: ignore[attr-defined,no-redef]
except ImportError:  # not built: the pure-Python reference path does all the work
    _wire = None

AVAILABLE = _wire is not None
_KINDS = {1: "trip_updates", 2: "vehicle_positions"}
_TYPE_KINDS = {
    pa.string(): "string",
    pa.int64(): "int64",
    pa.int32(): "int32",
    pa.float64(): "float64",
    pa.bool_(): "bool",
}


def _kind(type_: pa.DataType) -> str:
    if pa.types.is_list(type_):
        return "list"
    return _TYPE_KINDS[type_]


def _check_layout() -> None:
    """The walker fills columns by position: its column kinds must be the schemas' types."""
    expected = tuple(
        [_kind(field.type) for field in schema] for schema in (VEHICLE_POSITIONS, TRIP_UPDATES, CARRIAGE)
    )
    if tuple(_wire.layout()) != expected:
        raise RuntimeError("extract/realtime/_wire.c no longer matches extract/schemas.py: rebuild or fix it")


if _wire is not None:
    _check_layout()
    # Same order as the E_ constants in _wire.c.
    _wire.configure(
        (
            enums.INCREMENTALITY,
            enums.TRIP_SCHEDULE_RELATIONSHIP,
            enums.STOP_SCHEDULE_RELATIONSHIP,
            enums.VEHICLE_STOP_STATUS,
            enums.CONGESTION_LEVEL,
            enums.OCCUPANCY_STATUS,
            enums.WHEELCHAIR_ACCESSIBLE,
        )
    )


@dataclass(frozen=True)
class WalkedFeed:
    entity_kinds: set[str]
    corrected_rows: int  # entities / stop time updates whose own epoch values were in milliseconds
    tables: dict[str, pa.Table]


@dataclass(frozen=True)
class WalkedHeader:
    gtfs_realtime_version: str
    incrementality: str | None
    timestamp: int | None
    in_milliseconds: bool
    entity_count: int


def decode_protobuf(payload: bytes, source_file_id: str) -> tuple[WalkedHeader, WalkedFeed] | None:
    if _wire is None:
        return None
    return _header_and_feed(_wire.decode_protobuf(payload, source_file_id))


def _header_and_feed(result: tuple[Any, ...] | None) -> tuple[WalkedHeader, WalkedFeed] | None:
    if result is None:
        return None
    version, incrementality, timestamp, in_milliseconds, entity_count, tables = result
    header = WalkedHeader(version, incrementality, timestamp, bool(in_milliseconds), entity_count)
    return header, _walked(tables)


def decode_json(text: bytes, source_file_id: str) -> tuple[WalkedHeader, WalkedFeed] | None:
    """``text``: the (decompressed) enhanced-JSON bytes."""
    if _wire is None:
        return None
    return _header_and_feed(_wire.decode_json(text, source_file_id))


def _walked(result: tuple[Any, ...]) -> WalkedFeed:
    kinds, corrected, vp, tu = result
    tables = {}
    for name, exported, schema in (
        ("vehicle_positions", vp, VEHICLE_POSITIONS),
        ("trip_updates", tu, TRIP_UPDATES),
    ):
        if exported is not None:
            capsule, address = exported  # the capsule owns the C array until pyarrow has moved it
            batch = pa.RecordBatch._import_from_c(address, schema)
            del capsule
            tables[name] = pa.Table.from_batches([batch], schema=schema)
    return WalkedFeed({name for bit, name in _KINDS.items() if kinds & bit}, corrected, tables)
