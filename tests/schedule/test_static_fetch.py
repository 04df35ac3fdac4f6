"""`lamp static fetch`: the version in force on a date, downloaded from a real local HTTP server."""

from __future__ import annotations

import functools
import io
import threading
import zipfile
from collections.abc import Iterator
from datetime import date
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from extract.cli import main
from extract.static_fetch import (
    StaticFetchError,
    feed_in_force,
    fetch_static_feed,
    parse_archive_index,
)

NEW_YORK = ZoneInfo("America/New_York")

# Shaped like https://cdn.mbta.com/archive/archived_feeds.txt: newest first, overlapping versions.
# Summer is published (2023-06-20 21:00 EDT, i.e. 01:00Z the next day) before it starts; Spring was
# published on 2023-04-24 for a range starting 2023-04-17; Winter has no timestamp in its version.
INDEX = (
    "feed_start_date,feed_end_date,feed_version,archive_url,archive_note\n"
    '20230624,20230901,"Summer 2023, 2023-06-21T01:00:00+00:00, version A",feeds/summer.zip,\n'
    '20230417,20230701,"Spring 2023, 2023-04-24T21:42:57+00:00, version D",feeds/spring.zip,note\n'
    "20230101,20230430,Winter 2023,feeds/winter.zip,\n"
    '20230901,20231001,"Fall 2023, 2023-08-30T12:00:00+00:00, version B",feeds/not-a-zip.zip,\n'
)


def _zip_with(name: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        # A fixed timestamp: the bytes must not depend on when the zip is built.
        entry = zipfile.ZipInfo("feed_info.txt", date_time=(2023, 1, 1, 0, 0, 0))
        archive.writestr(entry, f"feed_publisher_name,feed_version\nTest,{name}\n")
    return buffer.getvalue()


@pytest.fixture
def archive_server(tmp_path: Path) -> Iterator[str]:
    """A real HTTP server on localhost serving an archive index and its zips."""
    root = tmp_path / "www"
    (root / "feeds").mkdir(parents=True)
    (root / "archived_feeds.txt").write_text(INDEX)
    for name in ("summer", "spring", "winter"):
        (root / "feeds" / f"{name}.zip").write_bytes(_zip_with(name))
    (root / "feeds" / "not-a-zip.zip").write_text("<html>Not Found</html>")
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/archived_feeds.txt"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # Spring covers it and was published 2023-04-24 → in force (rule 3.3 step 1).
        (date(2023, 5, 8), "Spring 2023, 2023-04-24T21:42:57+00:00, version D"),
        # Before Spring's publication only Winter is active; Spring covers but is not yet active.
        (date(2023, 4, 20), "Winter 2023"),
        # Summer published 2023-06-20 local (01:00Z on the 21st), starts 2023-06-24: on the 24th both
        # cover and are active; Summer's active date is the greater.
        (date(2023, 6, 24), "Summer 2023, 2023-06-21T01:00:00+00:00, version A"),
        # Fall (published 2023-08-30) and Summer both cover 2023-09-01: the later publication wins.
        (date(2023, 9, 1), "Fall 2023, 2023-08-30T12:00:00+00:00, version B"),
    ],
)
def test_feed_in_force_follows_rule_3_3(day: date, expected: str) -> None:
    chosen = feed_in_force(parse_archive_index(INDEX), day, NEW_YORK)
    assert chosen is not None
    assert chosen.feed_version == expected


def test_feed_in_force_step_2_and_none() -> None:
    index = (
        "feed_start_date,feed_end_date,feed_version,archive_url\n"
        '20240101,20240301,"Next, 2024-02-15T00:00:00+00:00",a.zip\n'
        '20240110,20240301,"Later, 2024-02-20T00:00:00+00:00",b.zip\n'
    )
    feeds = parse_archive_index(index)
    # Neither is active on 2024-01-15: the greatest feed_start_date among the covering ones (step 2).
    chosen = feed_in_force(feeds, date(2024, 1, 15), NEW_YORK)
    assert chosen is not None and chosen.archive_url == "b.zip"
    assert feed_in_force(feeds, date(2023, 12, 31), NEW_YORK) is None


def test_fetch_downloads_the_version_into_the_inbox(archive_server: str, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    fetched = fetch_static_feed(date(2023, 5, 8), inbox, index_url=archive_server)
    assert fetched.path.parent == inbox
    assert fetched.path.read_bytes() == _zip_with("spring")
    assert fetched.path.name.startswith("gtfs_static_20230417_20230701_Spring-2023")
    assert [p.name for p in inbox.iterdir()] == [fetched.path.name]  # no partial file left


def test_fetch_rejects_a_body_that_is_not_a_zip(archive_server: str, tmp_path: Path) -> None:
    with pytest.raises(StaticFetchError, match="not a zip"):
        fetch_static_feed(date(2023, 9, 15), tmp_path / "inbox", index_url=archive_server)
    assert not (tmp_path / "inbox").exists() or not any((tmp_path / "inbox").iterdir())


def test_cli_static_fetch(archive_server: str, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["static", "fetch", "--date", "2023-04-20", "--index-url", archive_server, "--inbox", str(inbox)],
    )
    assert result.exit_code == 0, result.output
    (saved,) = inbox.iterdir()
    assert saved.read_bytes() == _zip_with("winter")

    uncovered = runner.invoke(
        main,
        ["static", "fetch", "--date", "2022-01-01", "--index-url", archive_server, "--inbox", str(inbox)],
    )
    assert uncovered.exit_code != 0
    assert "no feed version" in uncovered.output
