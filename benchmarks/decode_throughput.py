"""Decode throughput of extract.realtime over the shared two-hour MBTA sample (one core).

Prints rows/s per feed kind and format and in total, by CPU time of this process (what the target
"300,000 rows/s on one core" means on a shared machine) and by wall-clock time, and the peak RSS.
File bytes are read before timing: this measures decoding (gunzip + parse + Arrow tables), not disk.

    .venv/bin/python benchmarks/decode_throughput.py [--reference] [--limit N]
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from collections import defaultdict
from pathlib import Path

from extract.realtime import decode_realtime, wire

REPO_ROOT = Path(__file__).resolve().parents[1]


def sample_files() -> list[Path]:
    root = Path(os.environ.get("LAMP_SAMPLE_DATA", REPO_ROOT.parent / "shared" / "data")).resolve()
    return sorted(p for p in (root / "mbta" / "2023-05-08" / "raw").rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", action="store_true", help="force the pure-Python reference path")
    parser.add_argument("--limit", type=int, default=0, help="decode only every file up to N (0 = all)")
    args = parser.parse_args()
    files = sample_files()
    if args.limit:
        files = files[: args.limit]
    use_accelerator = not args.reference
    rows: dict[str, int] = defaultdict(int)
    cpu: dict[str, float] = defaultdict(float)
    total_rows = 0
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    for path in files:
        data = path.read_bytes()
        started = time.process_time()
        feed = decode_realtime(data, path.name, use_accelerator=use_accelerator)
        spent = time.process_time() - started
        count = sum(table.num_rows for table in feed.tables.values())
        group = f"{feed.feed_kind}/{feed.format}"
        rows[group] += count
        cpu[group] += spent
        total_rows += count
    wall = time.perf_counter() - wall_start
    decode_cpu = sum(cpu.values())
    print(f"accelerator: {'on' if use_accelerator and wire.AVAILABLE else 'off (reference path)'}")
    for group in sorted(rows):
        print(f"  {group:40s} {rows[group]:>10,} rows  {rows[group] / cpu[group]:>12,.0f} rows/s (CPU)")
    print(f"files: {len(files):,}  rows: {total_rows:,}")
    print(f"decode rows/s (CPU time of decode_realtime): {total_rows / decode_cpu:,.0f}")
    print(f"rows/s (wall clock, incl. reading files):   {total_rows / wall:,.0f}")
    print(f"process CPU: {time.process_time() - cpu_start:.2f} s, wall: {wall:.2f} s")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")


if __name__ == "__main__":
    main()
