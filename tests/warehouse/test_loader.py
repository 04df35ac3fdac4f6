"""The loader (extract/warehouse/): lake → schema raw on DuckDB and on real Postgres.

Incremental by lake batch, idempotent, transactional, types mapped, and every raw table present even
when no feed carried it.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from warehouse_helpers import FEED_TIME, query, realtime_rows, write_batch

from extract.lake import committed_data_files, realtime_file, realtime_partition
from extract.static_gtfs.columns import KNOWN_COLUMNS
from extract.warehouse import WarehouseTarget, load
from extract.warehouse.raw_tables import LAKE_TABLES, raw_table_name, standard_schema

TRICKY_LABELS = ["3633", None, 'a"b', "c,d", "e\\f", "{x}", "", "NULL", "é ✓"]


def raw_columns(target: WarehouseTarget, table: str) -> dict[str, str]:
    rows = query(
        target,
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'raw' AND table_name = ? ORDER BY ordinal_position",
        [table],
    )
    return {str(name): str(data_type).lower() for name, data_type in rows}


def count(target: WarehouseTarget, table: str, where: str = "1 = 1") -> int:
    return int(query(target, f"SELECT count(*) FROM raw.{table} WHERE {where}")[0][0])


def loaded_batches(target: WarehouseTarget) -> set[str]:
    return {str(row[0]) for row in query(target, "SELECT batch_id FROM raw._lamp_loaded_batches")}


def positions(*trip_ids: str, feed_timestamp: int = FEED_TIME) -> pa.Table:
    return realtime_rows(
        "vehicle_positions",
        [{"trip_id": trip_id, "feed_timestamp": feed_timestamp, "vehicle_id": "v"} for trip_id in trip_ids],
    )


def test_an_empty_lake_still_gives_every_raw_table_with_its_standard_columns(
    target: WarehouseTarget, tmp_path: Path
) -> None:
    report = load(str(tmp_path / "lake"), target)

    assert report.batches_loaded == []
    for lake_table in LAKE_TABLES:
        columns = raw_columns(target, raw_table_name(lake_table))
        assert list(columns) == standard_schema(lake_table).names, lake_table
    assert "directions" in KNOWN_COLUMNS  # an agency extension file: its table exists too
    assert count(target, "gtfs_static__directions") == 0
    assert loaded_batches(target) == set()


def test_types_are_mapped_and_values_survive_the_round_trip(target: WarehouseTarget, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    carriages = [
        {
            "id": "c1",
            "label": "3633",
            "occupancy_status": None,
            "occupancy_percentage": 40,
            "carriage_sequence": 1,
        }
    ]
    vehicles = realtime_rows(
        "vehicle_positions",
        [
            {"trip_id": "T1", "vehicle_label": "", "vehicle_consist_labels": TRICKY_LABELS,
             "multi_carriage_details": carriages, "direction_id": 1, "trip_revenue": False,
             "latitude": 42.35187, "vehicle_timestamp": FEED_TIME - 3},
            {"trip_id": "T2", "vehicle_label": None, "vehicle_consist_labels": []},
            {"trip_id": "T3", "vehicle_consist_labels": None},
        ],
    )  # fmt: skip
    alerts = realtime_rows(
        "alerts",
        [
            {
                "entity_id": "A1",
                "header_text": [{"text": "Red Line delays", "language": "en"}],
                "active_period": [{"start": FEED_TIME, "end": None}],
                "informed_entity": [{"route_id": "Red", "route_type": 1, "activities": ["BOARD", "EXIT"]}],
            }
        ],
    )
    write_batch(lake, {"vehicle_positions": vehicles, "alerts": alerts})

    load(str(lake), target)

    columns = raw_columns(target, "gtfs_rt__vehicle_positions")
    alert_columns = raw_columns(target, "gtfs_rt__alerts")
    if target.name == "duckdb":
        assert columns["vehicle_consist_labels"] == "varchar[]"
        assert columns["multi_carriage_details"].startswith("struct(")
        assert columns["latitude"] == "double"
        assert alert_columns["informed_entity"].startswith("struct(")
    else:
        assert columns["vehicle_consist_labels"] == "array"  # text[] (information_schema says ARRAY)
        assert columns["multi_carriage_details"] == "jsonb"
        assert columns["latitude"] == "double precision"
        assert alert_columns["informed_entity"] == "jsonb"
    assert columns["direction_id"] == "bigint"
    assert columns["entity_index"] == "integer"
    assert columns["trip_revenue"] == "boolean"
    assert columns["trip_id"] in ("varchar", "text")
    assert columns["lake_batch_id"] in ("varchar", "text")

    rows = query(
        target,
        "SELECT trip_id, vehicle_label, vehicle_consist_labels, multi_carriage_details, direction_id, "
        "trip_revenue, latitude, vehicle_timestamp FROM raw.gtfs_rt__vehicle_positions ORDER BY trip_id",
    )
    assert rows[0][:3] == ("T1", "", TRICKY_LABELS)
    assert [dict(carriage) for carriage in rows[0][3]] == carriages
    assert rows[0][4:] == (1, False, 42.35187, FEED_TIME - 3)
    assert rows[1][:3] == ("T2", None, [])
    assert rows[2][:3] == ("T3", None, None)

    [(informed, periods)] = query(target, "SELECT informed_entity, active_period FROM raw.gtfs_rt__alerts")
    assert informed[0]["route_id"] == "Red"
    assert informed[0]["activities"] == ["BOARD", "EXIT"]
    assert informed[0]["stop_id"] is None
    assert [dict(period) for period in periods] == [{"start": FEED_TIME, "end": None}]


def test_only_new_batches_are_loaded_and_loading_again_changes_nothing(
    target: WarehouseTarget, tmp_path: Path
) -> None:
    lake = tmp_path / "lake"
    first = write_batch(lake, {"vehicle_positions": positions("a", "b")})

    report = load(str(lake), target)
    assert report.batches_loaded == [first]
    assert report.rows_by_table == {"gtfs_rt__vehicle_positions": 2}

    second = write_batch(lake, {"vehicle_positions": positions("c", feed_timestamp=FEED_TIME + 3600)})
    report = load(str(lake), target)
    assert report.batches_loaded == [second]
    assert report.batches_already_loaded == 1
    assert report.rows_by_table == {"gtfs_rt__vehicle_positions": 1}

    again = load(str(lake), target)
    assert again.batches_loaded == []
    assert again.rows == 0
    assert again.batches_already_loaded == 2
    assert count(target, "gtfs_rt__vehicle_positions") == 3
    assert query(
        target,
        "SELECT lake_batch_id, count(*) FROM raw.gtfs_rt__vehicle_positions "
        "GROUP BY lake_batch_id ORDER BY 1",
    ) == [(first, 2), (second, 1)]
    assert loaded_batches(target) == {first, second}


def test_a_batch_failing_midway_leaves_nothing_half_loaded_and_is_retried(
    target: WarehouseTarget, tmp_path: Path
) -> None:
    lake = tmp_path / "lake"
    good = write_batch(lake, {"vehicle_positions": positions("a")})
    load(str(lake), target)
    # Files load in (table, path) order: the trip updates go in, then the positions file is garbage.
    updates = realtime_rows("trip_updates", [{"trip_id": "x", "stop_id": "70061"}] * 3)
    broken_path = realtime_file("vehicle_positions", realtime_partition(FEED_TIME), "{batch_id}")
    broken = write_batch(lake, {"trip_updates": updates}, raw_files={broken_path: b"PAR1 not parquet"})

    with pytest.raises(Exception, match=r"(?i)parquet|magic|invalid|corrupt"):
        load(str(lake), target)

    assert count(target, "gtfs_rt__trip_updates") == 0
    assert count(target, "gtfs_rt__vehicle_positions") == 1
    assert loaded_batches(target) == {good}

    # Once the bad file is gone (say, re-landed), the next load takes the whole batch.
    (lake / broken_path.format(batch_id=broken)).unlink()
    report = load(str(lake), target)
    assert report.batches_loaded == [broken]
    assert count(target, "gtfs_rt__trip_updates", f"lake_batch_id = '{broken}'") == 3


def test_static_rows_get_their_feed_key_and_unknown_columns_are_added(
    target: WarehouseTarget, tmp_path: Path
) -> None:
    lake = tmp_path / "lake"
    routes = pa.table(
        {
            "route_id": pa.array(["Red", "Orange"]),
            "route_type": pa.array([1, 1], pa.int64()),
            "agency_extension_column": pa.array(["x", None]),
        }
    )
    write_batch(lake, static={("routes", "feed-one"): routes})

    load(str(lake), target)

    columns = raw_columns(target, "gtfs_static__routes")
    assert "agency_extension_column" in columns
    assert "route_long_name" in columns  # standard columns stay, NULL here
    assert query(
        target,
        "SELECT feed_key, route_id, route_type, agency_extension_column "
        "FROM raw.gtfs_static__routes ORDER BY 2",
    ) == [("feed-one", "Orange", 1, None), ("feed-one", "Red", 1, "x")]


def test_the_real_sample_lake_loads_every_row(target: WarehouseTarget, sample_lake: Path) -> None:
    report = load(str(sample_lake), target)

    for lake_table in LAKE_TABLES:
        files = committed_data_files(str(sample_lake), lake_table)
        expected = sum(pq.ParquetFile(data_file.path).metadata.num_rows for data_file in files)
        assert count(target, raw_table_name(lake_table)) == expected, lake_table
    assert report.rows > 10_000
    assert count(target, "gtfs_static__feed_versions") == 2  # MBTA and Caltrain
    assert count(target, "gtfs_rt__alerts") > 0
