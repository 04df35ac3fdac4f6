"""Attacks the extractor already handles: these keep them handled (issue 2, "bad input ... loses nothing").

Each bad input sits next to two good snapshots; the run must finish, quarantine the bad one with its raw
bytes and a reason, land the good ones, and a second run must change nothing.
"""

from __future__ import annotations

import gzip
import io
import os
import zipfile
from pathlib import Path

import orjson
import pytest
from adversarial_helpers import HEADER_TIME, Inbox, vehicle_feed

from extract.lake import list_tables
from extract.ledger import read_ledger

GOOD_ROWS = 4
SNAPSHOT = vehicle_feed(HEADER_TIME + 20)

BAD_INPUTS: dict[str, tuple[bytes, str]] = {
    "zero_bytes.pb": (b"", "empty_file"),
    "gzip_of_nothing.pb.gz": (gzip.compress(b""), "empty_file"),
    "truncated.pb.gz": (gzip.compress(SNAPSHOT)[:-12], "truncated_gzip"),
    "corrupt_deflate.pb.gz": (gzip.compress(SNAPSHOT)[:10] + b"\xff" * 40, "corrupt_gzip"),
    "gzip_then_garbage.pb.gz": (gzip.compress(SNAPSHOT) + b"garbage!", "corrupt_gzip"),
    "error_page.pb": (
        b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head></html>",
        "html_error_page",
    ),
    "s3_error.pb": (b'<?xml version="1.0"?><Error><Code>AccessDenied</Code></Error>', "not_gtfs_realtime"),
    "text_format.pb": (
        b'header {\n  gtfs_realtime_version: "2.0"\n  timestamp: 1683547200\n}\n',
        "text_format_protobuf",
    ),
    "api_error.json": (b'{"error": "rate limit exceeded", "status": 429}', "json_error_page"),
    "not_json.json": (b'{"header": {"gtfs_realtime_version": "2.0"', "invalid_json"),
    "nan.json": (b'{"header": {"gtfs_realtime_version": "2.0", "timestamp": NaN}}', "invalid_json"),
    "garage_counts.json": (b'{"garages": [{"name": "Alewife", "free": 12}]}', "not_gtfs_realtime"),
    "headerless.pb": (bytes.fromhex("12060a0430373133"), "missing_header"),  # entity {id: "0713"}
    "random_bytes.pb": (bytes(range(256)) * 4, "protobuf_decode_error"),
    "wrong_type.json": (
        orjson.dumps({"header": {"gtfs_realtime_version": "2.0"}, "entity": [{"id": "a", "vehicle": []}]}),
        "invalid_field_value",
    ),
    "int64_overflow.json": (
        orjson.dumps(
            {
                "header": {"gtfs_realtime_version": "2.0", "timestamp": HEADER_TIME},
                "entity": [{"id": "a", "trip_update": {"stop_time_update": [{"stop_sequence": 2**63}]}}],
            }
        ),
        "invalid_field_value",
    ),
    "year_minus_3000.json": (
        orjson.dumps(
            {"header": {"gtfs_realtime_version": "2.0", "timestamp": -99_999_999_999}, "entity": []}
        ),
        "invalid_header_timestamp",
    ),
    "not_gtfs.zip": (b"", "not_gtfs_realtime"),  # filled below: a zip of a README
}


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


BAD_INPUTS["not_gtfs.zip"] = (_zip({"README.md": b"hello"}), "not_gtfs_realtime")


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_a_bad_input_is_quarantined_with_its_reason_and_the_run_goes_on(inbox: Inbox, name: str) -> None:
    content, reason = BAD_INPUTS[name]
    (inbox.path / f"m_{name}").write_bytes(content)
    report = inbox.run()
    assert report.landed == 2
    assert [(item.name, item.reason_code) for item in report.rejected_files] == [(f"m_{name}", reason)]
    assert inbox.vehicle_rows() == GOOD_ROWS
    quarantined = list((inbox.lake / "_quarantine").glob(f"*/m_{name}"))
    assert len(quarantined) == 1 and quarantined[0].read_bytes() == content
    assert orjson.loads((quarantined[0].parent / "reason.json").read_bytes())["reason_code"] == reason
    again = inbox.run()
    assert (again.landed, again.rejected, again.total_rows) == (0, 0, 0)
    assert inbox.vehicle_rows() == GOOD_ROWS


