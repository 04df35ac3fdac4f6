"""Killing `extract` at any point and running it again loses no row and doubles none.

The process is really killed (SIGKILL): at fault-injection points inside a batch (after its data files,
before its ledger file; after its ledger file, before settling) and at arbitrary moments by timing.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from extract.lake import committed_data_files
from extract.ledger import read_ledger
from extract.pipeline import extract

REPO_ROOT = Path(__file__).resolve().parents[2]
BATCH_ROWS = 4000  # many small batches, so a kill lands between and inside them


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory, mbta_day: Path, mbta_feeds: Path) -> Path:
    """A few dozen real snapshots of both formats, a bad file and the static feed."""
    root = tmp_path_factory.mktemp("inbox")
    raw = mbta_day / "raw"
    for folder, count in (("VehiclePositions", 30), ("TripUpdates", 6)):
        names = sorted(os.listdir(raw / folder))
        # both hours: protobuf (12:00) and enhanced JSON (13:00)
        for name in names[:count] + names[-count:]:
            shutil.copy(raw / folder / name, root / name)
    shutil.copy(
        mbta_feeds / "2022-02-01T09:55:23Z_https_mbta_integration.mybluemix.net_vehicleCount.gz", root
    )
    shutil.copytree(mbta_day / "static" / "MBTA_GTFS", root / "MBTA_GTFS")
    return root


def lake_state(lake: Path) -> dict[str, object]:
    """Rows per table, distinct row keys per table, and the ledger's sources: what must not change."""
    state: dict[str, object] = {}
    for table in ("gtfs_rt/vehicle_positions", "gtfs_rt/trip_updates", "gtfs_static/trips"):
        files = [f.path for f in committed_data_files(str(lake), table)]
        key = "source_file_id, entity_index" if table.startswith("gtfs_rt") else "trip_id"
        if table == "gtfs_rt/trip_updates":
            key += ", stop_time_update_index"
        state[table] = duckdb.sql(
            f"select count(*), count(distinct ({key})) from read_parquet({files!r})"
        ).fetchall()[0]
    ledger = read_ledger(str(lake))
    sources = ledger.column("source").to_pylist()
    state["ledger_rows"] = len(sources)
    state["ledger_sources"] = sorted(set(sources))
    state["outcomes"] = sorted(ledger.column("outcome").to_pylist())
    return state


@pytest.fixture(scope="module")
def reference(inbox: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    lake = tmp_path_factory.mktemp("reference") / "lake"
    extract(str(inbox), str(lake), batch_rows=BATCH_ROWS)
    state = lake_state(lake)
    counts = state["gtfs_rt/trip_updates"]
    assert isinstance(counts, tuple) and counts[0] == counts[1] > 0  # sanity: rows and unique keys
    return state


def run_extract(inbox: Path, lake: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    code = (
        "from extract.pipeline import extract; "
        f"extract({str(inbox)!r}, {str(lake)!r}, batch_rows={BATCH_ROWS})"
    )
    environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT), **(env or {})}
    return subprocess.Popen([sys.executable, "-c", code], env=environment, cwd=REPO_ROOT)


@pytest.mark.parametrize("point", ["after_data:1", "after_data:3", "after_commit:2"])
def test_killed_inside_a_batch_then_rerun_equals_an_uninterrupted_run(
    point: str, inbox: Path, reference: dict[str, object], tmp_path: Path
) -> None:
    lake = tmp_path / "lake"
    killed = run_extract(inbox, lake, {"LAMP_FAULT_INJECTION": point})
    assert killed.wait(timeout=300) == -signal.SIGKILL
    if point.startswith("after_data"):
        # the killed batch left data files that no ledger file commits
        leftovers = [p for p in lake.rglob("*.parquet") if "_ledger" not in p.parts]
        assert len(leftovers) > sum(len(committed_data_files(str(lake), t)) for t in _all_tables(lake))

    report = extract(str(inbox), str(lake), batch_rows=BATCH_ROWS)

    assert report.leftovers_removed > 0 or point.startswith("after_commit")
    assert lake_state(lake) == reference


def _all_tables(lake: Path) -> list[str]:
    return sorted({"/".join(p.relative_to(lake).parts[:2]) for p in lake.rglob("*.parquet") if "=" in str(p)})


def _committed_batches(lake: Path) -> int:
    return len(list((lake / "_ledger").glob("*.parquet"))) if lake.exists() else 0


def test_killed_at_arbitrary_moments_then_rerun_equals_an_uninterrupted_run(
    inbox: Path, reference: dict[str, object], tmp_path: Path
) -> None:
    lake = tmp_path / "lake"
    kills = 0
    # Each attempt runs until it has committed one more batch, then is killed a few milliseconds
    # later (a different offset each time: while reading, decoding, writing data or the ledger).
    for offset in (0.0, 0.05, 0.15, 0.3):
        before = _committed_batches(lake)
        process = run_extract(inbox, lake)
        while process.poll() is None and _committed_batches(lake) == before:
            time.sleep(0.005)
        time.sleep(offset)
        if process.poll() is not None:
            break  # this attempt finished the work
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=60) == -signal.SIGKILL
        kills += 1
    assert kills >= 2

    extract(str(inbox), str(lake), batch_rows=BATCH_ROWS)

    assert lake_state(lake) == reference


def test_two_concurrent_runs_on_one_lake_land_each_file_once(
    inbox: Path, reference: dict[str, object], tmp_path: Path
) -> None:
    # e.g. a scheduled run and a manual `lamp extract`: they take turns on the writer lock, so neither
    # deletes the other's uncommitted files and the second sees what the first committed
    lake = tmp_path / "lake"
    first, second = run_extract(inbox, lake), run_extract(inbox, lake)
    assert first.wait(timeout=300) == 0 and second.wait(timeout=300) == 0

    assert lake_state(lake) == reference
