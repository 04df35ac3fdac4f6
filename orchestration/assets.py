"""Every pipeline step as a Dagster asset. Bodies stay thin: they call the functions `lamp run` calls.

    source (inbox / s3://) ──extract()──▶ lake/{vehicle_positions, trip_updates, alerts, static_gtfs}
        ──load()──▶ raw.* (the dbt sources) ──dbt build (dagster-dbt)──▶ staging → intermediate → marts
        ──export_service_dates()──▶ exports/subway_performance_daily

Extraction and loading are not partitioned: they take whatever is new (the ledger and the loaded-batch
table say what). The dbt models and the export are partitioned by service date; a run of a date range
passes the range to dbt as vars, and every run carries the ``lamp/warehouse`` tag that the instance's
run queue (dagster.yaml) limits to one at a time, so partitions never collide on dbt's temporary relations.
"""

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster import AssetExecutionContext
from dagster_dbt import DbtCliResource, dbt_assets, get_asset_key_for_model

from extract.export import export_service_dates, parse_service_date, published_service_dates
from extract.pipeline import extract
from extract.summary import service_dates_of_batches
from extract.warehouse import load
from extract.warehouse.raw_tables import raw_table_name
from extract.warehouse.target import prepare
from orchestration.dbt import TRANSLATOR, dbt_project, prepare_manifest
from orchestration.partitions import SERVICE_DATES, partition_key, service_date_vars
from orchestration.resources import LampResource, dbt_environment

# Every run that writes the warehouse carries this tag; dagster.yaml allows one such run at a time.
WAREHOUSE_TAG = {"lamp/warehouse": "write"}
WAREHOUSE_POOL = "lamp_warehouse"

LAKE_TABLES: Mapping[str, str] = {
    "vehicle_positions": "gtfs_rt/vehicle_positions",
    "trip_updates": "gtfs_rt/trip_updates",
    "alerts": "gtfs_rt/alerts",
    "static_gtfs": "gtfs_static",
}
LAKE_KEYS = {name: dg.AssetKey(["lake", name]) for name in LAKE_TABLES}

PROJECT = dbt_project()
MANIFEST_PATH = prepare_manifest(PROJECT)
MANIFEST: dict[str, Any] = json.loads(MANIFEST_PATH.read_text())


def _source_keys() -> dict[str, dg.AssetKey]:
    """raw table name → the asset key dagster-dbt gives that dbt source, so the load feeds the graph."""
    keys = {}
    for unique_id, source in MANIFEST["sources"].items():
        keys[source["name"]] = TRANSLATOR.get_asset_spec(MANIFEST, unique_id, PROJECT).key
    return keys


RAW_SOURCE_KEYS = _source_keys()


def _lake_deps_of(raw_table: str) -> list[dg.AssetKey]:
    if raw_table.startswith("gtfs_static__"):
        return [LAKE_KEYS["static_gtfs"]]
    for name, lake_table in LAKE_TABLES.items():
        if raw_table == raw_table_name(lake_table):
            return [LAKE_KEYS[name]]
    return list(LAKE_KEYS.values())


@dg.multi_asset(
    specs=[
        dg.AssetSpec(key, group_name="lake", description=f"Landed {name} rows in the parquet lake.")
        for name, key in LAKE_KEYS.items()
    ],
    op_tags=WAREHOUSE_TAG,
)
def lake_feeds(context: AssetExecutionContext, lamp: LampResource) -> Iterator[dg.MaterializeResult]:
    """Extract every new input of the source into the lake (extract/pipeline.py)."""
    report = extract(lamp.inbox, lamp.lake)
    if report.rejected:
        context.log.warning(f"{report.rejected} input(s) rejected: {report.rejected_by_reason()}")
    for name, key in LAKE_KEYS.items():
        table = LAKE_TABLES[name]
        rows = sum(count for path, count in report.rows_per_table.items() if path.startswith(table))
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={
                "rows_landed": rows,
                "files_landed": report.landed,
                "files_duplicate": report.duplicate,
                "files_rejected": report.rejected,
                "rejected_reasons": json.dumps(report.rejected_by_reason()),
            },
        )


