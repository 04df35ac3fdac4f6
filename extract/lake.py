"""The lake: a directory or an ``s3://bucket/prefix`` holding partitioned parquet files.

Layout (docs/architecture.md; other tools read it, so it is part of the contract)::

    gtfs_rt/<table>/date=YYYY-MM-DD/hour=HH/<batch_id>.parquet      UTC date/hour of the header timestamp
    gtfs_static/<file>/feed_key=<key>/<batch_id>.parquet            one per GTFS file per feed version
    gtfs_static/feed_versions/feed_key=<key>/<batch_id>.parquet     one row per feed version
    _ledger/<batch_id>.parquet                                      the commit log (extract/ledger.py)
    _quarantine/<sha256>/<original name> + reason.json              rejected inputs, raw bytes kept

Every write is atomic: a local file is written under a hidden temporary name in its final directory and
renamed into place (a rename within a directory is atomic on POSIX); an S3 object only becomes visible when
its upload completes. So a reader never sees half a file. A batch's data files are committed by its ledger
file; until then readers ignore them (``committed_data_files``) and the next run deletes them
(``remove_uncommitted``). Writers of a local lake take turns through ``writer_lock``; an S3 lake must
have one writer at a time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import functools
import os
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

REALTIME_ROOT = "gtfs_rt"
STATIC_ROOT = "gtfs_static"
LEDGER_DIR = "_ledger"
QUARANTINE_DIR = "_quarantine"
PARQUET_SUFFIX = ".parquet"
# Temporary files are hidden (leading dot) and do not end in .parquet, so neither a `*.parquet` glob
# (DuckDB) nor a pyarrow dataset (which skips names starting with "." or "_") can pick one up.
TEMP_PREFIX = ".tmp-"

PARQUET_COMPRESSION = "zstd"
# Level 1 writes ~25% faster than the default (3) and, on feed rows, compresses to the same size.
PARQUET_COMPRESSION_LEVEL = 1
# A batch (~300,000 rows, extract/pipeline.py) is then one row group: writing is ~1.5x faster than with
# 128k-row groups, and a row group still decodes in well under 100 MB.
ROW_GROUP_SIZE = 512 * 1024

# Min/max statistics are kept for the columns readers filter on. Computing them for every column of a
# wide realtime table costs ~25% of the write time for no reader benefit.
STATISTICS_COLUMNS = (
    "source_file_id",
    "feed_timestamp",
    "entity_id",
    "route_id",
    "trip_id",
    "start_date",
    "stop_id",
    "vehicle_id",
)

_BATCH_ID = re.compile(r"^\d{8}T\d{6}\d{6}Z-[0-9a-f]{8}$")


@dataclass(frozen=True)
class DataFile:
    """One committed parquet file of a lake table."""

    path: str  # full local path or s3:// URI
    batch_id: str
    partition: dict[str, str]  # {"date": "2023-05-08", "hour": "12"} or {"feed_key": "..."}


def new_batch_id(now: dt.datetime | None = None) -> str:
    """A unique id that sorts by creation time: ``20230508T120002123456Z-1a2b3c4d``."""
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return f"{moment:%Y%m%dT%H%M%S%f}Z-{secrets.token_hex(4)}"


def is_batch_id(text: str) -> bool:
    return _BATCH_ID.match(text) is not None


def s3_endpoint_override() -> str | None:
    """The S3-compatible endpoint to use instead of AWS, if configured."""
    return os.environ.get("LAMP_S3_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT_URL") or None


def _s3_filesystem() -> pafs.S3FileSystem:
    # Credentials come from the standard AWS chain (env, profile, instance role) inside the AWS SDK.
    kwargs: dict[str, object] = {}
    endpoint = s3_endpoint_override()
    if endpoint:
        parsed = urlparse(endpoint if "://" in endpoint else f"https://{endpoint}")
        kwargs["endpoint_override"] = parsed.netloc
        kwargs["scheme"] = parsed.scheme
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if region:
        kwargs["region"] = region
    return pafs.S3FileSystem(**kwargs)


@dataclass(frozen=True)
class Lake:
    """Where the lake lives: a pyarrow filesystem and the root path inside it."""

    uri: str  # as configured: a directory or s3://bucket/prefix
    fs: pafs.FileSystem
    root: str  # path inside ``fs`` without a trailing slash ("bucket/prefix" on S3)
    is_s3: bool

    def path(self, relative: str) -> str:
        """The path of ``relative`` inside the filesystem."""
        return f"{self.root}/{relative}" if relative else self.root

    def full_uri(self, relative: str) -> str:
        """What a user or another tool opens: a local path or an s3:// URI."""
        return f"s3://{self.path(relative)}" if self.is_s3 else self.path(relative)

    # Streams are opened with compression=None: pyarrow would otherwise gzip a "*.gz" name on write
    # (and gunzip it on read), and the quarantine must keep the raw bytes.
    def write_bytes(self, relative: str, data: bytes) -> None:
        self._write_atomically(relative, lambda out: out.write(data))

    def write_parquet(self, relative: str, table: pa.Table) -> None:
        self._write_atomically(
            relative,
            lambda out: pq.write_table(
                table,
                out,
                compression=PARQUET_COMPRESSION,
                compression_level=PARQUET_COMPRESSION_LEVEL,
                row_group_size=ROW_GROUP_SIZE,
                write_statistics=_statistics_columns(table.schema),
            ),
        )

    def read_bytes(self, relative: str) -> bytes:
        with self.fs.open_input_stream(self.path(relative), compression=None) as stream:
            return bytes(stream.read())

    def read_parquet(self, relative: str, columns: list[str] | None = None) -> pa.Table:
        return pq.read_table(self.path(relative), filesystem=self.fs, columns=columns)

    def exists(self, relative: str) -> bool:
        return self.fs.get_file_info(self.path(relative)).type != pafs.FileType.NotFound

    def delete(self, relative: str) -> None:
        self.fs.delete_file(self.path(relative))

    def list_files(self, relative_dir: str) -> list[str]:
        """Paths (relative to the lake root) of every file under ``relative_dir``, sorted."""
        selector = pafs.FileSelector(self.path(relative_dir), recursive=True, allow_not_found=True)
        prefix = f"{self.root}/"
        return sorted(
            info.path[len(prefix) :]
            for info in self.fs.get_file_info(selector)
            if info.type == pafs.FileType.File
        )

    def _write_atomically(self, relative: str, write: Callable[[Any], object]) -> None:
        final = self.path(relative)
        directory = final.rpartition("/")[0]
        if self.is_s3:
            # An S3 PUT (or multipart upload) only becomes visible once complete: already atomic.
            with self.fs.open_output_stream(final, compression=None) as out:
                write(out)
            return
        self.fs.create_dir(directory, recursive=True)
        # The temporary name does not embed the final one: a legal 250-byte name plus a prefix would pass
        # the file system's 255-byte limit.
        temporary = f"{directory}/{TEMP_PREFIX}{secrets.token_hex(8)}"
        try:
            with self.fs.open_output_stream(temporary, compression=None) as out:
                write(out)
            self.fs.move(temporary, final)
        except BaseException:
            if self.fs.get_file_info(temporary).type != pafs.FileType.NotFound:
                self.fs.delete_file(temporary)
            raise


