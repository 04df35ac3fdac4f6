"""Regression tests for the fixes that followed the red team's findings (issue 2: bad input gets a clear
reason, the run goes on, nothing lands twice, peak memory stays under 1 GB)."""

from __future__ import annotations

import gzip
import io
import os
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from adversarial_helpers import HEADER_TIME, Inbox, vehicle_feed
from click.testing import CliRunner

import extract.pipeline as pipeline
from extract.cli import main
from extract.detect import gunzip, sniff
from extract.errors import RejectedInput
from extract.ledger import read_ledger
from extract.quarantine import _safe_name, printable_name
from extract.static_gtfs.version import identify_version

GOOD_ROWS = 4


def _routes_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("routes.txt", "route_id,route_long_name,route_type\nRed,Red Line,1\n")
    return buffer.getvalue()


# --- gzip cap ---------------------------------------------------------------------------------------


def test_gunzip_accepts_a_stream_exactly_at_the_cap_and_refuses_one_byte_more() -> None:
    payload = b"x" * 1000
    assert gunzip(gzip.compress(payload), max_bytes=1000) == payload
    with pytest.raises(RejectedInput) as rejection:
        gunzip(gzip.compress(payload + b"x"), max_bytes=1000)
    assert rejection.value.reason_code == "decompressed_too_large"


def test_the_cap_counts_every_member_of_a_multi_member_stream() -> None:
    members = gzip.compress(b"a" * 600) + gzip.compress(b"b" * 600)
    assert gunzip(members, max_bytes=1200) == b"a" * 600 + b"b" * 600
    with pytest.raises(RejectedInput) as rejection:
        gunzip(members, max_bytes=1199)
    assert rejection.value.reason_code == "decompressed_too_large"


# --- what the bytes are -----------------------------------------------------------------------------


def test_an_error_page_that_starts_with_text_is_an_html_error_page() -> None:
    with pytest.raises(RejectedInput) as rejection:
        sniff(b"Error 503 Service Unavailable\n<html><body>try later</body></html>")
    assert rejection.value.reason_code == "html_error_page"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_text_is_reported_as_text_not_as_a_protobuf_error(encoding: str) -> None:
    with pytest.raises(RejectedInput) as rejection:
        sniff("this is a plain text message, not a feed".encode(encoding))
    assert rejection.value.reason_code == "not_gtfs_realtime"
    assert "UTF-16" in rejection.value.message


def test_a_gzipped_static_zip_lands_as_a_static_feed(inbox: Inbox) -> None:
    (inbox.path / "m_feed.zip.gz").write_bytes(gzip.compress(_routes_zip()))
    report = inbox.run()
    assert report.landed == 3 and len(report.static_feed_keys) == 1
    static = [row for row in read_ledger(str(inbox.lake)).to_pylist() if row["feed_kind"] == "static"]
    assert [(row["format"], row["compression"]) for row in static] == [("static_gtfs_zip", "gzip")]


# --- timestamps -------------------------------------------------------------------------------------


def test_a_header_timestamp_of_2_pow_64_minus_1_is_rejected_not_filed_in_year_2554(inbox: Inbox) -> None:
    (inbox.path / "m_max.pb").write_bytes(vehicle_feed(2**64 - 1))
    report = inbox.run()
    assert report.landed == 2
    assert [item.reason_code for item in report.rejected_files] == ["invalid_header_timestamp"]
    assert not [partition for partition in report.partitions if "date=2554" in partition]


def test_a_header_timestamp_before_1990_is_rejected(inbox: Inbox) -> None:
    (inbox.path / "m_epoch.pb").write_bytes(vehicle_feed(1000))
    report = inbox.run()
    assert [item.reason_code for item in report.rejected_files] == ["invalid_header_timestamp"]
    assert inbox.vehicle_rows() == GOOD_ROWS


# --- duplicates of one payload -----------------------------------------------------------------------


def test_a_plain_copy_of_a_landed_gzipped_snapshot_is_a_duplicate_across_runs(inbox: Inbox) -> None:
    snapshot = vehicle_feed(HEADER_TIME + 20)
    (inbox.path / "m_snapshot.pb.gz").write_bytes(gzip.compress(snapshot))
    assert inbox.run().landed == 3
    (inbox.path / "n_snapshot.pb").write_bytes(snapshot)
    second = inbox.run()
    assert (second.landed, second.duplicate, second.skipped) == (0, 1, 3)
    assert inbox.vehicle_rows() == GOOD_ROWS + 2
    rows = {row["name"]: row for row in read_ledger(str(inbox.lake)).to_pylist()}
    assert rows["n_snapshot.pb"]["duplicate_of"] == str(inbox.path / "m_snapshot.pb.gz")
    assert rows["m_snapshot.pb.gz"]["payload_sha256"] == rows["n_snapshot.pb"]["sha256"]


