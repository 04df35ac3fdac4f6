"""lake → warehouse schema ``raw``: incremental by lake batch, idempotent and transactional.

A batch is loaded once: its rows (every table) and its row in ``raw._lamp_loaded_batches`` are written in
one transaction, so a failure leaves the batch entirely unloaded and the next load retries it. Loading
again loads only the committed batches the warehouse has not recorded, in batch (= time) order.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import pyarrow as pa

from extract.lake import Lake, as_lake
from extract.warehouse.duckdb_writer import DuckdbWriter
from extract.warehouse.lake_reader import BatchFile, file_rows, files_by_batch
from extract.warehouse.postgres_writer import PostgresWriter
from extract.warehouse.raw_tables import (
    BATCH_COLUMN,
    FEED_KEY_COLUMN,
    LAKE_TABLES,
    is_static,
    raw_table_name,
    standard_schema,
    with_batch_column,
)
from extract.warehouse.target import DUCKDB, WarehouseTarget, prepare
from extract.warehouse.writer import RawWriter


@dataclass(frozen=True)
class LoadReport:
    """What one load did."""

    target: str  # where, for messages
    batches_loaded: list[str] = field(default_factory=list)
    batches_already_loaded: int = 0
    files_loaded: int = 0
    rows_by_table: dict[str, int] = field(default_factory=dict)  # raw table → rows inserted
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(self.rows_by_table.values())


def open_writer(target: WarehouseTarget) -> RawWriter:
    prepare(target)
    if target.name == DUCKDB:
        return DuckdbWriter(target.duckdb_path)
    return PostgresWriter(target.postgres)


def load(
    lake: str | Lake,
    target: WarehouseTarget,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> LoadReport:
    """Load the lake's committed batches not yet in the warehouse; ``progress(done, total)`` per batch."""
    started = time.perf_counter()
    the_lake = as_lake(lake)
    writer = open_writer(target)
    try:
        writer.prepare_schema()
        with writer.transaction():
            ensure_standard_tables(writer)
        batches = files_by_batch(the_lake, LAKE_TABLES)
        already = writer.loaded_batches()
        pending = sorted(set(batches) - already)
        rows: Counter[str] = Counter()
        loaded: list[str] = []
        files = 0
        for done, batch_id in enumerate(pending, start=1):
            batch_rows = _load_batch(writer, the_lake, batch_id, batches[batch_id])
            if batch_rows is not None:
                rows.update(batch_rows)
                loaded.append(batch_id)
                files += len(batches[batch_id])
            if progress is not None:
                progress(done, len(pending))
    finally:
        writer.close()
    return LoadReport(
        target=target.describe(),
        batches_loaded=loaded,
        batches_already_loaded=len(set(batches) & already),
        files_loaded=files,
        rows_by_table=dict(rows),
        seconds=time.perf_counter() - started,
    )


def ensure_standard_tables(writer: RawWriter) -> None:
    """Every raw table the models read exists with at least its standard columns."""
    for lake_table in LAKE_TABLES:
        ensure_columns(writer, raw_table_name(lake_table), standard_schema(lake_table))


def ensure_columns(writer: RawWriter, table: str, schema: pa.Schema) -> None:
    """Create ``raw.<table>`` from ``schema``, or add the columns it lacks (types of existing ones stay)."""
    existing = writer.table_columns(table)
    if existing is None:
        writer.create_table(table, schema)
        return
    missing = [column for column in schema if column.name not in existing]
    if missing:
        writer.add_columns(table, missing)


def _load_batch(writer: RawWriter, lake: Lake, batch_id: str, files: list[BatchFile]) -> Counter[str] | None:
    """Load one batch in one transaction; None when another loader recorded it first."""
    rows: Counter[str] = Counter()
    with writer.transaction():
        writer.lock_loaded_batches()
        if batch_id in writer.loaded_batches():
            return None
        for batch_file in files:
            table = raw_table_name(batch_file.lake_table)
            source = file_rows(lake, batch_file.file)
            constants = {BATCH_COLUMN: batch_id}
            if is_static(batch_file.lake_table) and FEED_KEY_COLUMN not in source.schema.names:
                constants[FEED_KEY_COLUMN] = batch_file.file.partition.get(FEED_KEY_COLUMN, "")
            ensure_columns(writer, table, with_batch_column(source.schema))
            rows[table] += writer.append(table, source, constants)
        writer.record_batch(batch_id, len(files), sum(rows.values()))
    return rows
