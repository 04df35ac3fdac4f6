"""The loader reads a lake on S3 (a local moto server) too: files are streamed, not read by path."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer
from warehouse_helpers import query, realtime_rows, write_batch

from extract.warehouse import WarehouseTarget, load


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_lake(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """An empty lake at s3://<new bucket>/lake, with LAMP pointed at the moto server."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "LAMP_S3_ENDPOINT_URL": s3_endpoint,
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    bucket = f"lamp-{uuid.uuid4().hex[:12]}"
    client: Any = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=bucket)
    return f"s3://{bucket}/lake"


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
