"""The loader reads a lake on S3 (a local moto server) too: files are streamed, not read by path."""

from __future__ import annotations

from typing import Any

import pytest
from warehouse_helpers import query, realtime_rows, write_batch

from extract.warehouse import WarehouseTarget, load
from tests.conftest import new_bucket


@pytest.fixture
def s3_lake(s3: Any) -> str:
    """An empty lake at s3://<new bucket>/lake, with LAMP pointed at the local S3 server."""
    return f"s3://{new_bucket(s3)}/lake"


def test_a_lake_on_s3_loads_incrementally(target: WarehouseTarget, s3_lake: str) -> None:
    labels = ["3633", None, 'a"b']
    first = write_batch(
        s3_lake,
        {
            "vehicle_positions": realtime_rows(
                "vehicle_positions", [{"trip_id": "a", "vehicle_consist_labels": labels}]
            )
        },
    )
    assert load(s3_lake, target).batches_loaded == [first]

    second = write_batch(s3_lake, {"trip_updates": realtime_rows("trip_updates", [{"trip_id": "b"}] * 2)})
    report = load(s3_lake, target)

    assert report.batches_loaded == [second]
    assert report.rows_by_table == {"gtfs_rt__trip_updates": 2}
    assert query(target, "SELECT trip_id, vehicle_consist_labels FROM raw.gtfs_rt__vehicle_positions") == [
        ("a", labels)
    ]
