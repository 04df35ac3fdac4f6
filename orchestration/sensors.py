"""What starts runs by itself: new files in the source, dates touched by a load, a polling schedule."""

import hashlib
from typing import TYPE_CHECKING

import dagster as dg

from extract import config
from extract.sources import open_source
from orchestration.assets import LOAD_MARKER_KEY, partition_keys_of
from orchestration.resources import LampResource

if TYPE_CHECKING:
    from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

# Seconds between two looks at the inbox / S3 prefix (the daemon's sensor interval).
INBOX_SENSOR_INTERVAL = 30


def listing_digest(entries: list[tuple[str, int]]) -> str:
    """A digest of what the source lists (identity and size of each input): it changes when files arrive."""
    digest = hashlib.sha256()
    for source, size in sorted(entries):
        digest.update(f"{source}\0{size}\n".encode())
    return digest.hexdigest()


def build_inbox_sensor(ingest_job: "UnresolvedAssetJobDefinition") -> dg.SensorDefinition:
    @dg.sensor(
        job=ingest_job,
        minimum_interval_seconds=INBOX_SENSOR_INTERVAL,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="Starts an ingest run when the files in LAMP_INBOX (a directory or s3:// prefix) change.",
    )
    def new_input_files(
        context: dg.SensorEvaluationContext, lamp: LampResource
    ) -> dg.SensorResult | dg.SkipReason:
        inputs = open_source(lamp.inbox).list_inputs()
        if not inputs:
            return dg.SkipReason(f"no input files in {lamp.inbox}")
        digest = listing_digest([(item.source, item.size) for item in inputs])
        if digest == context.cursor:
            return dg.SkipReason(f"the {len(inputs)} input file(s) have not changed")
        return dg.SensorResult(
            run_requests=[dg.RunRequest(run_key=digest, tags={"lamp/inputs": str(len(inputs))})],
            cursor=digest,
        )

    return new_input_files


def build_service_dates_sensor(daily_job: "UnresolvedAssetJobDefinition") -> dg.SensorDefinition:
    @dg.asset_sensor(
        asset_key=LOAD_MARKER_KEY,
        job=daily_job,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="After a load, builds the dbt models and exports for each service date it touched.",
    )
    def touched_service_dates(
        context: dg.SensorEvaluationContext, asset_event: dg.EventLogEntry
    ) -> list[dg.RunRequest]:
        materialization = asset_event.asset_materialization
        if materialization is None or "service_dates" not in materialization.metadata:
            return []
        value = materialization.metadata["service_dates"].value
        return [
            dg.RunRequest(run_key=f"{asset_event.run_id}-{key}", partition_key=key)
            for key in partition_keys_of(str(value))
        ]

    return touched_service_dates


def build_poll_schedule(ingest_job: "UnresolvedAssetJobDefinition") -> dg.ScheduleDefinition:
    """Polls the source every five minutes even when the sensor is off (e.g. an S3 prefix)."""
    return dg.ScheduleDefinition(
        name="poll_source_every_5_minutes",
        job=ingest_job,
        cron_schedule="*/5 * * * *",
        execution_timezone=config.agency_timezone(),
        default_status=dg.DefaultScheduleStatus.STOPPED,
    )