# The asset whose materialization carries the service dates a load touched (for the sensor).
LOAD_MARKER_KEY = RAW_SOURCE_KEYS.get(
    raw_table_name("gtfs_rt/vehicle_positions"), next(iter(RAW_SOURCE_KEYS.values()), dg.AssetKey("raw"))
)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(key, group_name="warehouse_raw", deps=_lake_deps_of(name), description=f"raw.{name}")
        for name, key in sorted(RAW_SOURCE_KEYS.items())
    ],
    op_tags=WAREHOUSE_TAG,
    pool=WAREHOUSE_POOL,
)
def warehouse_raw(context: AssetExecutionContext, lamp: LampResource) -> Iterator[dg.MaterializeResult]:
    """Load the lake's new batches into schema raw (extract/warehouse/loader.py)."""
    report = load(lamp.lake, lamp.warehouse())
    touched = service_dates_of_batches(lamp.lake, report.batches_loaded, lamp.agency_timezone)
    context.log.info(f"loaded {len(report.batches_loaded)} batch(es); service dates touched: {touched}")
    for name, key in RAW_SOURCE_KEYS.items():
        metadata: dict[str, Any] = {"rows_loaded": report.rows_by_table.get(name, 0)}
        if key == LOAD_MARKER_KEY:
            metadata["service_dates"] = json.dumps(touched)
        yield dg.MaterializeResult(asset_key=key, metadata=metadata)


@dbt_assets(
    manifest=MANIFEST_PATH,
    project=PROJECT,
    dagster_dbt_translator=TRANSLATOR,
    partitions_def=SERVICE_DATES,
    backfill_policy=dg.BackfillPolicy.single_run(),
    op_tags=WAREHOUSE_TAG,
    pool=WAREHOUSE_POOL,
    name="lamp_dbt_models",
)
def lamp_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, lamp: LampResource) -> Iterator[Any]:
    """`dbt build` of the selected models for the partition's service dates (tests become asset checks)."""
    window = context.partition_key_range
    build_vars = service_date_vars(window.start, window.end)
    target = lamp.warehouse()
    prepare(target)
    with dbt_environment(target):
        # dbt unit tests check the SQL, not the data: CI runs them; a data run skips them.
        args = ["build", "--exclude-resource-type", "unit_test", "--vars", json.dumps(build_vars)]
        yield from dbt.cli(args, context=context).stream()


SUBWAY_PERFORMANCE_KEY = get_asset_key_for_model([lamp_dbt_models], "subway_performance")


@dg.asset(
    key=["exports", "subway_performance_daily"],
    deps=[SUBWAY_PERFORMANCE_KEY],
    partitions_def=SERVICE_DATES,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="exports",
    op_tags=WAREHOUSE_TAG,
    description="YYYY-MM-DD-subway-on-time-performance-v1.parquet per service date + index.csv (rule 12).",
)
def subway_performance_daily(context: AssetExecutionContext, lamp: LampResource) -> dg.MaterializeResult:
    window = context.partition_key_range
    first, last = dt.date.fromisoformat(window.start), dt.date.fromisoformat(window.end)
    target = lamp.warehouse()
    dates = [day for day in published_service_dates(target) if first <= day <= last]
    report = export_service_dates(target, dates, lamp.export_dir)
    return dg.MaterializeResult(
        metadata={
            "files": [item.path.name for item in report.files],
            "rows": sum(item.rows for item in report.files),
            "index": str(report.index),
        }
    )


def partition_keys_of(service_dates_json: str) -> list[str]:
    """The partition keys of a load's ``service_dates`` metadata (YYYYMMDD integers)."""
    return [partition_key(parse_service_date(str(day))) for day in json.loads(service_dates_json)]
