"""`lamp run` end to end on the whole shared two-hour sample: DuckDB, Postgres, a no-op re-run, and runs
killed half-way (SIGKILL during the extract, then during the dbt build) whose re-run equals an
uninterrupted run.

Expected counts come from the sample's README (/work/shared/data/README.md): 1,624 + 630 protobuf and
1,807 + 632 enhanced-JSON snapshots plus the static feed directory; 155,166 + 171,101 vehicle entities.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from lamp_cli_helpers import LAMP, REPO_ROOT, LampRun, Workspace, marts_rows, run_lamp

from extract.summary import line_metrics
from extract.warehouse import WarehouseTarget

pytestmark = pytest.mark.slow

INPUT_FILES = 1_624 + 630 + 1_807 + 632 + 1  # realtime snapshots + the static feed directory
VEHICLE_POSITION_ROWS = 155_166 + 171_101
LINES = ("Blue", "Green", "Mattapan", "Orange", "Red")
MARTS = ("subway_performance", "fct_vehicle_events", "dim_vehicle_trips")


def ledger_files(workspace: Workspace) -> list[Path]:
    return sorted((workspace.lake / "_ledger").glob("*.parquet"))


def test_run_lands_loads_builds_and_prints_real_metrics(sample_run: tuple[Workspace, LampRun]) -> None:
    workspace, result = sample_run
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert re.search(r"landed\W+" + re.escape(f"{INPUT_FILES:,}"), out)
    assert f"{VEHICLE_POSITION_ROWS:,}" in out  # rows per feed
    assert "service dates touched: 2023-05-08" in out
    metrics = line_metrics(WarehouseTarget.duckdb(workspace.duckdb_path))
    assert {m.line for m in metrics} == set(LINES)
    for m in metrics:
        assert m.trips > 0 and m.events > m.trips
        # Real medians: a train takes between 30 s and 10 min between stations, and waits at most 5 min.
        assert m.median_travel_seconds is not None and 30 <= m.median_travel_seconds <= 600
        assert m.median_dwell_seconds is not None and 0 < m.median_dwell_seconds <= 300
        assert m.median_headway_seconds is not None and 60 <= m.median_headway_seconds <= 3600
        assert f"{m.events:,}" in out  # the printed table is the marts' figures
    for line in LINES:
        assert line in out
    # trips per line are trip ids, once each: a Green trip reported on two branches is one trip
    with duckdb.connect(str(workspace.duckdb_path), read_only=True) as con:
        distinct_trips = dict(
            con.execute(
                "select trunk_route_id, count(distinct trip_id) from marts.subway_performance group by 1"
            ).fetchall()
        )
    assert {m.line: m.trips for m in metrics} == distinct_trips


def test_second_run_does_no_work_and_says_so(sample_run: tuple[Workspace, LampRun], mbta_day: Path) -> None:
    workspace, _ = sample_run
    ledger_before = ledger_files(workspace)
    marts_before = marts_rows(workspace.duckdb_path, "subway_performance")
    again = run_lamp(["run", str(mbta_day)], workspace.environment())
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Nothing new" in again.stdout
    assert "dbt build skipped" in again.stdout
    assert ledger_files(workspace) == ledger_before
    assert marts_rows(workspace.duckdb_path, "subway_performance") == marts_before


@pytest.mark.postgres
def test_run_on_postgres_gives_the_same_figures(
    sample_run: tuple[Workspace, LampRun], mbta_day: Path, postgres_database: dict[str, str]
) -> None:
    """The same lake (already landed) loaded and built on Postgres: the same per-line figures."""
    workspace, _ = sample_run
    result = run_lamp(
        ["run", str(mbta_day), "--target", "postgres"],
        workspace.environment({**postgres_database, "LAMP_TARGET": "duckdb"}),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Postgres" in result.stdout
    on_postgres = line_metrics(WarehouseTarget.postgres_database(postgres_database))
    on_duckdb = line_metrics(WarehouseTarget.duckdb(workspace.duckdb_path))
    assert on_postgres == on_duckdb
    assert {m.line for m in on_postgres} == set(LINES)


def _kill_when(process: subprocess.Popen[str], ready: Callable[[], bool], timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"lamp run ended (status {process.returncode}) before it could be killed")
        if ready():
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            return
        time.sleep(0.2)
    process.kill()
    pytest.fail("lamp run never reached the point where the test kills it")


def test_killed_runs_then_rerun_equal_an_uninterrupted_run(
    sample_run: tuple[Workspace, LampRun], mbta_day: Path, tmp_path: Path
) -> None:
    reference, _ = sample_run
    workspace = Workspace(tmp_path)
    env = workspace.environment({"PYTHONUNBUFFERED": "1"})
    command = [*LAMP, "run", str(mbta_day)]

    # 1. SIGKILL in the middle of the extract: a few batches committed, the rest not yet.
    first = subprocess.Popen(command, env=env, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, text=True)
    _kill_when(first, lambda: len(ledger_files(workspace)) >= 3)
    assert first.returncode == -signal.SIGKILL

    # 2. SIGKILL during the dbt build of the re-run.
    second = subprocess.Popen(command, env=env, cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    assert second.stdout is not None
    for line in second.stdout:
        if line.startswith("dbt build"):
            time.sleep(3)  # let dbt create some relations
            break
    os.kill(second.pid, signal.SIGKILL)
    second.wait()
    assert second.returncode == -signal.SIGKILL

    # 3. Run to the end: the interrupted build is noticed and redone.
    third = run_lamp(["run", str(mbta_day)], env)
    assert third.returncode == 0, third.stdout + third.stderr
    assert "interrupted" in third.stdout
    for mart in MARTS:
        assert marts_rows(workspace.duckdb_path, mart) == marts_rows(reference.duckdb_path, mart), mart


def test_a_rejected_input_fails_the_run_and_says_why(
    sample_run: tuple[Workspace, LampRun], mbta_feeds: Path, tmp_path: Path
) -> None:
    """Bytes that are not GTFS-Realtime (the real parking-garage JSON): quarantined, named, exit 1."""
    workspace, _ = sample_run
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    garage = "2022-02-01T09:55:23Z_https_mbta_integration.mybluemix.net_vehicleCount.gz"
    (inbox / garage).write_bytes((mbta_feeds / garage).read_bytes())
    result = run_lamp(["run", str(inbox)], workspace.environment())
    assert result.returncode == 1
    assert "Rejected files" in result.stdout
    assert "not_gtfs_realtime" in result.stdout and garage[:20] in result.stdout
    assert "FAILED" in result.stdout and "1 input file(s) rejected" in result.stdout
    assert "dbt build skipped" in result.stdout  # nothing new was loaded: the marts stay as they are
