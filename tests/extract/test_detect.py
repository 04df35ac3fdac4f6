"""extract.detect: what bytes are, from the bytes alone (issue 2, "Inputs")."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import pytest

from extract.detect import gunzip, sniff
from extract.errors import RejectedInput


def _reason(data: bytes) -> str:
    with pytest.raises(RejectedInput) as caught:
        sniff(data)
    return caught.value.reason_code


def test_protobuf_and_json_are_told_apart_by_content_not_name(mbta_feeds: Path) -> None:
    pb = (mbta_feeds / "2024-11-20T18:52:05Z_https_cdn.mbta.com_realtime_VehiclePositions.pb").read_bytes()
    assert sniff(pb).kind == "protobuf"
    assert sniff(pb).compression is None
    gz = sniff(gzip.compress(pb))
    assert (gz.kind, gz.compression, gz.payload) == ("protobuf", "gzip", pb)
    enhanced = (mbta_feeds / "empty.json.gz").read_bytes()
    assert (sniff(enhanced).kind, sniff(enhanced).compression) == ("json", "gzip")
    assert sniff(gzip.decompress(enhanced)).kind == "json"


def test_zip_is_recognised_as_static_gtfs_candidate() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("routes.txt", "route_id\nRed\n")
    assert sniff(buffer.getvalue()).kind == "zip"
    assert sniff(gzip.compress(buffer.getvalue())).kind == "zip"


def test_multi_member_gzip_is_concatenated() -> None:
    assert gunzip(gzip.compress(b"ab") + gzip.compress(b"cd")) == b"abcd"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty_file"),
        (gzip.compress(b"", mtime=0), "empty_file"),
        (gzip.compress(b'{"header": {}}' * 50, mtime=0)[:-12], "truncated_gzip"),
        (gzip.compress(b"x" * 1000, mtime=0)[:15], "truncated_gzip"),
        (b"\x1f\x8b\x08\x00garbage-not-deflate-data", "corrupt_gzip"),
        (b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>", "html_error_page"),
        (b"\n  <html><head><title>Error</title></head></html>", "html_error_page"),
        (b'<?xml version="1.0"?><Error><Code>NoSuchKey</Code></Error>', "not_gtfs_realtime"),
        (b'header {\n  gtfs_realtime_version: "2.0"\n}\nentity {\n  id: "1"\n}\n', "text_format_protobuf"),
        (b'# a comment\nentity {\n id: "x"\n}', "text_format_protobuf"),
        (b"Service Unavailable", "not_gtfs_realtime"),
    ],
)
def test_bytes_that_cannot_be_a_feed_are_rejected(data: bytes, reason: str) -> None:
    assert _reason(data) == reason


def test_gzip_of_html_is_still_an_html_page() -> None:
    assert _reason(gzip.compress(b"<html><body>Not found</body></html>")) == "html_error_page"
