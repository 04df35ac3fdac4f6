"""``decode_realtime``: one input file's bytes → ``DecodedFeed`` (the contract in docs/architecture.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from extract.detect import UTF8_BOM, sniff
from extract.errors import RejectedInput
from extract.realtime import wire
from extract.realtime.enhanced_json import load_feed_json
from extract.realtime.feed_dict import decode_feed_dict
from extract.realtime.protobuf_reference import message_to_dict, parse_feed_message
from extract.realtime.raw import RawFeed
from extract.realtime.tables import build_tables
from extract.realtime.timestamps import nulled_warnings

# "2.0", "1.0", "2": what producers write; anything else in that field means the bytes only happen to
# parse (almost any bytes parse as *some* protobuf).
_VERSION = re.compile(r"^\d{1,3}(\.\d{1,3}){0,2}$")


@dataclass(frozen=True)
class DecodedFeed:
    format: str  # "protobuf" | "enhanced_json"
    compression: str | None  # "gzip" | None
    feed_kind: str  # "vehicle_positions" | "trip_updates" | "alerts" | "mixed" | "empty"
    header_timestamp: int | None  # epoch seconds (after millisecond correction)
    gtfs_realtime_version: str | None
    incrementality: str | None
    entity_count: int
    tables: dict[str, pa.Table]  # only the tables with rows, keys from schemas.REALTIME_TABLES
    warnings: list[str]


@dataclass(frozen=True)
class _Content:
    """What either decoder found, before the format-independent checks."""

    gtfs_realtime_version: str | None
    incrementality: str | None
    header_timestamp: int | None
    header_in_milliseconds: bool
    entity_count: int
    entity_kinds: set[str]
    corrected_rows: int
    tables: dict[str, pa.Table]
    nulled_epochs: dict[str, int]  # lake field -> implausible entity epoch values landed as NULL


def decode_realtime(data: bytes, source_file_id: str, *, use_accelerator: bool = True) -> DecodedFeed:
    """Decode GTFS-Realtime protobuf or MBTA enhanced JSON (either possibly gzipped).

    Raises ``RejectedInput`` for bytes that must be quarantined. ``use_accelerator=False`` forces the
    pure-Python reference path (the C walker is tested against it).
    """
    sniffed = sniff(data)
    if sniffed.kind == "zip":
        raise RejectedInput(
            "not_gtfs_realtime", "The file is a zip archive (static GTFS?), not a realtime feed."
        )
    if sniffed.kind == "json":
        content = _decode_json(sniffed.payload, source_file_id, use_accelerator)
        feed_format = "enhanced_json"
    else:
        content = _decode_protobuf(sniffed.payload, source_file_id, use_accelerator)
        feed_format = "protobuf"
    _check_version(content.gtfs_realtime_version)
    return DecodedFeed(
        format=feed_format,
        compression=sniffed.compression,
        feed_kind=_feed_kind(content.entity_kinds),
        header_timestamp=content.header_timestamp,
        gtfs_realtime_version=content.gtfs_realtime_version,
        incrementality=content.incrementality,
        entity_count=content.entity_count,
        tables=content.tables,
        warnings=_warnings(content.header_in_milliseconds, content.corrected_rows)
        + nulled_warnings(content.nulled_epochs),
    )


def _decode_json(payload: bytes, source_file_id: str, use_accelerator: bool) -> _Content:
    # The sniffer looks past a UTF-8 byte order mark (Windows tools write one), but orjson refuses it.
    if payload.startswith(UTF8_BOM):
        payload = payload[len(UTF8_BOM) :]
    if use_accelerator:
        walked = wire.decode_json(payload, source_file_id)
        if walked is not None:
            return _walked_content(*walked)
    return _from_raw(decode_feed_dict(_checked_header(load_feed_json(payload))), source_file_id)


def _decode_protobuf(payload: bytes, source_file_id: str, use_accelerator: bool) -> _Content:
    if use_accelerator:
        walked = wire.decode_protobuf(payload, source_file_id)
        if walked is not None:
            return _walked_content(*walked)
    # The reference path decides every case the walker declines, including all rejections.
    message = parse_feed_message(payload)
    if not message.HasField("header"):
        if any(entity.id for entity in message.entity):
            raise RejectedInput("missing_header", "The protobuf feed has entities but no header.")
        raise RejectedInput(
            "not_gtfs_realtime", "The bytes parse as protobuf but hold no GTFS-Realtime header or entity."
        )
    return _from_raw(decode_feed_dict(message_to_dict(message)), source_file_id)


def _walked_content(header: wire.WalkedHeader, feed: wire.WalkedFeed) -> _Content:
    return _Content(
        header.gtfs_realtime_version,
        header.incrementality,
        header.timestamp,
        header.in_milliseconds,
        header.entity_count,
        feed.entity_kinds,
        feed.corrected_rows,
        feed.tables,
        {},  # the walker declines any implausible entity time: the reference path nulls and counts them
    )


def _from_raw(raw: RawFeed, source_file_id: str) -> _Content:
    corrected = sum(
        len(table.millisecond_rows)
        for table in (raw.vehicle_positions, raw.trip_update_trips, raw.trip_update_stops, raw.alerts)
    )
    return _Content(
        raw.gtfs_realtime_version,
        raw.incrementality,
        raw.header_timestamp,
        raw.header_in_milliseconds,
        raw.entity_count,
        raw.entity_kinds,
        corrected,
        build_tables(raw, source_file_id),
        raw.nulled_epochs,
    )


def _checked_header(feed: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(feed.get("header"), dict):
        raise RejectedInput("not_gtfs_realtime", "The feed's header is not an object.")
    return feed


def _check_version(version: str | None) -> None:
    if version is None:
        raise RejectedInput("not_gtfs_realtime", "The feed header has no gtfs_realtime_version.")
    if not _VERSION.match(version):
        raise RejectedInput(
            "not_gtfs_realtime", f"The feed header's gtfs_realtime_version {version[:40]!r} is not a version."
        )


def _feed_kind(kinds: set[str]) -> str:
    if not kinds:
        return "empty"
    if len(kinds) > 1:
        return "mixed"
    return next(iter(kinds))


def _warnings(header_in_milliseconds: bool, corrected_rows: int) -> list[str]:
    warnings = []
    if header_in_milliseconds:
        warnings.append("The header timestamp was in milliseconds; it was divided by 1000.")
    if corrected_rows:
        warnings.append(
            f"{corrected_rows} entities or stop time updates had epoch values in milliseconds; "
            "they were divided by 1000 and their rows flagged has_millisecond_timestamp."
        )
    return warnings
