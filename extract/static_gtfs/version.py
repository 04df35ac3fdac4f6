"""Which version a static feed is: its feed_key, version_key and feed_active_date.

- **version_key** (spec rule 0.3) is the publication time in epoch seconds, so newer is greater. It is the
  ISO-8601 timestamp with offset inside feed_version (MBTA: "Spring 2023, 2023-04-24T21:42:57+00:00,
  version D" → 1682372577, i.e. 2023-04-24T21:42:57Z). Deterministic fallbacks, in order, when there is
  none: the local midnight of feed_info.feed_start_date; the local midnight of the earliest calendar
  start_date / calendar_dates date; 0. ``version_key_source`` says which one was used.
- **feed_active_date** (rule 3.2) is the local date (agency timezone, default America/New_York) of that
  timestamp, else feed_start_date; "YYYYMMDD" text like every GTFS date.
- **feed_key** names the version in paths (``feed_key=<key>``): ``<version time UTC>_<slug of
  feed_version>``, e.g. ``20230424T214257Z_spring-2023-version-d``, so keys sort by version. Without
  feed_info (or without a feed_version) it is ``content-<sha256 prefix>``. The same feed version gives the
  same key whether it arrives as a zip or a directory, or is downloaded again.

Only times and dates in the years 1900–2199 count (MIN_YEAR, MAX_YEAR). Outside them a value is a typo or
a placeholder ("00010101", "v 9999-12-31T23:00:00-05:00"), can overflow Python's datetime once shifted
to UTC or local time, and falls in local mean time (Boston's 1883 clock: -04:56:02), which gives keys
like ``10101T045602Z``. Such a value is treated like one that does not parse, with a warning: the next
fallback above is used (rule 3.2: feed_active_date = feed_start_date). Every time in a key or a date is
formatted with a zero-padded four-digit year, whatever the platform's strftime does.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

ISO_TIMESTAMP = re.compile(
    r"(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?))", re.IGNORECASE
)
GTFS_DATE = re.compile(r"^\d{8}$")
MAX_SLUG_LENGTH = 60
MIN_YEAR, MAX_YEAR = 1900, 2199  # see the module doc


@dataclass(frozen=True)
class FeedVersion:
    feed_key: str
    version_key: int
    version_key_source: str  # "feed_version_timestamp" | "feed_start_date" | "calendar" | "none"
    feed_active_date: str | None
    warnings: tuple[str, ...] = ()  # values that were ignored, e.g. a feed_version time in year 9999


def identify_version(
    *,
    feed_version: str | None,
    feed_start_date: str | None,
    earliest_service_date: str | None,
    content_sha256: str,
    timezone: ZoneInfo,
) -> FeedVersion:
    """The version of a feed from its feed_info values (None when absent) and its content hash."""
    warnings: list[str] = []
    published, problem = _published_time(feed_version)
    if problem:
        warnings.append(
            f"feed_info.txt: feed_version {problem}; the version is dated by feed_start_date "
            "(rule 3.2) or the calendar instead"
        )
    start_date = feed_start_date if is_gtfs_date(feed_start_date) else None
    if feed_start_date and start_date is None:
        warnings.append(
            f"feed_info.txt: feed_start_date {feed_start_date!r} is not a date YYYYMMDD in the years "
            f"{MIN_YEAR}–{MAX_YEAR}; it is not used to date the version"
        )
    earliest_service_date = earliest_service_date if is_gtfs_date(earliest_service_date) else None
    if published is not None:
        version_key, source = int(published.timestamp()), "feed_version_timestamp"
        active_date: str | None = _gtfs_date(published.astimezone(timezone).date())
    elif start_date is not None:
        version_key, source = local_midnight(start_date, timezone), "feed_start_date"
        active_date = start_date
    elif earliest_service_date is not None:
        version_key, source = local_midnight(earliest_service_date, timezone), "calendar"
        active_date = None
    else:
        version_key, source, active_date = 0, "none", None

    if feed_version and feed_version.strip():
        stamp = _utc_stamp(version_key)
        slug = _slug(ISO_TIMESTAMP.sub(" ", feed_version))
        feed_key = f"{stamp}_{slug}" if slug else stamp
    else:
        feed_key = f"content-{content_sha256[:20]}"
    return FeedVersion(feed_key, version_key, source, active_date, tuple(warnings))


def published_time(feed_version: str | None) -> datetime | None:
    """The first ISO-8601 timestamp with an offset in feed_version, if any (and if it is a real time)."""
    return _published_time(feed_version)[0]


def _published_time(feed_version: str | None) -> tuple[datetime | None, str | None]:
    """The publication time in feed_version, or None and why the timestamp it holds was not used."""
    match = ISO_TIMESTAMP.search(feed_version or "")
    if match is None:
        return None, None  # no timestamp at all: nothing to warn about (Caltrain's "20230922")
    text = match.group(1)
    try:
        published = datetime.fromisoformat(text.upper().replace(" ", "T"))
    except ValueError:
        return None, f"timestamp {text!r} is not a real time"
    try:
        utc_year = published.astimezone(UTC).year
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is in year 0 in UTC, which datetime cannot hold
        utc_year = 0
    if not MIN_YEAR <= utc_year <= MAX_YEAR:
        return None, f"timestamp {text!r} is outside the years {MIN_YEAR}–{MAX_YEAR}"
    return published, None


def is_gtfs_date(text: str | None) -> bool:
    """True for a real calendar date written "YYYYMMDD", in the years MIN_YEAR–MAX_YEAR."""
    if text is None or not GTFS_DATE.match(text):
        return False
    try:
        datetime.strptime(text, "%Y%m%d")
    except ValueError:
        return False
    return MIN_YEAR <= int(text[:4]) <= MAX_YEAR


def local_midnight(gtfs_date: str, timezone: ZoneInfo) -> int:
    """Epoch seconds of 00:00 local time on a "YYYYMMDD" date (spec rule 0.1)."""
    day = date(int(gtfs_date[:4]), int(gtfs_date[4:6]), int(gtfs_date[6:]))
    return int(datetime.combine(day, time(0), timezone).timestamp())


def _utc_stamp(epoch_seconds: int) -> str:
    """Epoch seconds as 20230424T214257Z, the year zero-padded (glibc's %Y writes year 1 as "1")."""
    moment = datetime.fromtimestamp(epoch_seconds, UTC)
    return f"{moment.year:04d}{moment:%m%dT%H%M%SZ}"


def _gtfs_date(day: date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _slug(text: str) -> str:
    """Lower-case letters, digits and single dashes: safe in a path and a hive partition value.

    Letters and digits outside ASCII ("春ダイヤ", "Été") cannot appear in the slug; when any is dropped, a
    hash of the whole text is appended so that two such versions still get distinct keys.
    """
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    lost_letters = any(char.isalnum() and not char.isascii() for char in text)
    if len(slug) <= MAX_SLUG_LENGTH and not lost_letters:
        return slug
    # Keep long (or non-ASCII) versions distinct after truncation.
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{slug[:MAX_SLUG_LENGTH]}-{digest}".lstrip("-")