def test_the_same_bytes_under_three_names_land_once(inbox: Inbox) -> None:
    """Copies in one run (a plain copy, a symlink, a copy in a sub-folder) are duplicates, rows land once."""
    (inbox.path / "b_copy.bin").write_bytes((inbox.path / "a_good.pb").read_bytes())
    (inbox.path / "c_link.pb").symlink_to(inbox.path / "a_good.pb")
    (inbox.path / "sub").mkdir()
    (inbox.path / "sub" / "a_good.pb").write_bytes((inbox.path / "a_good.pb").read_bytes())
    report = inbox.run()
    assert (report.landed, report.duplicate) == (2, 3)
    assert inbox.vehicle_rows() == GOOD_ROWS


def test_a_file_rewritten_between_runs_lands_its_new_content_once(inbox: Inbox) -> None:
    inbox.run()
    (inbox.path / "a_good.pb").write_bytes(vehicle_feed(HEADER_TIME + 60, vehicles=3))
    second = inbox.run()
    assert (second.landed, second.total_rows) == (1, 3)
    assert inbox.vehicle_rows() == GOOD_ROWS + 3
    assert inbox.run().total_rows == 0


def test_special_files_in_the_inbox_neither_hang_nor_abort_the_run(inbox: Inbox) -> None:
    """A FIFO (reading it would block forever), a dangling symlink, a symlink to /dev/zero."""
    os.mkfifo(inbox.path / "m_fifo.pb")
    (inbox.path / "m_dangling.pb").symlink_to(inbox.path / "does-not-exist")
    (inbox.path / "m_zero.pb").symlink_to("/dev/zero")
    report = inbox.run()
    assert report.landed == 2
    assert inbox.vehicle_rows() == GOOD_ROWS


def test_a_rejected_file_named_reason_json_does_not_clobber_the_reason(inbox: Inbox) -> None:
    (inbox.path / "reason.json").write_bytes(b"<html><body>error</body></html>")
    report = inbox.run()
    assert [item.reason_code for item in report.rejected_files] == ["html_error_page"]
    (folder,) = list((inbox.lake / "_quarantine").iterdir())
    assert orjson.loads((folder / "reason.json").read_bytes())["reason_code"] == "html_error_page"


def test_zip_member_names_with_path_traversal_never_write_outside_the_lake(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path)
    routes = b"route_id,route_long_name,route_type\n0713,Zero,3\n"
    (inbox.path / "m_feed.zip").write_bytes(_zip({"../../routes.txt": routes, "/tmp/agency.txt": b"x\n"}))
    report = inbox.run()
    assert report.landed == 3
    outside = sorted(path.name for path in tmp_path.iterdir())
    assert outside == ["inbox", "lake"]
    assert "gtfs_static/routes" in list_tables(str(inbox.lake))


def test_broken_csv_quotes_are_skipped_with_a_warning_not_landed_as_garbage(inbox: Inbox) -> None:
    routes = b'route_id,route_long_name,route_type\n"Red,Red Line,1\nBlue,"Bl"ue",1\n0713,Zero,3\n'
    (inbox.path / "m_feed.zip").write_bytes(_zip({"routes.txt": routes}))
    inbox.run()
    ledger = read_ledger(str(inbox.lake)).to_pylist()
    (static,) = [row for row in ledger if row["name"] == "m_feed.zip"]
    assert static["outcome"] in ("landed", "rejected")
    if static["outcome"] == "landed":
        assert any("routes.txt" in warning for warning in static["warnings"])
