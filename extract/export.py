"""The public daily subway-performance files, in LAMP's layout (rule 12 of rail-metrics.md).

One ``YYYY-MM-DD-subway-on-time-performance-v1.parquet`` per service date, holding exactly the 27 columns
of rule 12.3 (names, Arrow types, order) and the rows of ``marts.subway_performance`` for that date in
the order of rule 12.4, plus an ``index.csv`` listing every daily file of the folder the way LAMP's public
archive does (``file_url, size_bytes, last_modified, service_date``), so existing consumers switch
without changing a line.

Files are written to a temporary name and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from extract.warehouse.target import WarehouseTarget
from extract.warehouse_query import query_arrow, query_rows

FILE_SUFFIX = "-subway-on-time-performance-v1.parquet"
INDEX_FILE = "index.csv"
INDEX_COLUMNS = ("file_url", "size_bytes", "last_modified", "service_date")
_DAILY_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})" + re.escape(FILE_SUFFIX) + "$")

# Rule 12.3: the public columns, in order, with LAMP's Arrow types.
SUBWAY_PERFORMANCE_SCHEMA = pa.schema(
    [
        ("stop_sequence", pa.int16()),
        ("stop_id", pa.string()),
        ("parent_station", pa.string()),
        ("move_timestamp", pa.int64()),
        ("stop_timestamp", pa.int64()),
        ("travel_time_seconds", pa.int64()),
        ("dwell_time_seconds", pa.int64()),
        ("headway_trunk_seconds", pa.int64()),
        ("headway_branch_seconds", pa.int64()),
        ("service_date", pa.int64()),
        ("route_id", pa.string()),
        ("direction_id", pa.bool_()),
        ("start_time", pa.int64()),
        ("vehicle_id", pa.string()),
        ("branch_route_id", pa.string()),
        ("trunk_route_id", pa.string()),
        ("stop_count", pa.int16()),
        ("trip_id", pa.string()),
        ("vehicle_label", pa.string()),
        ("vehicle_consist", pa.string()),
        ("direction", pa.string()),
        ("direction_destination", pa.string()),
        ("scheduled_arrival_time", pa.int64()),
        ("scheduled_departure_time", pa.int64()),
        ("scheduled_travel_time", pa.int64()),
        ("scheduled_headway_branch", pa.int64()),
        ("scheduled_headway_trunk", pa.int64()),
    ]
)


@dataclass(frozen=True)
class ExportedFile:
    service_date: dt.date
    path: Path
    rows: int


@dataclass(frozen=True)
class ExportReport:
    files: list[ExportedFile]
    index: Path


def daily_file_name(service_date: dt.date) -> str:
    return f"{service_date.isoformat()}{FILE_SUFFIX}"


def service_date_int(service_date: dt.date) -> int:
    """Rule 0.1: a service date is the integer YYYYMMDD."""
    return service_date.year * 10000 + service_date.month * 100 + service_date.day


def parse_service_date(text: str) -> dt.date:
    """``YYYY-MM-DD`` (the CLI's form) or ``YYYYMMDD`` (the warehouse's form)."""
    text = text.strip()
    if re.fullmatch(r"\d{8}", text):
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    return dt.date.fromisoformat(text)


def published_service_dates(target: WarehouseTarget) -> list[dt.date]:
    """The service dates that have rows in ``marts.subway_performance``."""
    rows = query_rows(target, "select distinct service_date from marts.subway_performance order by 1")
    return [parse_service_date(str(row[0])) for row in rows]


def in_public_order(table: pa.Table) -> pa.Table:
    """Rule 12.4: coalesce(vp_move, vp_stop, tu_stop), then route_id, trip_id, parent_station.

    stop_timestamp is already coalesce(vp_stop, tu_stop). Sorting in Arrow rather than SQL makes the
    order byte-wise (rule 0.5's C collation) on every warehouse, whatever the database's collation.
    """
    first_seen = pc.coalesce(table["move_timestamp"], table["stop_timestamp"])
    keyed = table.append_column("__first_seen", first_seen)
    order = pc.sort_indices(
        keyed,
        sort_keys=[
            ("__first_seen", "ascending", "at_end"),
            ("route_id", "ascending", "at_end"),
            ("trip_id", "ascending", "at_end"),
            ("parent_station", "ascending", "at_end"),
        ],
    )
    return table.take(order)


def read_daily_table(target: WarehouseTarget, service_date: dt.date) -> pa.Table:
    """One service date of ``marts.subway_performance`` with exactly the public schema."""
    columns = ", ".join(SUBWAY_PERFORMANCE_SCHEMA.names)
    day = service_date_int(service_date)
    sql = f"select {columns} from marts.subway_performance where service_date = {day}"
    table = query_arrow(target, sql, SUBWAY_PERFORMANCE_SCHEMA)
    return in_public_order(table)


def _atomic_write(path: Path, write: Callable[[str], None]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    # mkstemp makes the file private (0600); a published file gets the usual permissions of the umask.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temporary, 0o666 & ~umask)
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def write_daily_file(table: pa.Table, service_date: dt.date, out_dir: Path) -> ExportedFile:
    if table.schema != SUBWAY_PERFORMANCE_SCHEMA:
        raise ValueError("the daily table does not have the public schema of rule 12.3")
    path = out_dir / daily_file_name(service_date)
    _atomic_write(path, lambda temporary: pq.write_table(table, temporary, compression="zstd"))
    return ExportedFile(service_date=service_date, path=path, rows=table.num_rows)


def index_rows(out_dir: Path) -> list[dict[str, str]]:
    """One row per daily file of the folder, oldest service date first."""
    rows = []
    for path in sorted(out_dir.iterdir()):
        match = _DAILY_FILE.match(path.name)
        if not match:
            continue
        stat = path.stat()
        modified = dt.datetime.fromtimestamp(stat.st_mtime, tz=dt.UTC).isoformat(timespec="seconds")
        rows.append(
            {
                "file_url": path.resolve().as_uri(),
                "size_bytes": str(stat.st_size),
                "last_modified": modified,
                "service_date": match.group(1),
            }
        )
    return rows


def write_index(out_dir: Path) -> Path:
    path = out_dir / INDEX_FILE
    rows = index_rows(out_dir)

    def write(temporary: str) -> None:
        with open(temporary, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=INDEX_COLUMNS)
            writer.writeheader()
            writer.writerows(rows)

    _atomic_write(path, write)
    return path


def export_service_dates(
    target: WarehouseTarget, service_dates: Iterable[dt.date], out_dir: str | Path
) -> ExportReport:
    """Write the daily file of each date (replacing an older one), then rewrite the index."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    files = [
        write_daily_file(read_daily_table(target, day), day, folder) for day in sorted(set(service_dates))
    ]
    return ExportReport(files=files, index=write_index(folder))


def dates_between(first: dt.date, last: dt.date) -> Sequence[dt.date]:
    return [first + dt.timedelta(days=offset) for offset in range((last - first).days + 1)]
