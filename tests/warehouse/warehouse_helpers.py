"""Warehouse test helpers: hand-built lake batches, a small real input set, queries on either engine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import psycopg
import pyarrow as pa

from extract.lake import new_batch_id, open_lake, realtime_file, realtime_partition, static_file
from extract.ledger import LANDED, Ledger, LedgerRecord
from extract.schemas import REALTIME_TABLES
from extract.warehouse import WarehouseTarget
from extract.warehouse.target import postgres_conninfo

FEED_TIME = 1683547200  # 2023-05-08T12:00:00Z


def query(target: WarehouseTarget, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Rows of a query on the warehouse (``?`` placeholders are rewritten for Postgres)."""
    if target.name == "duckdb":
        with duckdb.connect(target.duckdb_path, read_only=True) as connection:
            return connection.execute(sql, list(params)).fetchall()
    with psycopg.connect(postgres_conninfo(target.postgres)) as connection:
        return connection.execute(sql.replace("?", "%s"), tuple(params)).fetchall()


def realtime_rows(table: str, rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    """Rows of a realtime lake table: provenance defaults filled in, every other column NULL unless given."""
    defaults = {
        "source_file_id": "f" * 64,
        "feed_timestamp": FEED_TIME,
        "entity_index": 0,
        "has_millisecond_timestamp": False,
    }
    full = [{**defaults, "entity_index": index, **row} for index, row in enumerate(rows)]
    return pa.Table.from_pylist(full, schema=REALTIME_TABLES[table])


def write_batch(
    lake_dir: Path | str,
    realtime: Mapping[str, pa.Table] | None = None,
    static: Mapping[tuple[str, str], pa.Table] | None = None,
    *,
    raw_files: Mapping[str, bytes] | None = None,
) -> str:
    """Write one committed batch in the documented lake layout; returns its batch id.

    ``realtime``: table name → rows (one file, partitioned by the first row's feed timestamp);
    ``static``: (gtfs file, feed_key) → rows; ``raw_files``: lake path template (``{batch_id}`` is
    replaced) → bytes written as they are, e.g. a corrupt parquet file.
    """
    lake = open_lake(str(lake_dir))  # a directory or s3://bucket/prefix
    batch_id = new_batch_id()
    for table, rows in (realtime or {}).items():
        partition = realtime_partition(int(rows.column("feed_timestamp")[0].as_py()))
        lake.write_parquet(realtime_file(table, partition, batch_id), rows)
    for (gtfs_file, feed_key), rows in (static or {}).items():
        lake.write_parquet(static_file(gtfs_file, feed_key, batch_id), rows)
    for template, data in (raw_files or {}).items():
        lake.write_bytes(template.format(batch_id=batch_id), data)
    record = LedgerRecord(
        batch_id=batch_id,
        source=f"test-input-{batch_id}",
        name="test-input",
        size=0,
        sha256="0" * 64,
        outcome=LANDED,
        recorded_at=dt.datetime.now(dt.UTC),
    )
    Ledger().commit(lake, batch_id, [record])
    return batch_id


def sample_inputs(sample_data: Path, snapshots_per_hour: int = 5) -> list[Path]:
    """A small real input set: the first snapshots of each feed and hour (protobuf at 12:00, enhanced
    JSON at 13:00), the MBTA static feed, Caltrain's feed and snapshots, and real MBTA alerts."""
    day = sample_data / "mbta" / "2023-05-08"
    inputs: list[Path] = []
    for feed in ("VehiclePositions", "TripUpdates"):
        files = sorted((day / "raw" / feed).iterdir())
        for hour in ("T12:", "T13:"):
            inputs += [path for path in files if hour in path.name][:snapshots_per_hour]
    inputs.append(day / "static" / "MBTA_GTFS")
    caltrain = sample_data / "other" / "caltrain-2023-11-08"
    inputs += [
        caltrain / "caltrain_gtfs.zip",
        caltrain / "ct-trip-updates.pb",
        caltrain / "ct-vehicle-positions.pb",
    ]
    feeds = sample_data / "mbta" / "feeds"
    inputs += sorted(path for path in feeds.iterdir() if "Alerts" in path.name)
    return inputs