# --- the backstop -----------------------------------------------------------------------------------


def test_an_unexpected_error_on_one_input_rejects_it_as_internal_error_and_the_run_goes_on(
    inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug in the decoder (simulated: it raises KeyError for one file) must not stop the run, and
    nothing of that input may be committed."""
    decode = pipeline.decode_realtime
    broken = vehicle_feed(HEADER_TIME + 30)

    def decode_with_a_bug(data: bytes, source_file_id: str) -> object:
        if data == broken:
            raise KeyError("a bug")
        return decode(data, source_file_id)

    monkeypatch.setattr(pipeline, "decode_realtime", decode_with_a_bug)
    (inbox.path / "m_bug.pb").write_bytes(broken)
    report = inbox.run()
    assert report.landed == 2
    assert [(item.name, item.reason_code) for item in report.rejected_files] == [
        ("m_bug.pb", "internal_error")
    ]
    assert "KeyError" in report.rejected_files[0].message
    assert inbox.vehicle_rows() == GOOD_ROWS
    assert inbox.run().skipped == 3  # recorded: a re-run does not retry it


# --- names ------------------------------------------------------------------------------------------


def test_quarantine_names_stay_short_distinct_and_keep_their_extension() -> None:
    first, second = _safe_name("a" * 250 + ".pb"), _safe_name("a" * 249 + "b.pb")
    assert first != second
    assert len(first.encode()) <= 120 and first.endswith(".pb") and first.startswith("a" * 80)
    assert _safe_name("short.pb") == "short.pb"


def test_a_name_that_is_not_utf8_is_recorded_with_escapes() -> None:
    assert printable_name(os.fsdecode(b"caf\xe9.pb")) == "caf\\xe9.pb"
    assert printable_name("café.pb") == "café.pb"


def test_a_non_latin_feed_version_keeps_its_key_stable_and_a_latin_one_is_unchanged() -> None:
    def key(feed_version: str) -> str:
        return identify_version(
            feed_version=feed_version,
            feed_start_date=None,
            earliest_service_date=None,
            content_sha256="0" * 64,
            timezone=ZoneInfo("America/New_York"),
        ).feed_key

    assert key("春ダイヤ") == key("春ダイヤ") != key("夏ダイヤ")
    assert key("Spring 2023, version D") == "19700101T000000Z_spring-2023-version-d"


# --- what the run report shows ----------------------------------------------------------------------


def test_fifos_and_dangling_symlinks_are_reported_as_skipped_with_why(inbox: Inbox) -> None:
    os.mkfifo(inbox.path / "m_fifo.pb")
    (inbox.path / "m_dangling.pb").symlink_to(inbox.path / "does-not-exist")
    report = inbox.run()
    assert report.landed == 2
    assert report.unusable == [
        f"{inbox.path / 'm_dangling.pb'}: a symlink whose target does not exist (or cannot be reached)",
        f"{inbox.path / 'm_fifo.pb'}: a named pipe (FIFO), not a file",
    ]
    result = CliRunner().invoke(main, ["extract", str(inbox.path), "--lake", str(inbox.lake)])
    assert "skipped" in result.output and "m_fifo.pb" in result.output


def test_a_missing_source_gives_a_one_line_error(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-inbox"
    result = CliRunner().invoke(main, ["extract", str(missing), "--lake", str(tmp_path / "lake")])
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit)
    assert str(missing) in result.output and "Traceback" not in result.output


def test_json_header_timestamp_beyond_64_bits_is_rejected_not_divided_into_2001() -> None:
    """A JSON header timestamp of 1e300 is garbage, not nanoseconds: it must not land as a 2001 snapshot."""
    import orjson

    from extract.errors import RejectedInput
    from extract.realtime import decode_realtime

    feed = orjson.dumps({"header": {"gtfs_realtime_version": "2.0", "timestamp": 1e300}, "entity": []})
    with pytest.raises(RejectedInput) as rejected:
        decode_realtime(feed, "x")
    assert rejected.value.reason_code == "invalid_field_value"
    assert "epoch timestamp" in rejected.value.message
