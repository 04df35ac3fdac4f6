"""Static GTFS inputs that break the reader or silently lose a feed version (issue 2, static section)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from adversarial_helpers import Inbox

from extract.errors import RejectedInput
from extract.static_gtfs import read_static_feed


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


CR_ONLY_ROUTES = b"route_id,route_long_name,route_type\r0713,Zero,3\rRed,Red Line,1\r"


def test_routes_with_classic_mac_line_endings_never_raise_anything_but_rejected_input() -> None:
    """A .txt saved with bare CR line endings (old Mac / some Excel exports).

    Today extract/static_gtfs/csv_table.py ``_header_names`` feeds the first "line" (the whole file: it
    has no LF) to ``csv.reader``, which raises ``_csv.Error: new-line character seen in unquoted field``,
    an exception the pipeline does not catch. Expected: land it (CR is a line break) or reject it with
    ``static_malformed_csv``; never another exception.
    """
    try:
        feed = read_static_feed(_zip({"routes.txt": CR_ONLY_ROUTES}))
    except RejectedInput as rejection:
        assert rejection.reason_code == "static_malformed_csv"
    else:
        assert feed.tables["routes"].column("route_id").to_pylist() == ["0713", "Red"]


def test_a_static_zip_with_cr_line_endings_does_not_abort_the_run(inbox: Inbox) -> None:
    """The same file inside a run: the two good realtime snapshots must still land."""
    (inbox.path / "m_feed.zip").write_bytes(_zip({"routes.txt": CR_ONLY_ROUTES}))
    report = inbox.run()
    assert report.landed >= 2
    assert inbox.vehicle_rows() == 4


def _feed_with_version(feed_version: str, route_name: str) -> bytes:
    return _zip(
        {
            "routes.txt": f"route_id,route_long_name,route_type\nR1,{route_name},3\n".encode(),
            "feed_info.txt": (
                "feed_publisher_name,feed_publisher_url,feed_lang,feed_version\n"
                f"Agency,https://example.org,ja,{feed_version}\n"
            ).encode(),
        }
    )


def test_feed_versions_written_in_a_non_latin_script_get_distinct_feed_keys(tmp_path: Path) -> None:
    """Two different versions of one agency's feed, feed_version "春ダイヤ" (spring timetable) and
    "夏ダイヤ" (summer), with no timestamp or start date in feed_info.

    Today extract/static_gtfs/version.py ``_slug`` drops every non-ASCII character, so both slugs are
    empty and both keys are the bare stamp ``19700101T000000Z``. The pipeline then records the second,
    different feed as a *duplicate* of the first (``_Run._land_static``) and never lands it.
    """
    spring = read_static_feed(_feed_with_version("春ダイヤ", "Spring"))
    summer = read_static_feed(_feed_with_version("夏ダイヤ", "Summer"))
    assert spring.content_sha256 != summer.content_sha256
    assert spring.feed_key != summer.feed_key


def test_a_second_non_latin_feed_version_is_landed_not_dropped_as_duplicate(inbox: Inbox) -> None:
    """End to end: both versions must be in the lake."""
    (inbox.path / "m_spring.zip").write_bytes(_feed_with_version("春ダイヤ", "Spring"))
    (inbox.path / "m_summer.zip").write_bytes(_feed_with_version("夏ダイヤ", "Summer"))
    report = inbox.run()
    assert report.duplicate == 0, [key for key in report.static_feed_keys]
    assert len(set(report.static_feed_keys)) == 2