def _statistics_columns(schema: pa.Schema) -> list[str] | bool:
    """Realtime tables (they carry ``source_file_id``): the filter columns only; other tables: all."""
    if "source_file_id" not in schema.names:
        return True
    return [name for name in STATISTICS_COLUMNS if name in schema.names]


def open_lake(uri: str) -> Lake:
    """The lake at a directory (created if missing) or at ``s3://bucket/prefix``."""
    if uri.startswith("s3://"):
        root = uri[len("s3://") :].strip("/")
        if not root:
            raise ValueError(f"an S3 lake needs a bucket: {uri!r}")
        return Lake(uri=uri, fs=_s3_filesystem(), root=root, is_s3=True)
    if "://" in uri:
        raise ValueError(f"unsupported lake location {uri!r}: use a directory or s3://bucket/prefix")
    root = os.path.abspath(uri)
    os.makedirs(root, exist_ok=True)
    return Lake(uri=uri, fs=pafs.LocalFileSystem(), root=root.rstrip("/") or "/", is_s3=False)


@contextlib.contextmanager
def writer_lock(lake: Lake) -> Iterator[None]:
    """Hold the lake's writer lock: concurrent runs on a local lake take turns instead of deleting each
    other's uncommitted files. It is an flock, so it dies with its process: a killed run never leaves it
    held. S3 has no such lock; an S3 lake needs a single writer (one scheduler)."""
    if lake.is_s3:
        yield
        return
    directory = os.path.join(lake.root, LEDGER_DIR)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, ".lock"), "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def as_lake(lake: str | Lake) -> Lake:
    return lake if isinstance(lake, Lake) else open_lake(lake)


# --- layout -----------------------------------------------------------------------------------------


