"""Live polling against a local HTTP server serving the shared feed files: conditional requests (ETag,
If-Modified-Since) remembered across iterations and runs, errors and timeouts reported, an HTML error
page saved and quarantined, new bodies saved under the archive naming convention and landed."""

from __future__ import annotations

import datetime as dt
import io
import re
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from extract.ledger import read_ledger
from extract.sources.poll import (
    ERROR,
    NEW,
    NOT_MODIFIED,
    STATE_FILE,
    UNCHANGED,
    Poller,
    archive_name,
    poll,
    url_slug,
)

VP_A = "2024-11-20T18:52:05Z_https_cdn.mbta.com_realtime_VehiclePositions.pb"
VP_B = "2022-01-01T00:00:03Z_https_cdn.mbta.com_realtime_VehiclePositions_enhanced.json.gz"
TU = "2024-11-20T18:52:10Z_https_cdn.mbta.com_realtime_TripUpdates.pb"
LAST_MODIFIED = "Wed, 20 Nov 2024 18:52:10 GMT"
HTML = b"<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head><body>down</body></html>"


@dataclass
class FeedServer:
    """What the local server serves, changeable by a test; every request's headers are logged."""

    bodies: dict[str, bytes]
    etags: dict[str, str]
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    base: str = ""


def _handler(state: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append((self.path, dict(self.headers.items())))
            if self.path == "/error":
                self.send_error(500, "Internal Server Error")
                return
            if self.path == "/slow":
                time.sleep(1.5)
            if self.path == "/html":  # an error page served with status 200, no validators
                self._send(HTML, {"Content-Type": "text/html"})
                return
            if self.path == "/realtime/TripUpdates.pb":
                if self.headers.get("If-Modified-Since") == LAST_MODIFIED:
                    self._not_modified()
                    return
                self._send(state.bodies[self.path], {"Last-Modified": LAST_MODIFIED})
                return
            etag = state.etags.get(self.path)
            if etag is None:
                self.send_error(404)
                return
            if self.headers.get("If-None-Match") == etag:
                self._not_modified()
                return
            self._send(state.bodies[self.path], {"ETag": etag})

        def _send(self, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(200)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _not_modified(self) -> None:
            self.send_response(304)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
            pass

    return Handler


def _static_zip(static_dir: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(static_dir.iterdir()):
            archive.write(path, path.name)
    return buffer.getvalue()


@pytest.fixture
def feed_server(mbta_feeds: Path, mbta_day: Path) -> Iterator[FeedServer]:
    state = FeedServer(
        bodies={
            "/realtime/VehiclePositions.pb": (mbta_feeds / VP_A).read_bytes(),
            "/realtime/TripUpdates.pb": (mbta_feeds / TU).read_bytes(),
            "/MBTA_GTFS.zip": _static_zip(mbta_day / "static" / "MBTA_GTFS"),
        },
        etags={"/realtime/VehiclePositions.pb": '"vp-1"', "/MBTA_GTFS.zip": '"gtfs-1"'},
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()


def test_archive_names_follow_the_mbta_convention() -> None:
    url = "https://cdn.mbta.com/realtime/TripUpdates.pb"
    assert url_slug(url) == "https_cdn.mbta.com_realtime_TripUpdates.pb"
    moment = dt.datetime(2023, 5, 8, 8, 0, 2, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
    assert archive_name(moment, url) == "2023-05-08T12:00:02Z_https_cdn.mbta.com_realtime_TripUpdates.pb"


def test_poll_fetches_conditionally_saves_new_bodies_and_lands_them(
    feed_server: FeedServer, mbta_feeds: Path, tmp_path: Path
) -> None:
    base = feed_server.base
    urls = [
        f"{base}/realtime/VehiclePositions.pb",
        f"{base}/realtime/TripUpdates.pb",
        f"{base}/MBTA_GTFS.zip",
        f"{base}/error",
        f"{base}/slow",
        f"{base}/html",
    ]
    inbox, lake = tmp_path / "inbox", tmp_path / "lake"

    def publish_new_vehicles(iteration: object) -> None:
        # after the first poll the server publishes a new VehiclePositions snapshot
        feed_server.bodies["/realtime/VehiclePositions.pb"] = (mbta_feeds / VP_B).read_bytes()
        feed_server.etags["/realtime/VehiclePositions.pb"] = '"vp-2"'

    iterations = poll(
        str(lake),
        inbox,
        urls=urls,
        interval=0,
        iterations=3,
        timeout=0.5,
        on_iteration=lambda it: publish_new_vehicles(it) if it.number == 1 else None,
    )

    statuses = [[result.status for result in it.fetches] for it in iterations]
    assert statuses == [
        [NEW, NEW, NEW, ERROR, ERROR, NEW],
        [NEW, NOT_MODIFIED, NOT_MODIFIED, ERROR, ERROR, UNCHANGED],
        [NOT_MODIFIED, NOT_MODIFIED, NOT_MODIFIED, ERROR, ERROR, UNCHANGED],
    ]
    assert "500" in iterations[0].fetches[3].message
    assert "Timeout" in iterations[0].fetches[4].message
    first, second, third = (it.report for it in iterations)
    assert first is not None and (first.landed, first.rejected) == (3, 1)
    assert first.rejected_files[0].reason_code == "html_error_page"
    assert first.static_feed_keys == ["20230424T214257Z_spring-2023-version-d"]
    assert second is not None and (second.landed, second.rejected) == (1, 0)
    assert third is None  # nothing new was fetched: no run at all

    # the conditional headers sent on the second and third polls
    vp_requests = [
        headers for path, headers in feed_server.requests if path == "/realtime/VehiclePositions.pb"
    ]
    assert [headers.get("If-None-Match") for headers in vp_requests] == [None, '"vp-1"', '"vp-2"']
    tu_requests = [headers for path, headers in feed_server.requests if path == "/realtime/TripUpdates.pb"]
    assert [headers.get("If-Modified-Since") for headers in tu_requests] == [
        None,
        LAST_MODIFIED,
        LAST_MODIFIED,
    ]

    saved = sorted(path.name for path in inbox.iterdir() if not path.name.startswith("."))
    slug = url_slug(base)
    assert len(saved) == 5
    # two polls within one second save the second body as "<name>.1" (see the fixed-clock test below)
    pattern = re.compile(
        rf"^\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ_{re.escape(slug)}_(realtime_\w+\.pb|MBTA_GTFS\.zip|html)(\.\d+)?$"
    )
    assert all(pattern.match(name) for name in saved), saved
    ledger = read_ledger(str(lake)).to_pylist()
    assert sorted(row["outcome"] for row in ledger) == ["landed"] * 4 + ["rejected"]


def test_validators_are_remembered_across_runs(feed_server: FeedServer, tmp_path: Path) -> None:
    url = f"{feed_server.base}/realtime/VehiclePositions.pb"
    inbox, lake = tmp_path / "inbox", tmp_path / "lake"
    (first,) = poll(str(lake), inbox, urls=[url], interval=0, iterations=1)
    assert [result.status for result in first.fetches] == [NEW]
    assert (inbox / STATE_FILE).exists()

    # a new process: the state file makes its first request conditional; the inbox is landed again
    # (files a killed poller saved but did not land), which finds everything already in the ledger
    (again,) = poll(str(lake), inbox, urls=[url], interval=0, iterations=1)

    assert [result.status for result in again.fetches] == [NOT_MODIFIED]
    assert feed_server.requests[-1][1].get("If-None-Match") == '"vp-1"'
    assert again.report is not None and (again.report.landed, again.report.skipped) == (0, 1)


def test_a_damaged_state_file_costs_only_an_unconditional_fetch(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / STATE_FILE).write_text("{not json")
    poller = Poller([f"{feed_server.base}/realtime/VehiclePositions.pb"], inbox)
    assert [result.status for result in poller.fetch_all()] == [NEW]
    assert feed_server.requests[-1][1].get("If-None-Match") is None


def test_two_new_bodies_within_one_second_keep_both_files(feed_server: FeedServer, tmp_path: Path) -> None:
    path = "/realtime/VehiclePositions.pb"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    moment = dt.datetime(2023, 5, 8, 12, 0, 5, tzinfo=dt.UTC)
    poller = Poller([f"{feed_server.base}{path}"], inbox, clock=lambda: moment)
    (first,) = poller.fetch_all()
    feed_server.bodies[path] = feed_server.bodies[path] + b"\x00"
    feed_server.etags[path] = '"vp-changed"'
    (second,) = poller.fetch_all()

    assert (first.status, second.status) == (NEW, NEW)
    assert first.path is not None and second.path is not None
    assert second.path.name == f"{first.path.name}.1"
    assert first.path.name.startswith("2023-05-08T12:00:05Z_")
    assert second.path.read_bytes() == feed_server.bodies[path]
