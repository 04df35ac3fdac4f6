"""Read the lake's committed files for the loader: which batches hold which files, and their rows.

Files are streamed in record batches (never a whole table in memory), so loading a day of trip updates
needs little memory whatever the file sizes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.parquet as pq

from extract.lake import DataFile, Lake, committed_batch_ids, committed_data_files

# Rows per record batch handed to the warehouse: large enough for fast bulk loads, small enough that a
# wide trip-updates batch stays around tens of megabytes.
READ_BATCH_ROWS = 64 * 1024


@dataclass(frozen=True)
class BatchFile:
    """One committed file of a lake batch, and the raw table it goes to."""

    lake_table: str  # "gtfs_rt/vehicle_positions", "gtfs_static/routes", ...
    file: DataFile


def files_by_batch(lake: Lake, lake_tables: tuple[str, ...]) -> dict[str, list[BatchFile]]:
    """Every committed batch id → its files of ``lake_tables`` (a batch may have none, e.g. only rejects)."""
    batches: dict[str, list[BatchFile]] = defaultdict(list)
    for batch_id in committed_batch_ids(lake):
        batches[batch_id] = []
    for lake_table in lake_tables:
        for data_file in committed_data_files(lake, lake_table):
            batches[data_file.batch_id].append(BatchFile(lake_table, data_file))
    for files in batches.values():
        files.sort(key=lambda batch_file: (batch_file.lake_table, batch_file.file.path))
    return dict(batches)


def _filesystem_path(lake: Lake, path: str) -> str:
    return path.removeprefix("s3://") if lake.is_s3 else path


@dataclass(frozen=True)
class FileRows:
    """The rows of one lake file, for a warehouse writer.

    A local file is given by path too, because DuckDB reads parquet itself (in parallel) much faster
    than it scans an arrow stream; a file on S3 is only available as a stream.
    """

    schema: pa.Schema
    local_path: str | None
    open_stream: Callable[[], pa.RecordBatchReader]


def file_rows(lake: Lake, data_file: DataFile) -> FileRows:
    path = _filesystem_path(lake, data_file.path)
    schema = pq.read_schema(path, filesystem=lake.fs)
    return FileRows(schema, None if lake.is_s3 else path, lambda: stream_rows(lake, data_file))


def stream_rows(lake: Lake, data_file: DataFile) -> pa.RecordBatchReader:
    """The file's rows as a stream of record batches."""
    parquet = pq.ParquetFile(_filesystem_path(lake, data_file.path), filesystem=lake.fs)
    return pa.RecordBatchReader.from_batches(
        parquet.schema_arrow, parquet.iter_batches(batch_size=READ_BATCH_ROWS)
    )
