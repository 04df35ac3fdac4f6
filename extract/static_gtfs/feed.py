"""A whole static feed → StaticFeed: its tables, version and the one-row ``feed_versions`` table."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pyarrow as pa
import pyarrow.compute as pc

from extract.errors import RejectedInput
from extract.static_gtfs.columns import CALENDAR_FILES, EXPECTED_FILES, GTFS_FILE_NAMES
from extract.static_gtfs.container import content_sha256, load_feed_files
from extract.static_gtfs.csv_table import read_gtfs_csv
from extract.static_gtfs.version import identify_version, is_gtfs_date

DEFAULT_TIMEZONE = "America/New_York"  # spec rule 0.1: "local" means America/New_York
FEED_VERSIONS_TABLE = "feed_versions"
TABLE_NAME = re.compile(r"^[a-z0-9_]+$")
# Files that, when present, should have rows: a header-only one lands (rule 3.4) but is worth a warning.
ROWS_EXPECTED = ("routes", *EXPECTED_FILES)

# gtfs_static/feed_versions/feed_key=<key>/: one row per landed feed version.
FEED_VERSIONS_SCHEMA = pa.schema(
    [
        pa.field("feed_key", pa.string(), nullable=False),
        pa.field("version_key", pa.int64(), nullable=False),  # publication epoch seconds (rule 0.3)
        # how version_key was found: feed_version_timestamp | feed_start_date | calendar | none
        pa.field("version_key_source", pa.string(), nullable=False),
        pa.field("feed_version", pa.string()),
        pa.field("feed_publisher_name", pa.string()),
        pa.field("feed_start_date", pa.string()),  # "YYYYMMDD", as in feed_info
        pa.field("feed_end_date", pa.string()),
        pa.field("feed_active_date", pa.string()),  # "YYYYMMDD", rule 3.2
        pa.field("agency_timezone", pa.string(), nullable=False),
        pa.field("content_sha256", pa.string(), nullable=False),
        pa.field("files", pa.list_(pa.string()), nullable=False),  # e.g. ["routes.txt", "trips.txt"]
        pa.field("missing_files", pa.list_(pa.string()), nullable=False),
    ]
)


@dataclass(frozen=True)
class StaticFeed:
    feed_key: str  # path-safe, stable for the same version (see extract/static_gtfs/version.py)
    version_key: int  # publication epoch seconds: newer is greater (spec rule 0.3)
    feed_version: str | None
    content_sha256: str
    # "routes" → table, ... (file name without .txt), plus "feed_versions": the one-row version table
    tables: dict[str, pa.Table]
    missing_files: list[str]  # standard files that were absent, e.g. ["stop_times.txt"]
    warnings: list[str]
    feed_active_date: str | None = None  # "YYYYMMDD" (rule 3.2)
    agency_timezone: str = DEFAULT_TIMEZONE
    files: list[str] = field(default_factory=list)  # the .txt files the feed has


def read_static_feed(source: Path | bytes, *, default_timezone: str = DEFAULT_TIMEZONE) -> StaticFeed:
    """Read a static GTFS feed from a .zip's bytes or a directory of .txt files.

    Raises RejectedInput: ``static_missing_routes`` (no routes.txt), ``static_missing_required_column``
    (routes.txt without route_id), ``corrupt_zip``, ``static_ambiguous_zip`` (several feeds in one zip, or
    one file twice), ``static_malformed_csv``, ``static_too_large`` (over 384 MiB of .txt, zip or directory).
    ``default_timezone`` is used when agency.txt has no valid agency_timezone.
    """
    files = load_feed_files(source)
    if "routes.txt" not in files:
        present = ", ".join(sorted(files)) or "no .txt files"
        raise RejectedInput("static_missing_routes", f"the feed has no routes.txt (it has: {present})")

    warnings: list[str] = []
    tables = _read_tables(files, warnings)
    warnings.extend(f"{name}.txt has no rows" for name in ROWS_EXPECTED if _is_empty(tables.get(name)))
    missing = missing_files(set(tables))
    if missing:
        warnings.append(
            f"the feed is missing {', '.join(missing)}; it lands as a partial feed (spec rule 3.4)"
        )
    timezone_name = _agency_timezone(tables.get("agency"), default_timezone, warnings)
    feed_info = _first_row(tables.get("feed_info"), warnings)
    sha256 = content_sha256(files)
    version = identify_version(
        feed_version=feed_info.get("feed_version"),
        feed_start_date=feed_info.get("feed_start_date"),
        earliest_service_date=_earliest_service_date(tables),
        content_sha256=sha256,
        timezone=ZoneInfo(timezone_name),
    )
    warnings.extend(version.warnings)
    file_names = sorted(f"{name}.txt" for name in tables)
    version_row = {
        "feed_key": version.feed_key,
        "version_key": version.version_key,
        "version_key_source": version.version_key_source,
        "feed_version": feed_info.get("feed_version"),
        "feed_publisher_name": feed_info.get("feed_publisher_name"),
        "feed_start_date": feed_info.get("feed_start_date"),
        "feed_end_date": feed_info.get("feed_end_date"),
        "feed_active_date": version.feed_active_date,
        "agency_timezone": timezone_name,
        "content_sha256": sha256,
        "files": file_names,
        "missing_files": missing,
    }
    tables[FEED_VERSIONS_TABLE] = pa.Table.from_pylist([version_row], schema=FEED_VERSIONS_SCHEMA)
    return StaticFeed(
        feed_key=version.feed_key,
        version_key=version.version_key,
        feed_version=feed_info.get("feed_version"),
        content_sha256=sha256,
        tables=tables,
        missing_files=missing,
        warnings=warnings,
        feed_active_date=version.feed_active_date,
        agency_timezone=timezone_name,
        files=file_names,
    )


def _read_tables(files: dict[str, bytes], warnings: list[str]) -> dict[str, pa.Table]:
    """One table per .txt file, named after it without .txt."""
    tables: dict[str, pa.Table] = {}
    for name, data in files.items():
        table_name = name.removesuffix(".txt")
        if not TABLE_NAME.match(table_name) or table_name == FEED_VERSIONS_TABLE:
            # The table name becomes a lake directory, and feed_versions is ours.
            warnings.append(f"{name} skipped: not a usable GTFS file name")
            continue
        try:
            table, file_warnings = read_gtfs_csv(name, data)
        except RejectedInput as error:
            if table_name in GTFS_FILE_NAMES:
                raise
            # A stray README.txt must not cost the whole feed; a broken GTFS file must.
            warnings.append(f"{name} skipped: {error.message}")
            continue
        tables[table_name] = table
        warnings.extend(file_warnings)
    return tables


def static_feed_content_sha256(source: Path | bytes) -> str:
    """One sha256 per feed: over its sorted .txt file names and contents.

    For a directory this is the ledger's key of the input. For zip bytes it is the hash of the files
    inside (not of the zip bytes), so the same feed zipped or unpacked gets the same value.
    """
    return content_sha256(load_feed_files(source))


def missing_files(present: set[str]) -> list[str]:
    """The expected files (with .txt) the feed lacks; calendar files only when both are absent."""
    missing = [name for name in EXPECTED_FILES if name not in present]
    if not present.intersection(CALENDAR_FILES):
        missing.extend(CALENDAR_FILES)
    return [f"{name}.txt" for name in missing]


def _is_empty(table: pa.Table | None) -> bool:
    """A present table without rows (an absent one is reported as a missing file instead)."""
    return table is not None and table.num_rows == 0


def _first_row(table: pa.Table | None, warnings: list[str]) -> dict[str, str | None]:
    if table is None or table.num_rows == 0:
        return {}
    if table.num_rows > 1:
        warnings.append(f"feed_info.txt has {table.num_rows} rows; the first one is used")
    row: dict[str, str | None] = table.slice(0, 1).to_pylist()[0]
    return row


def _agency_timezone(agency: pa.Table | None, default: str, warnings: list[str]) -> str:
    if agency is None or agency.num_rows == 0:
        return default
    zones = [zone for zone in agency.column("agency_timezone").to_pylist() if zone]
    if not zones:
        return default
    if len(set(zones)) > 1:
        warnings.append(f"agency.txt names several timezones {sorted(set(zones))}; using {zones[0]!r}")
    try:
        ZoneInfo(zones[0])
    except (ZoneInfoNotFoundError, ValueError):
        warnings.append(f"agency.txt: unknown agency_timezone {zones[0]!r}; using {default!r}")
        return default
    return str(zones[0])


def _earliest_service_date(tables: dict[str, pa.Table]) -> str | None:
    """The first date any calendar row mentions ("YYYYMMDD" sorts as text), for feeds without feed_info."""
    candidates: list[str] = []
    for table_name, column in (("calendar", "start_date"), ("calendar_dates", "date")):
        table = tables.get(table_name)
        if table is not None and table.num_rows:
            dates = table.column(column)
            valid = pc.filter(dates, pc.fill_null(pc.match_substring_regex(dates, r"^\d{8}$"), False))
            earliest = pc.min(valid).as_py()
            if is_gtfs_date(earliest):
                candidates.append(earliest)
    return min(candidates, default=None)
