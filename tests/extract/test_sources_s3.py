"""The S3 source (incoming → archive / error) and a lake on s3://, against a local moto server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from click.testing import CliRunner

from extract.cli import main
from extract.lake import committed_data_files, new_batch_id, open_lake, realtime_file, remove_uncommitted
from extract.ledger import read_ledger
from extract.pipeline import extract
from extract.sources.s3 import S3Source, sibling_prefix, split_s3_uri
from tests.conftest import new_bucket

REPO_ROOT = Path(__file__).resolve().parents[2]
VP_PB = "2024-11-20T18:52:05Z_https_cdn.mbta.com_realtime_VehiclePositions.pb"
TU_JSON = "2022-05-08T06:04:57Z_https_cdn.mbta.com_realtime_TripUpdates_enhanced.json.gz"
PARKING = "2022-02-01T09:55:23Z_https_mbta_integration.mybluemix.net_vehicleCount.gz"


def keys(s3: Any, bucket: str) -> list[str]:
    listed = s3.list_objects_v2(Bucket=bucket)
    return sorted(obj["Key"] for obj in listed.get("Contents", []))


def test_prefix_conventions() -> None:
    assert split_s3_uri("s3://bucket/mbta/incoming/") == ("bucket", "mbta/incoming")
    assert sibling_prefix("s3://bucket/incoming", "archive") == "s3://bucket/archive"
    assert sibling_prefix("s3://bucket/mbta/incoming", "error") == "s3://bucket/mbta/error"
    assert sibling_prefix("s3://bucket", "archive") == "s3://bucket/archive"


def upload_mixed_inbox(s3: Any, bucket: str, mbta_feeds: Path) -> None:
    s3.put_object(Bucket=bucket, Key=f"incoming/2024/{VP_PB}", Body=(mbta_feeds / VP_PB).read_bytes())
    s3.put_object(Bucket=bucket, Key="incoming/2024/copy.pb", Body=(mbta_feeds / VP_PB).read_bytes())
    s3.put_object(Bucket=bucket, Key=f"incoming/{TU_JSON}", Body=(mbta_feeds / TU_JSON).read_bytes())
    s3.put_object(Bucket=bucket, Key=f"incoming/{PARKING}", Body=(mbta_feeds / PARKING).read_bytes())
    s3.put_object(Bucket=bucket, Key="incoming/zero.pb", Body=b"")
    s3.put_object(Bucket=bucket, Key="incoming/.uploading.pb", Body=b"ignored")


def test_landed_objects_move_to_archive_and_rejected_ones_to_error(
    s3: Any, mbta_feeds: Path, tmp_path: Path
) -> None:
    bucket = new_bucket(s3)
    upload_mixed_inbox(s3, bucket, mbta_feeds)
    lake = tmp_path / "lake"

    report = extract(f"s3://{bucket}/incoming", str(lake))

    assert (report.landed, report.duplicate, report.rejected) == (2, 1, 2)
    assert report.rows_per_table["gtfs_rt/vehicle_positions"] == 650
    assert keys(s3, bucket) == sorted(
        [
            f"archive/2024/{VP_PB}",
            "archive/2024/copy.pb",  # a duplicate of landed bytes is archived, not an error
            f"archive/{TU_JSON}",
            f"error/{PARKING}",
            "error/zero.pb",
            "incoming/.uploading.pb",
        ]
    )
    ledger = {row["name"]: row for row in read_ledger(str(lake)).to_pylist()}
    assert ledger[VP_PB]["source"] == f"s3://{bucket}/incoming/2024/{VP_PB}"
    assert ledger["zero.pb"]["reason_code"] == "empty_file"
    # the incoming prefix is empty now: a second run has nothing to do
    again = extract(f"s3://{bucket}/incoming", str(lake))
    assert again.inputs == 0 and again.batches == []


def test_configurable_prefixes_and_a_bucket_root_source(s3: Any, mbta_feeds: Path, tmp_path: Path) -> None:
    bucket, other, done = new_bucket(s3), new_bucket(s3), new_bucket(s3)
    s3.put_object(Bucket=bucket, Key=VP_PB, Body=(mbta_feeds / VP_PB).read_bytes())
    s3.put_object(Bucket=bucket, Key="archive/old.pb", Body=b"already archived: not an input")
    # a source at a bucket's root does not list its own archive/ and error/ prefixes again
    assert [item.name for item in S3Source(f"s3://{bucket}").list_inputs()] == [VP_PB]

    s3.put_object(Bucket=other, Key=f"in/{VP_PB}", Body=(mbta_feeds / VP_PB).read_bytes())
    s3.put_object(Bucket=other, Key="in/zero.pb", Body=b"")
    prefixes = ["--archive", f"s3://{done}/ok", "--error", f"s3://{done}/failed"]
    result = CliRunner().invoke(
        main, ["extract", f"s3://{other}/in", "--lake", str(tmp_path / "lake"), *prefixes]
    )
    assert result.exit_code == 1 and "1 input(s) rejected in this run: 1 empty_file" in result.output
    assert keys(s3, done) == ["failed/zero.pb", f"ok/{VP_PB}"]
    assert keys(s3, other) == []


def test_a_run_killed_after_commit_moves_its_objects_on_the_next_run(
    s3: Any, mbta_feeds: Path, tmp_path: Path
) -> None:
    bucket = new_bucket(s3)
    upload_mixed_inbox(s3, bucket, mbta_feeds)
    lake = tmp_path / "lake"
    code = f"from extract.pipeline import extract; extract('s3://{bucket}/incoming', {str(lake)!r})"
    env = {**os.environ, "LAMP_FAULT_INJECTION": "after_commit:1", "PYTHONPATH": str(REPO_ROOT)}
    killed = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO_ROOT, check=False)
    assert killed.returncode == -9
    assert len([key for key in keys(s3, bucket) if key.startswith("incoming/")]) == 6  # nothing moved yet
    assert read_ledger(str(lake)).num_rows == 5  # but the batch is committed

    report = extract(f"s3://{bucket}/incoming", str(lake))

    assert (report.landed, report.duplicate, report.rejected, report.skipped) == (0, 0, 0, 5)
    assert keys(s3, bucket) == sorted(
        [
            f"archive/2024/{VP_PB}",
            "archive/2024/copy.pb",
            f"archive/{TU_JSON}",
            f"error/{PARKING}",
            "error/zero.pb",
            "incoming/.uploading.pb",
        ]
    )
    assert read_ledger(str(lake)).num_rows == 5


def test_a_lake_on_s3(s3: Any, mbta_feeds: Path, tmp_path: Path) -> None:
    bucket = new_bucket(s3)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in (VP_PB, TU_JSON, PARKING):
        shutil.copy(mbta_feeds / name, inbox / name)
    lake_uri = f"s3://{bucket}/lake"
    # a leftover of a killed run: a data file without a ledger file
    lake = open_lake(lake_uri)
    leftover = realtime_file("vehicle_positions", {"date": "2024-11-20", "hour": "18"}, new_batch_id())
    lake.write_bytes(leftover, b"PAR1 half a batch")

    report = extract(str(inbox), lake_uri)

    assert report.leftovers_removed == 1
    assert (report.landed, report.rejected) == (2, 1)
    files = committed_data_files(lake_uri, "gtfs_rt/vehicle_positions")
    assert [f.partition for f in files] == [{"date": "2024-11-20", "hour": "18"}]
    assert files[0].path.startswith(f"s3://{bucket}/lake/gtfs_rt/vehicle_positions/date=2024-11-20/hour=18/")
    table = pq.read_table(files[0].path.removeprefix("s3://"), filesystem=lake.fs)
    assert table.num_rows == 650
    stored = keys(s3, bucket)
    assert any(key.startswith("lake/_ledger/") for key in stored)
    assert any(key.startswith("lake/_quarantine/") and key.endswith(PARKING) for key in stored)
    assert f"lake/{leftover}" not in stored
    assert remove_uncommitted(lake_uri) == []
    again = extract(str(inbox), lake_uri)
    assert (again.landed, again.skipped) == (0, 3)
