"""The lake layout, atomic writes and the commit rule (a data file counts only once its batch's ledger
file exists)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from extract.lake import (
    TEMP_PREFIX,
    committed_batch_ids,
    committed_data_files,
    is_batch_id,
    ledger_file,
    list_tables,
    new_batch_id,
    open_lake,
    realtime_file,
    realtime_partition,
    remove_uncommitted,
    static_file,
)
from extract.schemas import VEHICLE_POSITIONS


def vehicle_rows(count: int, feed_timestamp: int = 1683547202) -> pa.Table:
    """A VehiclePositions table in the lake schema, built in code."""
    return pa.Table.from_pylist(
        [
            {
                "source_file_id": "ab" * 32,
                "feed_timestamp": feed_timestamp,
                "entity_id": f"y{index:04d}",
                "entity_index": index,
                "has_millisecond_timestamp": False,
                "vehicle_id": f"O-{index:05d}",
                "vehicle_label": "0713",
                "latitude": 42.35,
            }
            for index in range(count)
        ],
        schema=VEHICLE_POSITIONS,
    )


def test_partition_is_the_utc_date_and_hour_of_the_header_timestamp() -> None:
    # 1683547202 = 2023-05-08T12:00:02Z (08:00 in Boston: the partition is UTC, not local)
    assert realtime_partition(1683547202) == {"date": "2023-05-08", "hour": "12"}
    assert realtime_partition(1683590399) == {"date": "2023-05-08", "hour": "23"}
    assert realtime_partition(1683590400) == {"date": "2023-05-09", "hour": "00"}


def test_layout_paths() -> None:
    batch = "20230508T120002000000Z-0123abcd"
    assert realtime_file("trip_updates", {"date": "2023-05-08", "hour": "09"}, batch) == (
        f"gtfs_rt/trip_updates/date=2023-05-08/hour=09/{batch}.parquet"
    )
    assert static_file("routes", "20230424T214257Z_spring-2023", batch) == (
        f"gtfs_static/routes/feed_key=20230424T214257Z_spring-2023/{batch}.parquet"
    )
    assert ledger_file(batch) == f"_ledger/{batch}.parquet"


def test_batch_ids_are_unique_and_sort_by_creation_time() -> None:
    early = new_batch_id(dt.datetime(2023, 5, 8, 12, 0, 2, tzinfo=dt.UTC))
    late = new_batch_id(dt.datetime(2023, 5, 8, 12, 0, 3, tzinfo=dt.UTC))
    assert early < late
    assert is_batch_id(early) and is_batch_id(late)
    assert new_batch_id() != new_batch_id()
    assert not is_batch_id("part-0") and not is_batch_id(f"{TEMP_PREFIX}x")


def test_parquet_is_written_atomically_with_zstd_and_the_explicit_schema(tmp_path: Path) -> None:
    lake = open_lake(str(tmp_path / "lake"))
    batch = new_batch_id()
    relative = realtime_file("vehicle_positions", realtime_partition(1683547202), batch)
    lake.write_parquet(relative, vehicle_rows(5))

    written = tmp_path / "lake" / relative
    assert written.exists()
    # nothing but the final file in its folder: the temporary file was renamed, not copied
    assert [path.name for path in written.parent.iterdir()] == [written.name]
    metadata = pq.ParquetFile(written).metadata
    assert metadata.row_group(0).column(0).compression == "ZSTD"
    columns = {metadata.row_group(0).column(i).path_in_schema: i for i in range(metadata.num_columns)}
    stats = metadata.row_group(0).column(columns["feed_timestamp"]).statistics
    assert stats is not None and (stats.min, stats.max) == (1683547202, 1683547202)  # readers filter on it
    back = pq.read_table(written)
    assert back.schema.equals(VEHICLE_POSITIONS, check_metadata=False)
    assert back.column("vehicle_label").to_pylist() == ["0713"] * 5  # ids stay strings


def test_a_failed_write_leaves_no_file_behind(tmp_path: Path) -> None:
    lake = open_lake(str(tmp_path))

    class Boom(Exception):
        pass

    def failing_write(out: object) -> None:
        raise Boom

    with pytest.raises(Boom):
        lake._write_atomically("gtfs_rt/alerts/date=2023-05-08/hour=12/x.parquet", failing_write)
    assert list((tmp_path / "gtfs_rt/alerts/date=2023-05-08/hour=12").iterdir()) == []


def test_only_files_of_committed_batches_are_visible(tmp_path: Path) -> None:
    lake = open_lake(str(tmp_path))
    committed, uncommitted = new_batch_id(), new_batch_id()
    partition = realtime_partition(1683547202)
    lake.write_parquet(realtime_file("vehicle_positions", partition, committed), vehicle_rows(3))
    lake.write_parquet(realtime_file("vehicle_positions", partition, uncommitted), vehicle_rows(4))
    lake.write_parquet(static_file("routes", "k1", committed), pa.table({"route_id": ["Red"]}))
    lake.write_bytes(ledger_file(committed), b"")  # only its existence matters for the commit rule
    (tmp_path / "gtfs_rt/vehicle_positions/date=2023-05-08/hour=12" / f"{TEMP_PREFIX}x.parquet").write_bytes(
        b""
    )

    assert committed_batch_ids(lake) == {committed}
    files = committed_data_files(str(tmp_path), "gtfs_rt/vehicle_positions")
    assert [(f.batch_id, f.partition) for f in files] == [(committed, {"date": "2023-05-08", "hour": "12"})]
    assert files[0].path == str(tmp_path / realtime_file("vehicle_positions", partition, committed))
    static = committed_data_files(lake, "gtfs_static/routes")
    assert [f.partition for f in static] == [{"feed_key": "k1"}]
    assert list_tables(lake) == ["gtfs_rt/vehicle_positions", "gtfs_static/routes"]


def test_remove_uncommitted_deletes_leftovers_of_killed_runs_only(tmp_path: Path) -> None:
    lake = open_lake(str(tmp_path))
    committed, uncommitted = new_batch_id(), new_batch_id()
    partition = realtime_partition(1683547202)
    lake.write_parquet(realtime_file("trip_updates", partition, committed), vehicle_rows(1))
    lake.write_parquet(realtime_file("trip_updates", partition, uncommitted), vehicle_rows(1))
    lake.write_parquet(static_file("stops", "k", uncommitted), pa.table({"stop_id": ["70061"]}))
    lake.write_bytes(ledger_file(committed), b"")
    temp = tmp_path / "_ledger" / f"{TEMP_PREFIX}abc-{uncommitted}.parquet"
    temp.write_bytes(b"half")

    deleted = remove_uncommitted(lake)

    assert sorted(deleted) == sorted(
        [
            realtime_file("trip_updates", partition, uncommitted),
            static_file("stops", "k", uncommitted),
            f"_ledger/{temp.name}",
        ]
    )
    assert (tmp_path / realtime_file("trip_updates", partition, committed)).exists()
    assert remove_uncommitted(lake) == []


def test_other_locations_are_refused() -> None:
    with pytest.raises(ValueError, match="unsupported lake"):
        open_lake("gs://bucket/lake")
    with pytest.raises(ValueError, match="needs a bucket"):
        open_lake("s3://")


def test_bytes_are_kept_raw_whatever_the_name_says(tmp_path: Path) -> None:
    # pyarrow would gzip a stream named *.gz by default; the quarantine must keep bytes as they were
    lake = open_lake(str(tmp_path))
    raw = b"\x1f\x8b not really gzip"
    lake.write_bytes("_quarantine/abc/feed.json.gz", raw)
    assert (tmp_path / "_quarantine/abc/feed.json.gz").read_bytes() == raw
    assert lake.read_bytes("_quarantine/abc/feed.json.gz") == raw


def test_a_timestamp_that_is_no_date_has_no_partition() -> None:
    # the pipeline turns this into a rejection (invalid_header_timestamp) instead of crashing the run
    with pytest.raises(ValueError):
        realtime_partition(10**13)
