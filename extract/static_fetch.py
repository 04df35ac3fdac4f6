"""Download the static GTFS feed version that was in force on a date, from an agency's archive index.

An archive index is a CSV with the columns ``feed_start_date,feed_end_date,feed_version,archive_url``
(more columns, e.g. the MBTA's ``archive_note``, are ignored): the MBTA publishes one at
https://cdn.mbta.com/archive/archived_feeds.txt. Several versions overlap; the one in force on a date D is
chosen as the warehouse chooses version(D) (spec rules 3.2 and 3.3):

1. among the rows with feed_start_date ≤ D ≤ feed_end_date whose active date (the local date of the
   ISO-8601 timestamp in feed_version, else feed_start_date) is ≤ D: the greatest active date;
2. else, among the covering rows: the greatest feed_start_date;

remaining ties go to the greater feed_start_date, then the row listed first (archives list newest
first). The zip lands in the inbox, where ``lamp extract``/``lamp run`` pick it up like any other file.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

MBTA_ARCHIVE_INDEX_URL = "https://cdn.mbta.com/archive/archived_feeds.txt"
REQUIRED_COLUMNS = ("feed_start_date", "feed_end_date", "feed_version", "archive_url")
TIMEOUT_SECONDS = 60
# An ISO-8601 timestamp with an explicit offset, as the MBTA writes in feed_version (rule 3.2).
ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})")


class StaticFetchError(RuntimeError):
    """The index or the feed could not be used: a sentence for the user, no traceback needed."""


@dataclass(frozen=True)
class ArchivedFeed:
    feed_start_date: date
    feed_end_date: date
    feed_version: str
    archive_url: str
    position: int  # row order in the index, 0 = first listed

    def active_date(self, timezone: ZoneInfo) -> date:
        """Rule 3.2: the local date of the timestamp in feed_version, else feed_start_date."""
        match = ISO_TIMESTAMP.search(self.feed_version)
        if match is None:
            return self.feed_start_date
        published = datetime.fromisoformat(match.group(0).replace("Z", "+00:00"))
        return published.astimezone(timezone).date()

    def covers(self, day: date) -> bool:
        return self.feed_start_date <= day <= self.feed_end_date


def _parse_gtfs_date(text: str, line: int) -> date:
    value = text.strip()
    try:
        return datetime.strptime(value, "%Y%m%d").date()
    except ValueError as exc:
        raise StaticFetchError(f"archive index line {line}: {value!r} is not a YYYYMMDD date") from exc


def parse_archive_index(text: str) -> list[ArchivedFeed]:
    """The rows of an archive index CSV (a UTF-8 BOM and blank lines are tolerated)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [column for column in REQUIRED_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise StaticFetchError(f"archive index lacks the column(s) {', '.join(missing)}")
    feeds = []
    for position, row in enumerate(reader):
        if not any((value or "").strip() for value in row.values()):
            continue
        line = position + 2  # the header is line 1
        feeds.append(
            ArchivedFeed(
                feed_start_date=_parse_gtfs_date(row["feed_start_date"], line),
                feed_end_date=_parse_gtfs_date(row["feed_end_date"], line),
                feed_version=(row["feed_version"] or "").strip(),
                archive_url=(row["archive_url"] or "").strip(),
                position=position,
            )
        )
    return feeds


def feed_in_force(feeds: list[ArchivedFeed], day: date, timezone: ZoneInfo) -> ArchivedFeed | None:
    """The archived version in force on ``day`` (rules 3.2, 3.3), or None when no row covers it."""
    covering = [feed for feed in feeds if feed.covers(day)]
    active = [feed for feed in covering if feed.active_date(timezone) <= day]
    if active:
        return min(
            active,
            key=lambda f: (-f.active_date(timezone).toordinal(), -f.feed_start_date.toordinal(), f.position),
        )
    if covering:
        return min(covering, key=lambda f: (-f.feed_start_date.toordinal(), f.position))
    return None


def inbox_file_name(feed: ArchivedFeed) -> str:
    """A stable, path-safe name: the same archived version always lands under the same name."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", feed.feed_version).strip("-")[:80] or "feed"
    return f"gtfs_static_{feed.feed_start_date:%Y%m%d}_{feed.feed_end_date:%Y%m%d}_{slug}.zip"


def _get(session: requests.Session, url: str) -> bytes:
    try:
        response = session.get(url, timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
    except requests.RequestException as exc:
        raise StaticFetchError(f"could not download {url}: {exc}") from exc
    return response.content


@dataclass(frozen=True)
class FetchedFeed:
    feed: ArchivedFeed
    path: Path
    size: int


def fetch_static_feed(
    day: date,
    inbox: str | Path,
    *,
    index_url: str = MBTA_ARCHIVE_INDEX_URL,
    timezone: str = "America/New_York",
    session: requests.Session | None = None,
) -> FetchedFeed:
    """Download the version in force on ``day`` into ``inbox`` (written atomically) and return it."""
    http = session or requests.Session()
    index_text = _get(http, index_url).decode("utf-8-sig")
    feed = feed_in_force(parse_archive_index(index_text), day, ZoneInfo(timezone))
    if feed is None:
        raise StaticFetchError(f"no feed version in {index_url} covers {day:%Y-%m-%d}")
    body = _get(http, requests.compat.urljoin(index_url, feed.archive_url))
    if not zipfile.is_zipfile(io.BytesIO(body)):
        raise StaticFetchError(f"{feed.archive_url} is not a zip file ({len(body)} bytes)")
    target_dir = Path(inbox)
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / inbox_file_name(feed)
    partial = target.with_name(f".{target.name}.partial")
    partial.write_bytes(body)
    os.replace(partial, target)  # the extractor never sees a half-written zip
    return FetchedFeed(feed=feed, path=target, size=len(body))
