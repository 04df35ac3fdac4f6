"""Live polling: fetch feed URLs into an inbox directory, then land what is new.

Each fetch is a conditional request (``If-None-Match`` with the last ETag, ``If-Modified-Since`` with the
last Last-Modified), remembered per URL across iterations and runs in ``<inbox>/.lamp_poll_state.json``
(hidden, so the inbox source ignores it). A new body is saved atomically under the MBTA archive naming
convention ``<UTC time>_<url as a slug>``, e.g.
``2023-05-08T12:00:02Z_https_cdn.mbta.com_realtime_TripUpdates.pb``, then landed like any inbox file:
the ledger, the quarantine (an HTML error page served with status 200 is saved and then rejected) and
the commit rules are the same. A body identical to the URL's previous one (a server without ETags) is
not saved again. HTTP errors and timeouts are reported and retried at the next iteration.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import requests

from extract.lake import Lake, as_lake
from extract.ledger import Ledger
from extract.pipeline import ExtractReport, extract_from
from extract.sources.local import LocalSource

DEFAULT_FEED_URLS: tuple[str, ...] = (
    "https://cdn.mbta.com/realtime/VehiclePositions.pb",
    "https://cdn.mbta.com/realtime/TripUpdates.pb",
    "https://cdn.mbta.com/realtime/Alerts.pb",
    "https://cdn.mbta.com/MBTA_GTFS.zip",
)
STATE_FILE = ".lamp_poll_state.json"
DEFAULT_TIMEOUT_SECONDS = 20.0

NEW = "new"
NOT_MODIFIED = "not_modified"
UNCHANGED = "unchanged"
ERROR = "error"


def url_slug(url: str) -> str:
    """``https://cdn.mbta.com/realtime/TripUpdates.pb`` → ``https_cdn.mbta.com_realtime_TripUpdates.pb``."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", url).strip("_")


def archive_name(moment: dt.datetime, url: str) -> str:
    return f"{moment.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%SZ}_{url_slug(url)}"


@dataclass(frozen=True)
class FetchResult:
    url: str
    status: str  # new | not_modified | unchanged | error
    path: Path | None = None  # the saved file, when new
    message: str = ""


@dataclass
class PollIteration:
    number: int
    fetches: list[FetchResult]
    report: ExtractReport | None  # None when nothing new was fetched


@dataclass
class _UrlState:
    etag: str | None = None
    last_modified: str | None = None
    sha256: str | None = None


@dataclass
class Poller:
    """Fetches URLs into ``inbox`` with conditional requests; state survives restarts."""

    urls: Sequence[str]
    inbox: Path
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    session: requests.Session = field(default_factory=requests.Session)
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)

    def __post_init__(self) -> None:
        self.inbox.mkdir(parents=True, exist_ok=True)
        self.state = self._load_state()

    def fetch_all(self) -> list[FetchResult]:
        results = [self.fetch(url) for url in self.urls]
        self._save_state()
        return results

    def fetch(self, url: str) -> FetchResult:
        state = self.state.setdefault(url, _UrlState())
        headers = {}
        if state.etag:
            headers["If-None-Match"] = state.etag
        if state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        try:
            response = self.session.get(url, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            return FetchResult(url, ERROR, message=f"{type(exc).__name__}: {exc}")
        if response.status_code == 304:
            return FetchResult(url, NOT_MODIFIED)
        if response.status_code != 200:
            return FetchResult(url, ERROR, message=f"HTTP {response.status_code} {response.reason}")
        body = response.content
        state.etag = response.headers.get("ETag") or None
        state.last_modified = response.headers.get("Last-Modified") or None
        digest = hashlib.sha256(body).hexdigest()
        if digest == state.sha256:
            return FetchResult(url, UNCHANGED)
        path = self._save(url, body)
        state.sha256 = digest
        return FetchResult(url, NEW, path=path)

    def _save(self, url: str, body: bytes) -> Path:
        base = archive_name(self.clock(), url)
        path, copy = self.inbox / base, 1
        while path.exists():  # two new bodies of one URL within a second
            path, copy = self.inbox / f"{base}.{copy}", copy + 1
        temporary = self.inbox / f".{path.name}.tmp"
        temporary.write_bytes(body)
        os.replace(temporary, path)
        return path

    def _load_state(self) -> dict[str, _UrlState]:
        path = self.inbox / STATE_FILE
        if not path.exists():
            return {}
        try:
            saved = orjson.loads(path.read_bytes())
        except orjson.JSONDecodeError:
            return {}  # a damaged state only costs one unconditional fetch per URL
        return {url: _UrlState(**values) for url, values in saved.items() if isinstance(values, dict)}

    def _save_state(self) -> None:
        path = self.inbox / STATE_FILE
        temporary = self.inbox / f"{STATE_FILE}.tmp"
        temporary.write_bytes(
            orjson.dumps({url: vars(state) for url, state in self.state.items()}, option=orjson.OPT_INDENT_2)
        )
        os.replace(temporary, path)


def poll(
    lake: str | Lake,
    inbox: Path,
    *,
    urls: Sequence[str] = DEFAULT_FEED_URLS,
    interval: float = 30.0,
    iterations: int | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    on_iteration: Callable[[PollIteration], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[PollIteration]:
    """Fetch and land every ``interval`` seconds, ``iterations`` times (forever when None).

    The first iteration lands the whole inbox, so files saved by a run killed before it landed them
    are not forgotten; later iterations land only what they fetched. Returns the iterations kept (all of
    them when ``iterations`` is set, none when polling forever, to bound memory).
    """
    the_lake = as_lake(lake)
    ledger = Ledger.load(the_lake)
    poller = Poller(list(urls), inbox, timeout=timeout)
    kept: list[PollIteration] = []
    number = 0
    while iterations is None or number < iterations:
        number += 1
        started = time.monotonic()
        fetches = poller.fetch_all()
        new_files = [result.path for result in fetches if result.path is not None]
        report: ExtractReport | None = None
        if number == 1:
            report = extract_from(LocalSource(inbox), the_lake, ledger=ledger)
        elif new_files:
            source = LocalSource(inbox, files=new_files)
            report = extract_from(source, the_lake, ledger=ledger, clean_leftovers=False)
        iteration = PollIteration(number, fetches, report)
        if on_iteration is not None:
            on_iteration(iteration)
        if iterations is not None:
            kept.append(iteration)
        if iterations is None or number < iterations:
            sleep(max(0.0, interval - (time.monotonic() - started)))
    return kept
