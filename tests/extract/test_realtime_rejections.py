"""Every rejection reason of decode_realtime (issue 2, "Bad input gets a clear reason")."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from extract.errors import RejectedInput
from extract.realtime import decode_realtime

VP_PB = "2024-11-20T18:52:05Z_https_cdn.mbta.com_realtime_VehiclePositions.pb"


def _reason(data: bytes, *, use_accelerator: bool = True) -> RejectedInput:
    with pytest.raises(RejectedInput) as caught:
        decode_realtime(data, "id", use_accelerator=use_accelerator)
    return caught.value


@pytest.mark.parametrize("use_accelerator", [True, False])
def test_parking_garage_json_is_not_gtfs_realtime(mbta_feeds: Path, use_accelerator: bool) -> None:
    data = (
        mbta_feeds / "2022-02-01T09:55:23Z_https_mbta_integration.mybluemix.net_vehicleCount.gz"
    ).read_bytes()
    error = _reason(data, use_accelerator=use_accelerator)
    assert error.reason_code == "not_gtfs_realtime"
    assert "counts" in error.message  # says what it found instead
    assert str(error).startswith("not_gtfs_realtime: ")


def test_zero_bytes_and_truncated_gzip(mbta_feeds: Path) -> None:
    assert _reason(b"").reason_code == "empty_file"
    whole = mbta_feeds / "2022-01-01T00:00:03Z_https_cdn.mbta.com_realtime_VehiclePositions_enhanced.json.gz"
    assert _reason(whole.read_bytes()[:-100]).reason_code == "truncated_gzip"


def test_error_pages() -> None:
    assert _reason(b"<html><body>503 Service Unavailable</body></html>").reason_code == "html_error_page"
    assert _reason(b'{"error": "rate limited", "status": 429}').reason_code == "json_error_page"
    assert _reason(gzip.compress(b'{"errors": [{"code": "not_found"}]}')).reason_code == "json_error_page"


def test_text_format_protobuf(feed_builder: Any) -> None:
    feed = feed_builder.message()
    feed.entity.add(id="1").vehicle.vehicle.id = "v"
    assert _reason(str(feed).encode()).reason_code == "text_format_protobuf"


def test_protobuf_that_fails_to_decode(mbta_feeds: Path) -> None:
    data = (mbta_feeds / VP_PB).read_bytes()
    for use_accelerator in (True, False):
        assert _reason(data[:-7], use_accelerator=use_accelerator).reason_code == "protobuf_decode_error"
    # a length prefix pointing past the end
    assert _reason(b"\x0a\x05\x0a\x03").reason_code == "protobuf_decode_error"


def test_feed_without_header(feed_builder: Any) -> None:
    feed = feed_builder.message()
    feed.ClearField("header")
    feed.entity.add(id="1").vehicle.vehicle.id = "v"
    for use_accelerator in (True, False):
        error = _reason(feed.SerializePartialToString(), use_accelerator=use_accelerator)
        assert error.reason_code == "missing_header"
    assert _reason(feed_builder.json({"entity": [{"id": "1"}]})).reason_code == "missing_header"


def test_header_without_version_is_not_gtfs_realtime(feed_builder: Any) -> None:
    feed = feed_builder.message()
    feed.header.ClearField("gtfs_realtime_version")
    assert _reason(feed.SerializePartialToString()).reason_code == "not_gtfs_realtime"
    no_version = {"header": {"timestamp": 1}, "entity": []}
    assert _reason(feed_builder.json(no_version)).reason_code == "not_gtfs_realtime"


def test_random_bytes_that_parse_as_protobuf_are_not_a_feed(feed_builder: Any) -> None:
    # A valid protobuf message, but of something else: field 1 holds a string that is no header.
    data = feed_builder.field_bytes(1, feed_builder.field_bytes(1, b"hello world, not a version"))
    assert _reason(data).reason_code == "not_gtfs_realtime"
    assert _reason(feed_builder.field_varint(5, 150)).reason_code == "not_gtfs_realtime"


def test_static_gtfs_zip_is_not_realtime() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("routes.txt", "route_id\nRed\n")
    assert _reason(buffer.getvalue()).reason_code == "not_gtfs_realtime"


def test_invalid_json_and_wrong_value_types(feed_builder: Any) -> None:
    assert _reason(b'{"header": {"gtfs_realtime_version": "2.0"}, "entity": [').reason_code == "invalid_json"
    assert _reason(b"[1, 2, 3]").reason_code == "not_gtfs_realtime"
    bad = feed_builder.json_feed([{"id": "1", "vehicle": {"stop_id": {"nested": "object"}}}])
    for use_accelerator in (True, False):
        error = _reason(feed_builder.json(bad), use_accelerator=use_accelerator)
        assert error.reason_code == "invalid_field_value"
    too_big = feed_builder.json_feed([{"id": "1", "trip_update": {"delay": 2**40}}])
    assert _reason(feed_builder.json(too_big)).reason_code == "invalid_field_value"
