"""The local directory source: recursive, sorted, hidden and temporary files ignored, the .txt files of a
static GTFS directory as one input, and a lake inside the inbox never read back."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.pipeline import extract
from extract.sources import LocalSource, open_source


def test_lists_files_recursively_in_sorted_order_and_skips_hidden_and_temporary(tmp_path: Path) -> None:
    for relative in (
        "b/2.pb",
        "b/1.pb",
        "a.json.gz",
        "c/d/e.pb",
        ".lamp_poll_state.json",
        ".hidden/x.pb",
        "b/.partial.pb",
        "b/download.pb.part",
        "b/feed.pb.tmp",
        "b/editor~",
    ):
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * len(relative))

    inputs = LocalSource(tmp_path).list_inputs()

    assert [Path(item.source).relative_to(tmp_path).as_posix() for item in inputs] == [
        "a.json.gz",
        "b/1.pb",
        "b/2.pb",
        "c/d/e.pb",
    ]
    assert [item.name for item in inputs] == ["a.json.gz", "1.pb", "2.pb", "e.pb"]
    assert inputs[1].size == len("b/1.pb") and inputs[1].directory is None


def test_a_static_gtfs_directory_is_one_input(tmp_path: Path, mbta_day: Path) -> None:
    feed = tmp_path / "inbox" / "static" / "gtfs"
    feed.mkdir(parents=True)
    (feed / "routes.txt").write_text("route_id,route_type\nRed,1\n")
    (feed / "stops.txt").write_text("stop_id\n70061\n")
    (tmp_path / "inbox" / "vp.pb").write_bytes(b"\x0a")

    inputs = LocalSource(tmp_path / "inbox").list_inputs()

    assert [item.name for item in inputs] == ["gtfs", "vp.pb"]
    assert (
        inputs[0].directory == feed
        and inputs[0].size == (feed / "routes.txt").stat().st_size + (feed / "stops.txt").stat().st_size
    )
    # the shared sample: 4,693 realtime snapshots and one static feed directory
    sample = LocalSource(mbta_day).list_inputs()
    assert len(sample) == 4694
    assert [item.name for item in sample if item.directory is not None] == ["MBTA_GTFS"]


def test_a_single_file_or_an_explicit_list(tmp_path: Path) -> None:
    for name in ("x.pb", "y.pb", "z.pb"):
        (tmp_path / name).write_bytes(b"1")
    assert [i.name for i in LocalSource(tmp_path / "y.pb").list_inputs()] == ["y.pb"]
    chosen = LocalSource(tmp_path, files=[tmp_path / "z.pb", tmp_path / "x.pb"]).list_inputs()
    assert [i.name for i in chosen] == ["x.pb", "z.pb"]
    assert LocalSource(tmp_path).read(chosen[0]) == b"1"


def test_open_source_routes_by_scheme(tmp_path: Path) -> None:
    assert isinstance(open_source(str(tmp_path)), LocalSource)
    with pytest.raises(ValueError, match="unsupported source"):
        open_source("ftp://example.com/feeds")
    with pytest.raises(FileNotFoundError):
        LocalSource(tmp_path / "missing").list_inputs()


def test_a_stray_gtfs_file_does_not_hide_the_realtime_files_beside_it(tmp_path: Path) -> None:
    """Red team: one stops.txt in an inbox made the whole inbox one static input, skipping every feed."""
    inbox = tmp_path / "inbox"
    (inbox / "rt").mkdir(parents=True)
    (inbox / "a.pb").write_bytes(b"\x0a")
    (inbox / "rt" / "b.json.gz").write_bytes(b"\x1f\x8b")
    (inbox / "stops.txt").write_text("stop_id\n70061\n")
    (inbox / "notes.md").write_text("not a feed")

    inputs = LocalSource(inbox).list_inputs()

    # the feed is the directory's .txt files only; its other files and folders are inputs of their own
    assert [(item.name, item.directory is not None) for item in inputs] == [
        ("inbox", True),
        ("a.pb", False),
        ("notes.md", False),
        ("b.json.gz", False),
    ]
    assert inputs[0].size == (inbox / "stops.txt").stat().st_size


def test_a_lake_inside_the_inbox_is_never_read_back(tmp_path: Path, mbta_feeds: Path) -> None:
    """Red team: a lake kept in its own inbox re-read its parquet files and quarantined them every run."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for feed in sorted(mbta_feeds.glob("2024-11-20*.pb")):
        (inbox / feed.name).write_bytes(feed.read_bytes())
    lake = inbox / "lake"

    first = extract(str(inbox), str(lake))
    second = extract(str(inbox), str(lake))

    assert (first.landed, first.rejected) == (3, 0)
    assert (second.landed, second.duplicate, second.rejected) == (0, 0, 0)
    assert second.skipped == 3


def test_a_rejected_feed_directory_quarantines_only_its_feed_files(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "sub").mkdir(parents=True)
    (inbox / "stops.txt").write_text("stop_id\n70061\n")  # no routes.txt: rejected
    (inbox / "sub" / "big.bin").write_bytes(b"x" * 1000)
    lake = tmp_path / "lake"

    report = extract(str(inbox), str(lake))

    assert report.rejected_by_reason() == {"not_gtfs_realtime": 1, "static_missing_routes": 1}
    quarantined = sorted(
        path.relative_to(lake / "_quarantine").parts[1:]
        for path in (lake / "_quarantine").rglob("*")
        if path.is_file() and path.name != "reason.json"
    )
    assert ("inbox", "stops.txt") in quarantined
    assert ("inbox", "sub", "big.bin") not in quarantined
