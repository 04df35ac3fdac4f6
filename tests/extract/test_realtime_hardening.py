"""Realtime decoding against a red team's inputs: garbage entity times, a BOM, foreign containers, NULs.

Every case runs through both decoders (the C accelerator and the pure-Python reference path) and, where
both give a DecodedFeed, checks that they give the same one.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import sqlite3
import tarfile
import zlib
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from google.transit import gtfs_realtime_pb2 as rt

from extract.detect import sniff
from extract.errors import RejectedInput
from extract.realtime import DecodedFeed, decode_realtime, wire

HEADER = 1683547200  # 2023-05-08T12:00:00Z
MS = 1683547200123  # the same instant in milliseconds: corrected, not nulled
WRAPPED = 2**64 - 5  # -5 written into a uint64
paths = pytest.mark.parametrize("use_accelerator", [True, False], ids=["accelerated", "reference"])


def _message() -> rt.FeedMessage:
    feed = rt.FeedMessage()
    feed.header.gtfs_realtime_version = "2.0"
    feed.header.timestamp = HEADER
    return feed


def _decode(data: bytes, use_accelerator: bool) -> DecodedFeed:
    decoded = decode_realtime(data, "sha", use_accelerator=use_accelerator)
    assert decoded == decode_realtime(data, "sha", use_accelerator=not use_accelerator)
    return decoded


def _json(entities: list[dict[str, Any]]) -> bytes:
    return orjson.dumps({"header": {"gtfs_realtime_version": "2.0", "timestamp": HEADER}, "entity": entities})


def _rejection(data: bytes, use_accelerator: bool) -> RejectedInput:
    with pytest.raises(RejectedInput) as error:
        decode_realtime(data, "sha", use_accelerator=use_accelerator)
    return error.value


# ---- 1. entity times outside 1990–2100 even after the millisecond correction land as NULL ----


@paths
def test_garbage_vehicle_timestamps_land_as_null_with_a_warning(use_accelerator: bool) -> None:
    feed = _message()
    for entity_id, value in (
        ("wrapped", WRAPPED),
        ("max", 2**63 - 1),
        ("ms", MS),
        ("zero", 0),
        ("ok", HEADER),
    ):
        feed.entity.add(id=entity_id).vehicle.timestamp = value
    feed.entity.add(id="unset").vehicle.vehicle.id = "y1"
    decoded = _decode(feed.SerializeToString(), use_accelerator)
    rows = decoded.tables["vehicle_positions"].to_pylist()
    assert [(r["entity_id"], r["vehicle_timestamp"], r["has_millisecond_timestamp"]) for r in rows] == [
        ("wrapped", None, False),  # not 18446744073 (year 2554)
        ("max", None, False),  # not 9223372036 (year 2262)
        ("ms", HEADER, True),  # the millisecond rule still corrects what /1000 makes plausible
        ("zero", 0, False),  # explicitly 0 stays 0, as before (dbt filters timestamp > 0)
        ("ok", HEADER, False),
        ("unset", None, False),
    ]
    assert decoded.warnings == [
        "1 entities or stop time updates had epoch values in milliseconds; they were divided by 1000 and "
        "their rows flagged has_millisecond_timestamp.",
        "2 vehicle_timestamp values were not times between 1990 and 2100 (even read as milliseconds); "
        "they landed as NULL.",
    ]


@paths
def test_garbage_trip_update_times_land_as_null_per_field(use_accelerator: bool) -> None:
    feed = _message()
    tu = feed.entity.add(id="t").trip_update
    tu.trip.trip_id = "trip"
    tu.timestamp = WRAPPED
    first = tu.stop_time_update.add(stop_id="a")
    first.arrival.time = -5  # int64 field: a wrapped value reads as negative
    first.departure.time = 2**63 - 1
    second = tu.stop_time_update.add(stop_id="b")
    second.arrival.time = 5_000_000_000  # year 2128: below the millisecond threshold, still garbage
    second.departure.time = MS
    decoded = _decode(feed.SerializeToString(), use_accelerator)
    rows = decoded.tables["trip_updates"].to_pylist()
    assert [
        (r["trip_update_timestamp"], r["arrival_time"], r["departure_time"], r["has_millisecond_timestamp"])
        for r in rows
    ] == [(None, None, None, False), (None, None, HEADER, True)]
    assert decoded.warnings[1:] == [
        "2 arrival_time values were not times between 1990 and 2100 (even read as milliseconds); "
        "they landed as NULL.",
        "1 departure_time value was not a time between 1990 and 2100 (even read as milliseconds); "
        "it landed as NULL.",
        "1 trip_update_timestamp value was not a time between 1990 and 2100 (even read as milliseconds); "
        "it landed as NULL.",
    ]


@paths
def test_garbage_alert_periods_land_as_null(use_accelerator: bool) -> None:
    feed = _message()
    alert = feed.entity.add(id="alert").alert
    alert.active_period.add(start=HEADER, end=WRAPPED)
    alert.active_period.add(start=12, end=MS)  # 1970-01-01T00:00:12Z is no alert period either
    alert.header_text.translation.add(text="Delays")
    decoded = _decode(feed.SerializeToString(), use_accelerator)
    (row,) = decoded.tables["alerts"].to_pylist()
    assert row["active_period"] == [{"start": HEADER, "end": None}, {"start": None, "end": HEADER}]
    assert row["has_millisecond_timestamp"] is True
    assert "1 active_period.end value was not a time between 1990 and 2100" in decoded.warnings[1]
    assert "1 active_period.start value was not a time between 1990 and 2100" in decoded.warnings[2]


@paths
def test_garbage_enhanced_json_times_land_as_null(use_accelerator: bool) -> None:
    entities = [
        {"id": "v", "vehicle": {"timestamp": -5, "vehicle": {"id": "y1"}}},
        {"id": "w", "vehicle": {"timestamp": 18446744073, "vehicle": {"id": "y2"}}},
        {
            "id": "t",
            "trip_update": {
                "timestamp": HEADER,
                "trip": {"trip_id": "trip"},
                "stop_time_update": [{"stop_id": "a", "arrival": {"time": 9223372036854775807}}],
            },
        },
        {"id": "a", "alert": {"created_timestamp": 1, "reminder_times": [HEADER, -1]}},
    ]
    decoded = _decode(_json(entities), use_accelerator)
    vps = decoded.tables["vehicle_positions"].column("vehicle_timestamp").to_pylist()
    assert vps == [None, None]
    assert decoded.tables["trip_updates"].column("arrival_time").to_pylist() == [None]
    (alert,) = decoded.tables["alerts"].to_pylist()
    assert (alert["created_timestamp"], alert["reminder_times"]) == (None, [HEADER, None])
    assert [warning.split(" value")[0] for warning in decoded.warnings] == [
        "1 arrival_time",
        "1 created_timestamp",
        "1 reminder_times",
        "2 vehicle_timestamp",
    ]


def test_the_walker_declines_garbage_times_and_keeps_plausible_ones() -> None:
    """The C walker leaves implausible times to the reference path (which counts them for the warning)."""
    if not wire.AVAILABLE:
        pytest.skip("the C accelerator is not built")
    good, bad = _message(), _message()
    good.entity.add(id="ok").vehicle.timestamp = MS
    bad.entity.add(id="bad").vehicle.timestamp = WRAPPED
    assert wire.decode_protobuf(good.SerializeToString(), "sha") is not None
    assert wire.decode_protobuf(bad.SerializeToString(), "sha") is None
    assert wire.decode_json(_json([{"id": "v", "vehicle": {"timestamp": MS}}]), "sha") is not None
    assert wire.decode_json(_json([{"id": "v", "vehicle": {"timestamp": -5}}]), "sha") is None


# ---- 2. a UTF-8 byte order mark before JSON ----


@paths
@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzip"])
def test_json_after_a_utf8_bom_decodes(use_accelerator: bool, gzipped: bool) -> None:
    document = _json([{"id": "v", "vehicle": {"timestamp": HEADER, "vehicle": {"id": "y1"}}}])
    data = b"\xef\xbb\xbf" + document
    decoded = _decode(gzip.compress(data) if gzipped else data, use_accelerator)
    assert decoded.format == "enhanced_json"
    assert decoded.tables == decode_realtime(document, "sha", use_accelerator=use_accelerator).tables


# ---- 3. containers LAMP does not read are named, not a protobuf decode error ----


def _tar(compress: bool) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz" if compress else "w") as archive:
        info = tarfile.TarInfo("VehiclePositions.pb")
        payload = _message().SerializeToString()
        info.size = len(payload)
        archive.addfile(info, io.BytesIO(payload))
    return buffer.getvalue()


def _sqlite(tmp_path: Path) -> bytes:
    path = tmp_path / "feed.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("create table t (x)")
    connection.close()
    return path.read_bytes()


def _parquet() -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.table({"x": [1, 2]}), buffer)
    return buffer.getvalue()


_FEED = _message().SerializeToString()
CONTAINERS = {
    "bzip2": (lambda _: bz2.compress(_FEED), "a bzip2-compressed file; LAMP reads plain or gzip-compressed"),
    "xz": (lambda _: lzma.compress(_FEED), "an xz-compressed file; LAMP reads plain or gzip-compressed"),
    "zlib": (lambda _: zlib.compress(_FEED), "a zlib-compressed stream; LAMP reads plain or gzip-compressed"),
    # zstandard is not installed: a frame header by hand (magic, then descriptor bytes) is what is sniffed
    "zstd": (lambda _: b"\x28\xb5\x2f\xfd\x24\x10\x81\x00\x00" + _FEED, "a zstd-compressed file"),
    "gzip of bzip2": (lambda _: gzip.compress(bz2.compress(_FEED)), "a bzip2-compressed file inside gzip"),
    "tar": (lambda _: _tar(False), "a tar archive; LAMP reads GTFS-Realtime feeds"),
    "tar.gz": (lambda _: _tar(True), "a gzip-compressed tar archive (.tar.gz)"),
    "sqlite": (_sqlite, "an SQLite database"),
    "parquet": (lambda _: _parquet(), "a Parquet file"),
}


@paths
@pytest.mark.parametrize("container", sorted(CONTAINERS))
def test_foreign_containers_are_unsupported_container(
    container: str, use_accelerator: bool, tmp_path: Path
) -> None:
    make, message = CONTAINERS[container]
    rejected = _rejection(make(tmp_path), use_accelerator)
    assert rejected.reason_code == "unsupported_container"
    assert message in rejected.message


def test_feeds_that_start_like_a_container_are_still_feeds() -> None:
    # A protobuf feed starts with 0x0a (the header); bytes that only resemble a magic are not claimed.
    assert sniff(_FEED).kind == "protobuf"
    assert sniff(b"\x78\x9c" + _FEED).kind == "protobuf"  # a zlib header that does not inflate
    assert sniff(b"PAR1" + _FEED).kind == "protobuf"  # no closing PAR1: not a Parquet file
    assert sniff(b"\x00" * 257 + b"ustar" + b"\x00" * 250).kind == "protobuf"  # tar checksum fails


# ---- 4. NUL characters inside strings do not crash either decoder ----


@paths
def test_nul_characters_in_protobuf_strings_are_kept(use_accelerator: bool) -> None:
    feed = _message()
    vp = feed.entity.add(id="v\x001").vehicle
    vp.stop_id = "place-\x00alfcl"
    vp.timestamp = HEADER
    tu = feed.entity.add(id="t\x00").trip_update
    tu.trip.trip_id = "\x00"
    tu.stop_time_update.add(stop_id="70061\x00")
    decoded = _decode(feed.SerializeToString(), use_accelerator)
    (vp_row,) = decoded.tables["vehicle_positions"].to_pylist()
    assert (vp_row["entity_id"], vp_row["stop_id"]) == ("v\x001", "place-\x00alfcl")
    (tu_row,) = decoded.tables["trip_updates"].to_pylist()
    assert (tu_row["entity_id"], tu_row["trip_id"], tu_row["stop_id"]) == ("t\x00", "\x00", "70061\x00")


@paths
def test_nul_characters_in_json_strings_are_kept(use_accelerator: bool) -> None:
    entities = [
        {"id": "v\u00001", "vehicle": {"stop_id": "\u0000", "timestamp": HEADER}},
        {
            "id": "t",
            "trip_update": {"trip": {"trip_id": "a\u0000"}, "stop_time_update": [{"stop_id": "\u0000b"}]},
        },
    ]
    decoded = _decode(_json(entities), use_accelerator)
    (vp_row,) = decoded.tables["vehicle_positions"].to_pylist()
    assert (vp_row["entity_id"], vp_row["stop_id"]) == ("v\x001", "\x00")
    (tu_row,) = decoded.tables["trip_updates"].to_pylist()
    assert (tu_row["trip_id"], tu_row["stop_id"]) == ("a\x00", "\x00b")


@paths
def test_a_raw_nul_byte_in_json_text_is_invalid_json(use_accelerator: bool) -> None:
    # JSON forbids unescaped control characters: a literal NUL byte is a rejection, never a crash.
    data = _json([{"id": "vX", "vehicle": {"timestamp": HEADER}}]).replace(b"vX", b"v\x00")
    assert _rejection(data, use_accelerator).reason_code == "invalid_json"


# ---- a closed enum written twice: the last KNOWN value wins, as protobuf reads it ----


def _vehicle_with_statuses(*statuses: int) -> bytes:
    """A VehiclePositions feed whose one vehicle has current_status (field 4) written once per value."""
    feed = _message()
    entity = feed.entity.add(id="v1")
    entity.vehicle.vehicle.id = "v1"
    entity.vehicle.timestamp = HEADER
    vehicle = entity.vehicle.SerializeToString()
    vehicle += b"".join(b"\x20" + _varint(status) for status in statuses)
    entity_bytes = b"\x0a\x02v1" + b"\x22" + _varint(len(vehicle)) + vehicle  # id = 1, vehicle = 4
    header = feed.header.SerializeToString()
    return b"\x0a" + _varint(len(header)) + header + b"\x12" + _varint(len(entity_bytes)) + entity_bytes


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


@paths
@pytest.mark.parametrize(
    ("statuses", "landed"),
    [
        ((1, 1732128715), "STOPPED_AT"),  # an unknown number after a known value does not replace it
        ((1732128715, 2), "IN_TRANSIT_TO"),  # a known value after an unknown number does
        ((7, 9), "9"),  # among unknown numbers only, the last is kept as its text
        ((0, 2), "IN_TRANSIT_TO"),  # among known values, the last
    ],
)
def test_a_repeated_enum_keeps_the_last_known_value(
    use_accelerator: bool, statuses: tuple[int, ...], landed: str
) -> None:
    """Found by the mutation fuzzer: the walker kept the last number even when it was unknown."""
    if use_accelerator and wire.AVAILABLE:  # the walker itself reads it (no fallback to the reference)
        assert wire.decode_protobuf(_vehicle_with_statuses(*statuses), "sha") is not None
    decoded = _decode(_vehicle_with_statuses(*statuses), use_accelerator)
    assert decoded.tables["vehicle_positions"].column("current_status").to_pylist() == [landed]
