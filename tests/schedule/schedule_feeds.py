"""Build the inputs of the schedule tests in code: GTFS zips, VehiclePositions snapshots, and a warehouse.

The helpers write real files (a GTFS .zip, GTFS-Realtime protobuf snapshots) into an inbox, then run the
real pipeline on them: extract → lake → load → dbt build, on DuckDB or Postgres.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import psycopg
from dbt.cli.main import dbtRunnerResult
from dbt.contracts.results import RunExecutionResult
from google.transit import gtfs_realtime_pb2

from extract.pipeline import extract
from extract.warehouse import WarehouseTarget, load, run_dbt
from extract.warehouse.target import postgres_conninfo

# The seeds, the schedule models with every model upstream of them, and the data tests defined beside
# the schedule models. Upstream data tests belong to their owners' suites: leaving them out keeps these
# tests about the schedule rules.
SCHEDULE_SELECTION = (
    "resource_type:seed",
    "+int_schedule__first_stops,resource_type:model",
    "+fct_on_time_trip_stops,resource_type:model",
    "+fct_on_time_headways,resource_type:model",
    "path:models/intermediate/schedule",
    "path:models/marts/on_time",
)
SCHEDULE_UNIT_TESTS = (
    "test_type:unit,path:models/intermediate/schedule test_type:unit,path:models/marts/on_time"
)


def gtfs_zip(files: Mapping[str, Sequence[Mapping[str, object]]]) -> bytes:
    """A GTFS zip with one CSV per entry (`routes` → routes.txt), columns from the first row."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, rows in files.items():
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            entry = zipfile.ZipInfo(f"{name}.txt", date_time=(2023, 1, 1, 0, 0, 0))
            archive.writestr(entry, text.getvalue())
    return buffer.getvalue()


@dataclass(frozen=True)
class VehicleReport:
    """One vehicle's position in one snapshot."""

    trip_id: str
    route_id: str
    direction_id: int
    start_date: str
    start_time: str | None
    vehicle_id: str
    stop_id: str
    stop_sequence: int
    status: str  # IN_TRANSIT_TO, INCOMING_AT or STOPPED_AT
    timestamp: int


def vehicle_positions_snapshot(timestamp: int, reports: Sequence[VehicleReport]) -> bytes:
    """A GTFS-Realtime VehiclePositions FeedMessage (protobuf) with one entity per report."""
    message = gtfs_realtime_pb2.FeedMessage()
    message.header.gtfs_realtime_version = "2.0"
    message.header.timestamp = timestamp
    for index, report in enumerate(reports):
        entity = message.entity.add()
        entity.id = f"{report.vehicle_id}-{index}"
        vehicle = entity.vehicle
        vehicle.trip.trip_id = report.trip_id
        vehicle.trip.route_id = report.route_id
        vehicle.trip.direction_id = report.direction_id
        vehicle.trip.start_date = report.start_date
        if report.start_time is not None:
            vehicle.trip.start_time = report.start_time
        else:
            vehicle.trip.schedule_relationship = gtfs_realtime_pb2.TripDescriptor.ADDED
        vehicle.vehicle.id = report.vehicle_id
        vehicle.vehicle.label = report.vehicle_id
        vehicle.stop_id = report.stop_id
        vehicle.current_stop_sequence = report.stop_sequence
        vehicle.current_status = gtfs_realtime_pb2.VehiclePosition.VehicleStopStatus.Value(report.status)
        vehicle.timestamp = report.timestamp
    return message.SerializeToString()


def write_snapshots(inbox: Path, reports: Sequence[VehicleReport]) -> None:
    """One snapshot file per distinct timestamp, named like the MBTA archive."""
    inbox.mkdir(parents=True, exist_ok=True)
    for timestamp in sorted({report.timestamp for report in reports}):
        batch = [report for report in reports if report.timestamp == timestamp]
        name = f"{timestamp}_https_example.test_realtime_VehiclePositions.pb"
        (inbox / name).write_bytes(vehicle_positions_snapshot(timestamp, batch))


def node_statuses(result: dbtRunnerResult) -> dict[str, str]:
    """dbt node name → status ("success", "pass", "warn", "error", "fail"...) of a dbt invocation."""
    assert isinstance(result.result, RunExecutionResult)
    return {node.node.name: str(node.status) for node in result.result.results}


def build_warehouse(inbox: Path, lake: Path, target: WarehouseTarget) -> dbtRunnerResult:
    """Extract the inbox into the lake, load it and `dbt build` the schedule models; the dbt result."""
    report = extract(str(inbox), str(lake))
    assert report.rejected == 0, report.rejected_files
    load(str(lake), target)
    # Unit tests run separately (run_schedule_unit_tests): they need the built relations for types.
    arguments = ["build", "--select", *SCHEDULE_SELECTION, "--exclude", "test_type:unit"]
    return run_dbt([*arguments, "--indirect-selection", "empty"], target)


def run_schedule_unit_tests(target: WarehouseTarget) -> int:
    """Run the schedule and on-time dbt unit tests on a built warehouse; how many passed."""
    result = run_dbt(["test", "--select", *SCHEDULE_UNIT_TESTS.split()], target)
    return sum(1 for status in node_statuses(result).values() if status == "pass")


def rows(target: WarehouseTarget, sql: str) -> list[dict[str, Any]]:
    """The result rows as dicts keyed by column name, on either warehouse."""
    if target.name == "duckdb":
        with duckdb.connect(target.duckdb_path, read_only=True) as con:
            cursor = con.execute(sql)
            names = [column[0] for column in cursor.description or []]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    with psycopg.connect(postgres_conninfo(target.postgres), autocommit=True) as con:
        result = con.execute(sql)
        names = [column.name for column in result.description or []]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]
