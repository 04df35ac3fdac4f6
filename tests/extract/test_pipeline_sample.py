"""The whole shared two-hour MBTA sample lands exactly (README counts), and a second run lands nothing."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import duckdb
import orjson
import pytest
from google.transit import gtfs_realtime_pb2 as rt

from extract.lake import committed_data_files
from extract.ledger import read_ledger
from extract.pipeline import extract

FEED_KEY = "20230424T214257Z_spring-2023-version-d"


def independent_row_count(path: Path) -> tuple[str, int]:
    """(table, rows) of one snapshot, counted with the reference bindings / plain JSON, not our decoder."""
    data = path.read_bytes()
    if data.startswith(b"\x1f\x8b"):
        feed = orjson.loads(gzip.decompress(data))
        entities = feed.get("entity") or []
        if "TripUpdates" in path.name:
            return "trip_updates", sum(
                max(1, len(e.get("trip_update", {}).get("stop_time_update") or [])) for e in entities
            )
        return "vehicle_positions", sum(1 for e in entities if "vehicle" in e)
    message = rt.FeedMessage.FromString(data)
    if "TripUpdates" in path.name:
        return "trip_updates", sum(max(1, len(e.trip_update.stop_time_update)) for e in message.entity)
    return "vehicle_positions", sum(1 for e in message.entity if e.HasField("vehicle"))


def rows_by_file(lake: Path, table: str) -> dict[str, int]:
    files = [f.path for f in committed_data_files(str(lake), table)]
    pairs = duckdb.sql(
        f"select source_file_id, count(*) from read_parquet({files!r}) group by all"
    ).fetchall()
    return {str(sha): int(count) for sha, count in pairs}


@pytest.mark.slow
def test_the_two_hour_sample_lands_exactly_and_only_once(mbta_day: Path, tmp_path: Path) -> None:
    lake = tmp_path / "lake"

    report = extract(str(mbta_day), str(lake))

    assert (report.inputs, report.landed, report.duplicate, report.rejected) == (4694, 4694, 0, 0)
    # the shared README's counts: per hour (= per format) and per feed
    assert report.rows_per_table["gtfs_rt/vehicle_positions"] == 155_166 + 171_101
    assert report.rows_per_table["gtfs_rt/trip_updates"] == 1_098_953 + 1_089_927
    assert report.static_feed_keys == [FEED_KEY]
    for table, hours in (
        ("vehicle_positions", {"12": 155_166, "13": 171_101}),
        ("trip_updates", {"12": 1_098_953, "13": 1_089_927}),
    ):
        files = committed_data_files(str(lake), f"gtfs_rt/{table}")
        counted = duckdb.sql(
            f"select hour::varchar, count(*) from read_parquet({[f.path for f in files]!r}, "
            "hive_partitioning = true) group by all order by 1"
        ).fetchall()
        assert dict(counted) == hours
        assert {f.partition["date"] for f in files} == {"2023-05-08"}
    ledger = read_ledger(str(lake))
    assert ledger.num_rows == 4694
    entities = duckdb.sql(
        "select format, feed_kind, count(*), sum(entity_count) from ledger group by all order by all"
    ).fetchall()
    assert entities == [
        ("enhanced_json", "trip_updates", 632, 117_234),
        ("enhanced_json", "vehicle_positions", 1807, 171_101),
        ("protobuf", "trip_updates", 630, 110_745),
        ("protobuf", "vehicle_positions", 1624, 155_166),
        ("static_gtfs_dir", "static", 1, None),
    ]

    # per snapshot: the rows of every 40th file equal an independent count of its entities/updates
    landed = {
        "vehicle_positions": rows_by_file(lake, "gtfs_rt/vehicle_positions"),
        "trip_updates": rows_by_file(lake, "gtfs_rt/trip_updates"),
    }
    snapshots = sorted((mbta_day / "raw").rglob("*_https_*"))
    for path in snapshots[::40]:
        table, expected = independent_row_count(path)
        assert landed[table][hashlib.sha256(path.read_bytes()).hexdigest()] == expected, path.name

    # spot-check values of one protobuf vehicle against the reference bindings
    first_vp = sorted((mbta_day / "raw" / "VehiclePositions").iterdir())[0]
    entity = rt.FeedMessage.FromString(first_vp.read_bytes()).entity[0]
    files = [f.path for f in committed_data_files(str(lake), "gtfs_rt/vehicle_positions")]
    row = duckdb.sql(
        f"select vehicle_id, vehicle_label, trip_id, route_id, stop_id, vehicle_timestamp "
        f"from read_parquet({files!r}) where source_file_id = ? and entity_index = 0",
        params=[hashlib.sha256(first_vp.read_bytes()).hexdigest()],
    ).fetchall()
    vehicle = entity.vehicle
    assert row == [
        (
            vehicle.vehicle.id,
            vehicle.vehicle.label,
            vehicle.trip.trip_id,
            vehicle.trip.route_id,
            vehicle.stop_id,
            vehicle.timestamp,
        )
    ]
    trips = committed_data_files(str(lake), "gtfs_static/trips")
    assert [f.partition for f in trips] == [{"feed_key": FEED_KEY}]

    again = extract(str(mbta_day), str(lake))

    assert (again.landed, again.duplicate, again.rejected, again.skipped) == (0, 0, 0, 4694)
    assert again.batches == []
    assert read_ledger(str(lake)).num_rows == 4694
