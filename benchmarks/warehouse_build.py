"""Warehouse build benchmark (issue 3): load + `dbt build` on DuckDB and on Postgres, in seconds and peak
memory, for the shared two-hour real sample and for a simulated full service day (the two real hours
replayed twelve times, shifted by two hours each time, with distinct trip_ids per replay).

    .venv/bin/python benchmarks/warehouse_build.py                  # both targets, sample and day
    .venv/bin/python benchmarks/warehouse_build.py --targets duckdb --replays 1   # sample only
    .venv/bin/python benchmarks/warehouse_build.py --targets postgres --day-only  # day only

Each load + build runs in a child process, so its peak resident memory is measured on its own (the
Postgres server's own memory is not included). Prints a table of figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from extract import config
from extract.lake import (
    as_lake,
    committed_data_files,
    ledger_file,
    new_batch_id,
    realtime_file,
    realtime_partition,
)
from extract.pipeline import extract
from extract.warehouse.dbt import run_dbt
from extract.warehouse.loader import load
from extract.warehouse.target import WarehouseTarget, postgres_conninfo

REPLAY_SHIFT_SECONDS = 2 * 3600
SLOWEST_NODES = 4  # printed under each run: where the build's time goes
# Epoch columns moved by each replay, per realtime table (alerts are not replayed).
SHIFTED_COLUMNS = {
    "vehicle_positions": ["feed_timestamp", "vehicle_timestamp"],
    "trip_updates": ["feed_timestamp", "trip_update_timestamp", "arrival_time", "departure_time"],
}


def replay_lake(lake: str, replays: int) -> None:
    """Add replays 1..replays-1 of the lake's realtime batches, each shifted by 2 h more than the last."""
    the_lake = as_lake(lake)
    originals = {table: committed_data_files(lake, f"gtfs_rt/{table}") for table in SHIFTED_COLUMNS}
    batch_ids = sorted({f.batch_id for files in originals.values() for f in files})
    for replay in range(1, replays):
        shift = replay * REPLAY_SHIFT_SECONDS
        new_ids = {batch_id: new_batch_id() for batch_id in batch_ids}
        for table, files in originals.items():
            for data_file in files:
                rows = pq.read_table(data_file.path)
                for column in SHIFTED_COLUMNS[table]:
                    index = rows.schema.get_field_index(column)
                    rows = rows.set_column(index, column, pc.add(rows[column], shift))
                # a replay is new trips from new feed files: distinct trip_ids and source_file_ids
                for column in ("trip_id", "source_file_id"):
                    renamed = pc.binary_join_element_wise(rows[column], pa.scalar(f"-replay{replay}"), "")
                    rows = rows.set_column(rows.schema.get_field_index(column), column, renamed)
                partition = realtime_partition(int(pc.min(rows["feed_timestamp"]).as_py()))
                the_lake.write_parquet(realtime_file(table, partition, new_ids[data_file.batch_id]), rows)
        # the ledger file commits the batch (extract/lake.py): written last, as the pipeline does
        for batch_id, new_id in new_ids.items():
            the_lake.write_bytes(ledger_file(new_id), the_lake.read_bytes(ledger_file(batch_id)))


def child_load_and_build(lake: str, target_json: str) -> None:
    """Child process: load the lake into the target and `dbt build`; print the seconds as JSON."""
    settings = json.loads(target_json)
    target = WarehouseTarget(settings["name"], settings["duckdb_path"], settings["postgres"])
    with tempfile.TemporaryDirectory() as work:
        started = time.perf_counter()
        report = load(lake, target)
        loaded = time.perf_counter()
        result = run_dbt(["build"], target, check=False, work_dir=Path(work))
        built = time.perf_counter()
    # dbt's result of `build` is a RunExecutionResult: one entry per model, seed and test
    entries = getattr(result.result, "results", [])
    failures = [str(entry.node.name) for entry in entries if str(entry.status) in ("error", "fail")]
    timings = sorted(((float(entry.execution_time), str(entry.node.name)) for entry in entries), reverse=True)
    slowest = [[name, seconds] for seconds, name in timings[:SLOWEST_NODES]]
    print(json.dumps({"load_s": loaded - started, "build_s": built - loaded, "rows": report.rows,
                      "failures": failures, "slowest": slowest}))  # fmt: skip


def measure(lake: str, target: WarehouseTarget) -> dict[str, object]:
    """Run the load + build child and return its figures with its peak RSS (MiB)."""
    settings = {"name": target.name, "duckdb_path": target.duckdb_path, "postgres": dict(target.postgres)}
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", lake, json.dumps(settings)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"load + build failed on {target.describe()}")
    figures: dict[str, object] = json.loads(output.strip().splitlines()[-1])
    figures["peak_mib"] = usage.ru_maxrss / 1024  # Linux reports KiB
    return figures


def fresh_target(name: str, work: Path, label: str) -> WarehouseTarget:
    if name == "duckdb":
        return WarehouseTarget.duckdb(work / f"{label}.duckdb")
    database = f"lamp_bench_{label}_{uuid.uuid4().hex[:8]}"
    settings = config.postgres_settings({**os.environ, "PGDATABASE": database})
    with psycopg.connect(postgres_conninfo(settings, dbname="postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    return WarehouseTarget.postgres_database(settings)


def drop_target(target: WarehouseTarget) -> None:
    if target.name == "postgres":
        with psycopg.connect(postgres_conninfo(target.postgres, dbname="postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{target.postgres["PGDATABASE"]}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sample", default=str(config.sample_data_root() / "mbta" / "2023-05-08"))
    parser.add_argument(
        "--targets", nargs="+", default=["duckdb", "postgres"], choices=["duckdb", "postgres"]
    )
    parser.add_argument("--replays", type=int, default=12, help="replays of the two hours for the day run")
    parser.add_argument("--day-only", action="store_true", help="skip the two-hour sample run")
    parser.add_argument("--child", nargs=2, metavar=("LAKE", "TARGET_JSON"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_load_and_build(*args.child)
        return

    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        sample_lake = str(work / "sample_lake")
        started = time.perf_counter()
        extract(args.sample, sample_lake)
        print(f"extract of the two-hour sample: {time.perf_counter() - started:.1f} s")
        runs = [] if args.day_only else [("sample", sample_lake)]
        if args.replays > 1:
            day_lake = str(work / "day_lake")
            extract(args.sample, day_lake)
            started = time.perf_counter()
            replay_lake(day_lake, args.replays)
            print(
                f"replayed the sample {args.replays}x into a day lake: {time.perf_counter() - started:.1f} s"
            )
            runs.append(("day", day_lake))
        print(
            f"{'run':8} {'target':9} {'rows':>10} {'load s':>8} {'build s':>8} {'total s':>8} {'peak MiB':>9}"
        )
        for label, lake in runs:
            for name in args.targets:
                target = fresh_target(name, work, label)
                try:
                    figures = measure(lake, target)
                finally:
                    drop_target(target)
                load_s, build_s = float(figures["load_s"]), float(figures["build_s"])  # type: ignore[arg-type]
                print(
                    f"{label:8} {name:9} {figures['rows']:>10} {load_s:>8.1f} {build_s:>8.1f} "
                    f"{load_s + build_s:>8.1f} {float(figures['peak_mib']):>9.0f}"  # type: ignore[arg-type]
                    + (f"  failures: {figures['failures']}" if figures["failures"] else "")
                )
                slowest = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in figures["slowest"])  # type: ignore[attr-defined]
                print(f"{'':8} slowest: {slowest}")


if __name__ == "__main__":
    main()
