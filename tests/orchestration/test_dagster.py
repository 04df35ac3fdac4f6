"""The Dagster code location: it loads, every asset materializes in-process on real MBTA files, the
partitioned job builds one service date, and the sensors fire when they should.

To stay fast, the assets run over a slice of the shared sample (the static feed plus the first snapshots
of each hour, protobuf and enhanced JSON); `tests/cli` runs the same functions over the whole sample.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow.parquet as pq
import pytest
from dagster._core.definitions.assets.graph.base_asset_graph import BaseAssetGraph

from extract.export import SUBWAY_PERFORMANCE_SCHEMA
from orchestration.assets import (
    LAKE_KEYS,
    LOAD_MARKER_KEY,
    RAW_SOURCE_KEYS,
    SUBWAY_PERFORMANCE_KEY,
    lake_feeds,
    lamp_dbt_models,
    subway_performance_daily,
    warehouse_raw,
)
from orchestration.definitions import build_definitions, defs
from orchestration.partitions import SERVICE_DATES
from orchestration.resources import LampResource
from orchestration.sensors import listing_digest

SNAPSHOTS_PER_FEED_AND_HOUR = 25
DAY = "2023-05-08"


def first_snapshots(folder: Path, suffix: str, count: int) -> list[Path]:
    return sorted(path for path in folder.iterdir() if path.name.endswith(suffix))[:count]


@pytest.fixture(scope="module")
def sample_slice(tmp_path_factory: pytest.TempPathFactory, mbta_day: Path) -> Path:
    """An inbox of real files: the static feed and the first snapshots of both hours and formats."""
    inbox = tmp_path_factory.mktemp("inbox")
    shutil.copytree(mbta_day / "static", inbox / "static")
    for feed in ("VehiclePositions", "TripUpdates"):
        raw = mbta_day / "raw" / feed
        for suffix in (".pb", "_enhanced.json.gz"):
            for path in first_snapshots(raw, suffix, SNAPSHOTS_PER_FEED_AND_HOUR):
                (inbox / path.name).symlink_to(path)
    return inbox


def lamp_resource(root: Path, inbox: Path) -> LampResource:
    return LampResource(
        inbox=str(inbox),
        lake=str(root / "lake"),
        target="duckdb",
        duckdb_path=str(root / "warehouse.duckdb"),
        export_dir=str(root / "exports"),
        agency_timezone="America/New_York",
    )


@pytest.fixture(scope="module")
def materialized(tmp_path_factory: pytest.TempPathFactory, sample_slice: Path) -> Iterator[LampResource]:
    """Every asset materialized in-process: ingest (unpartitioned), then the partitioned job for DAY."""
    lamp = lamp_resource(tmp_path_factory.mktemp("pipeline"), sample_slice)
    definitions = build_definitions(lamp)
    with dg.instance_for_test() as instance:
        ingest = definitions.get_job_def("ingest").execute_in_process(instance=instance)
        assert ingest.success
        daily = definitions.get_job_def("daily_build").execute_in_process(
            instance=instance, partition_key=DAY
        )
        assert daily.success
        materialized_keys = {
            event.asset_key
            for event in [
                *ingest.get_asset_materialization_events(),
                *daily.get_asset_materialization_events(),
            ]
        }
        all_assets = set(definitions.resolve_asset_graph().get_all_asset_keys())
        assert materialized_keys == all_assets
        checks = daily.get_asset_check_evaluations()
        # every dbt test ran as an asset check; those of severity error all passed (warnings may fire)
        failed = [c.check_name for c in checks if not c.passed and c.severity == dg.AssetCheckSeverity.ERROR]
        assert checks and not failed, failed
        yield lamp


def test_definitions_load_with_the_whole_graph() -> None:
    dg.Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    keys = set(graph.get_all_asset_keys())
    assert set(LAKE_KEYS.values()) <= keys
    assert set(RAW_SOURCE_KEYS.values()) <= keys
    for model in ("subway_performance", "fct_vehicle_events", "dim_vehicle_trips", "fct_service_alerts"):
        assert dg.AssetKey(["marts", model]) in keys
    assert dg.AssetKey(["exports", "subway_performance_daily"]) in keys
    # dbt lineage is the asset graph: the public table sits downstream of the raw vehicle positions
    ancestors = _ancestors(graph, SUBWAY_PERFORMANCE_KEY)
    assert LOAD_MARKER_KEY in ancestors and LAKE_KEYS["vehicle_positions"] in ancestors
    assert graph.asset_check_keys  # dbt tests are asset checks
    assert defs.get_job_def("ingest") and defs.get_job_def("daily_build")
    assert {sensor.name for sensor in defs.sensors or []} == {"new_input_files", "touched_service_dates"}
    assert [schedule.name for schedule in defs.schedules or []] == ["poll_source_every_5_minutes"]


def _ancestors(graph: BaseAssetGraph, key: dg.AssetKey) -> set[dg.AssetKey]:
    seen: set[dg.AssetKey] = set()
    todo = [key]
    while todo:
        for parent in graph.get(todo.pop()).parent_keys:
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def test_every_asset_materializes_and_the_day_is_built(materialized: LampResource) -> None:
    with duckdb.connect(materialized.duckdb_path, read_only=True) as con:
        sql = "select trunk_route_id, count(*) from marts.subway_performance where service_date = 20230508"
        lines = con.execute(f"{sql} group by 1").fetchall()
    assert {line for line, _ in lines} >= {"Red", "Orange", "Blue", "Green"}
    daily_file = Path(materialized.export_dir) / f"{DAY}-subway-on-time-performance-v1.parquet"
    assert pq.read_schema(daily_file).remove_metadata() == SUBWAY_PERFORMANCE_SCHEMA
    assert (Path(materialized.export_dir) / "index.csv").exists()


def test_the_partitioned_job_passes_its_service_dates_to_dbt() -> None:
    assert SERVICE_DATES.get_partition_keys_in_range(dg.PartitionKeyRange("2023-05-07", "2023-05-09")) == [
        "2023-05-07",
        "2023-05-08",
        "2023-05-09",
    ]
    assert lamp_dbt_models.partitions_def == SERVICE_DATES
    assert subway_performance_daily.partitions_def == SERVICE_DATES
    assert lake_feeds.partitions_def is None and warehouse_raw.partitions_def is None


def test_inbox_sensor_fires_on_a_new_file_only(tmp_path: Path, mbta_feeds: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    lamp = lamp_resource(tmp_path, inbox)
    sensor = build_definitions(lamp).get_sensor_def("new_input_files")
    with dg.build_sensor_context(resources={"lamp": lamp}) as context:
        assert isinstance(sensor(context), dg.SkipReason)  # empty inbox

    shutil.copy(mbta_feeds / "empty.json.gz", inbox / "a.json.gz")
    with dg.build_sensor_context(resources={"lamp": lamp}) as context:
        first = sensor(context)
    assert isinstance(first, dg.SensorResult) and len(first.run_requests or []) == 1
    cursor = first.cursor

    with dg.build_sensor_context(cursor=cursor, resources={"lamp": lamp}) as context:
        assert isinstance(sensor(context), dg.SkipReason)  # nothing changed

    shutil.copy(mbta_feeds / "one_blank_record.json.gz", inbox / "b.json.gz")
    with dg.build_sensor_context(cursor=cursor, resources={"lamp": lamp}) as context:
        second = sensor(context)
    assert isinstance(second, dg.SensorResult) and len(second.run_requests or []) == 1
    assert second.cursor != cursor
    assert second.run_requests and second.run_requests[0].job_name in (None, "ingest")


def test_listing_digest_ignores_order_but_not_sizes() -> None:
    assert listing_digest([("a", 1), ("b", 2)]) == listing_digest([("b", 2), ("a", 1)])
    assert listing_digest([("a", 1)]) != listing_digest([("a", 2)])


def test_a_load_starts_a_daily_build_of_each_touched_service_date() -> None:
    sensor = defs.get_sensor_def("touched_service_dates")
    with dg.instance_for_test() as instance:
        instance.report_runless_asset_event(
            dg.AssetMaterialization(
                asset_key=LOAD_MARKER_KEY, metadata={"service_dates": json.dumps([20230508])}
            )
        )
        with dg.build_sensor_context(instance=instance, definitions=defs) as context:
            requests = list(sensor(context) or [])
    assert [request.partition_key for request in requests] == [dt.date(2023, 5, 8).isoformat()]
