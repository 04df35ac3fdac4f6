"""Realtime staging on both engines: exact repeats across snapshots dropped (earliest kept), everything
else kept, and the label lists written as rule 5.4 text. Hand-made rows, so every expectation is exact."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
from warehouse_helpers import FEED_TIME, query, realtime_rows, write_batch

from extract.warehouse import WarehouseTarget, load, run_dbt

SNAPSHOT_1, SNAPSHOT_2, SNAPSHOT_3 = "1" * 64, "2" * 64, "3" * 64
LABELS = ["3633", None, 'a"b', "c,d", "", "NULL"]


def snapshot(source_file_id: str, offset: int, rows: list[dict[str, Any]], table: str) -> pa.Table:
    stamped = [
        {"source_file_id": source_file_id, "feed_timestamp": FEED_TIME + offset, **row} for row in rows
    ]
    return realtime_rows(table, stamped)


def test_staging_drops_exact_repeats_and_writes_labels_as_text(
    target: WarehouseTarget, tmp_path: Path
) -> None:
    still: dict[str, Any] = {
        "vehicle_id": "v1",
        "trip_id": "t1",
        "stop_id": "70061",
        "current_status": "STOPPED_AT",
        "vehicle_timestamp": FEED_TIME - 1,
        "vehicle_consist_labels": LABELS,
    }
    moving: dict[str, Any] = {
        "vehicle_id": "v2",
        "trip_id": "t2",
        "vehicle_consist_labels": [],
        "multi_carriage_labels": None,
    }
    positions = pa.concat_tables(
        [
            snapshot(
                SNAPSHOT_1, 0, [still, {**moving, "vehicle_timestamp": FEED_TIME - 2}], "vehicle_positions"
            ),
            snapshot(
                SNAPSHOT_2, 5, [{**moving, "vehicle_timestamp": FEED_TIME + 4}, still], "vehicle_positions"
            ),
            snapshot(SNAPSHOT_3, 10, [still], "vehicle_positions"),
        ]
    )
    prediction = {"trip_id": "t1", "vehicle_id": "v1", "stop_id": "70063", "arrival_time": FEED_TIME + 90}
    stamped = {**prediction, "stop_id": "70065", "trip_update_timestamp": FEED_TIME - 7}
    updates = pa.concat_tables([
        snapshot(SNAPSHOT_1, 0, [
            {**prediction, "stop_time_update_index": 0},
            {**stamped, "stop_time_update_index": 1},
        ], "trip_updates"),
        # The same predictions 5 s later: without a trip_update timestamp the issue time is the header's, so
        # the first is re-issued (kept); the second has its own timestamp and a new position (a repeat).
        snapshot(SNAPSHOT_2, 5, [
            {**prediction, "stop_time_update_index": 0},
            {**stamped, "stop_time_update_index": 0},
        ], "trip_updates"),
    ])  # fmt: skip
    write_batch(tmp_path / "lake", {"vehicle_positions": positions, "trip_updates": updates})
    load(str(tmp_path / "lake"), target)

    run_dbt(
        ["build", "--select", "stg_gtfs_rt__vehicle_positions", "stg_gtfs_rt__trip_updates"],
        target,
        work_dir=tmp_path / "dbt",
    )

    assert query(
        target,
        "SELECT vehicle_id, source_file_id, feed_timestamp, vehicle_timestamp, vehicle_consist_text, "
        "multi_carriage_labels_text FROM staging.stg_gtfs_rt__vehicle_positions "
        "ORDER BY vehicle_id, feed_timestamp",
    ) == [
        ("v1", SNAPSHOT_1, FEED_TIME, FEED_TIME - 1, '3633|None|a"b|c,d||NULL', None),
        ("v2", SNAPSHOT_1, FEED_TIME, FEED_TIME - 2, "", None),
        ("v2", SNAPSHOT_2, FEED_TIME + 5, FEED_TIME + 4, "", None),
    ]
    assert query(
        target,
        "SELECT stop_id, source_file_id, issue_timestamp, stop_time_update_index "
        "FROM staging.stg_gtfs_rt__trip_updates ORDER BY stop_id, issue_timestamp",
    ) == [
        ("70063", SNAPSHOT_1, FEED_TIME, 0),
        ("70063", SNAPSHOT_2, FEED_TIME + 5, 0),
        ("70065", SNAPSHOT_1, FEED_TIME - 7, 1),
    ]