def realtime_partition(feed_timestamp: int) -> dict[str, str]:
    """The partition of a snapshot: UTC date and hour of its header timestamp.

    Raises ValueError or OverflowError for a timestamp that is no date (beyond year 9999).
    """
    return dict(_hour_partition(feed_timestamp // 3600))


@functools.lru_cache(maxsize=4096)
def _hour_partition(epoch_hour: int) -> tuple[tuple[str, str], ...]:
    # Cached per hour: thousands of snapshots share one hour, and formatting dates is not free.
    moment = dt.datetime.fromtimestamp(epoch_hour * 3600, dt.UTC)
    return (("date", f"{moment:%Y-%m-%d}"), ("hour", f"{moment:%H}"))


def realtime_file(table: str, partition: dict[str, str], batch_id: str) -> str:
    return (
        f"{REALTIME_ROOT}/{table}/date={partition['date']}/hour={partition['hour']}/"
        f"{batch_id}{PARQUET_SUFFIX}"
    )


def static_file(gtfs_file: str, feed_key: str, batch_id: str) -> str:
    return f"{STATIC_ROOT}/{gtfs_file}/feed_key={feed_key}/{batch_id}{PARQUET_SUFFIX}"


def ledger_file(batch_id: str) -> str:
    return f"{LEDGER_DIR}/{batch_id}{PARQUET_SUFFIX}"


def quarantine_dir(sha256: str) -> str:
    return f"{QUARANTINE_DIR}/{sha256}"


def committed_batch_ids(lake: str | Lake) -> set[str]:
    """Batches whose ledger file exists: the only ones whose data files count."""
    the_lake = as_lake(lake)
    ids: set[str] = set()
    for relative in the_lake.list_files(LEDGER_DIR):
        name = relative.rpartition("/")[2]
        if name.endswith(PARQUET_SUFFIX) and is_batch_id(name[: -len(PARQUET_SUFFIX)]):
            ids.add(name[: -len(PARQUET_SUFFIX)])
    return ids


def _data_file_of(relative: str) -> tuple[str, dict[str, str]] | None:
    """(batch_id, partition) of a data file path, or None for anything else (temp files...)."""
    *directories, name = relative.split("/")
    if not name.endswith(PARQUET_SUFFIX) or not is_batch_id(name[: -len(PARQUET_SUFFIX)]):
        return None
    partition = dict(part.split("=", 1) for part in directories if "=" in part)
    return name[: -len(PARQUET_SUFFIX)], partition


def list_tables(lake: str | Lake) -> list[str]:
    """Every table of the lake with at least one file: "gtfs_rt/vehicle_positions", "gtfs_static/routes"..."""
    the_lake = as_lake(lake)
    tables: set[str] = set()
    for root in (REALTIME_ROOT, STATIC_ROOT):
        for relative in the_lake.list_files(root):
            parts = relative.split("/")
            if len(parts) > 2:
                tables.add(f"{parts[0]}/{parts[1]}")
    return sorted(tables)


def committed_data_files(lake: str | Lake, table: str) -> list[DataFile]:
    """The committed parquet files of ``table`` ("gtfs_rt/vehicle_positions", "gtfs_static/routes", ...).

    Files of batches without a ledger file (a run killed before its commit) are left out.
    """
    the_lake = as_lake(lake)
    committed = committed_batch_ids(the_lake)
    files: list[DataFile] = []
    for relative in the_lake.list_files(table.strip("/")):
        parsed = _data_file_of(relative)
        if parsed is not None and parsed[0] in committed:
            files.append(DataFile(the_lake.full_uri(relative), parsed[0], parsed[1]))
    return files


def remove_uncommitted(lake: str | Lake, committed: set[str] | None = None) -> list[str]:
    """Delete leftovers of killed runs: data files of uncommitted batches and temporary files.

    Returns the deleted paths (relative to the lake root). Only safe with a single writer.
    """
    the_lake = as_lake(lake)
    known = committed_batch_ids(the_lake) if committed is None else committed
    deleted: list[str] = []
    for root in (REALTIME_ROOT, STATIC_ROOT, LEDGER_DIR, QUARANTINE_DIR):
        for relative in the_lake.list_files(root):
            name = relative.rpartition("/")[2]
            parsed = _data_file_of(relative)
            leftover = name.startswith(TEMP_PREFIX) or (
                root not in (LEDGER_DIR, QUARANTINE_DIR) and parsed is not None and parsed[0] not in known
            )
            if leftover:
                the_lake.delete(relative)
                deleted.append(relative)
    return deleted
