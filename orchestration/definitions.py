"""The Dagster code location (`dagster dev` from the repo root loads it via pyproject's [tool.dagster])."""

from __future__ import annotations

import dagster as dg

from orchestration.assets import (
    LAKE_KEYS,
    PROJECT,
    RAW_SOURCE_KEYS,
    WAREHOUSE_TAG,
    lake_feeds,
    lamp_dbt_models,
    subway_performance_daily,
    warehouse_raw,
)
from orchestration.dbt import dbt_resource
from orchestration.partitions import SERVICE_DATES
from orchestration.resources import LampResource
from orchestration.sensors import build_inbox_sensor, build_poll_schedule, build_service_dates_sensor

# Extract + load: whatever is new in the source, not partitioned.
ingest_job = dg.define_asset_job(
    "ingest",
    selection=dg.AssetSelection.assets(*LAKE_KEYS.values(), *RAW_SOURCE_KEYS.values()),
    tags=WAREHOUSE_TAG,
    description="Extract every new input of LAMP_INBOX into the lake, then load it into schema raw.",
)

# dbt build + export, one service date (or a backfill range) at a time.
daily_job = dg.define_asset_job(
    "daily_build",
    selection=dg.AssetSelection.assets(lamp_dbt_models, subway_performance_daily),
    partitions_def=SERVICE_DATES,
    tags=WAREHOUSE_TAG,
    description="dbt build (models + tests) and the public export for the partition's service dates.",
)


def build_definitions(lamp: LampResource) -> dg.Definitions:
    """The code location over the given places (tests pass their own; Dagster uses the environment's)."""
    return dg.Definitions(
        assets=[lake_feeds, warehouse_raw, lamp_dbt_models, subway_performance_daily],
        jobs=[ingest_job, daily_job],
        sensors=[build_inbox_sensor(ingest_job), build_service_dates_sensor(daily_job)],
        schedules=[build_poll_schedule(ingest_job)],
        resources={"lamp": lamp, "dbt": dbt_resource(PROJECT)},
    )


defs = build_definitions(LampResource.from_environment())
