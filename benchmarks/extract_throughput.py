"""Benchmark: land the whole shared two-hour MBTA sample into a fresh temporary lake, in one process.

Prints input files, rows landed, seconds, rows per second and peak RSS (resource.getrusage). Issue 2's
targets: at least 300,000 rows/s on one core, peak RSS under 1 GB.

    .venv/bin/python benchmarks/extract_throughput.py [SOURCE] [--batch-rows N] [--keep]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from extract import config  # noqa: E402
from extract.pipeline import DEFAULT_BATCH_ROWS, extract  # noqa: E402

TARGET_ROWS_PER_SECOND = 300_000
TARGET_PEAK_RSS_BYTES = 1024**3


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("source", nargs="?", default=config.inbox(), help="default: LAMP_INBOX / the sample")
    parser.add_argument("--batch-rows", type=int, default=DEFAULT_BATCH_ROWS)
    parser.add_argument("--keep", action="store_true", help="keep the temporary lake and print its path")
    args = parser.parse_args()

    lake = Path(tempfile.mkdtemp(prefix="lamp-bench-lake-"))
    try:
        cpu_started = time.process_time()
        started = time.perf_counter()
        report = extract(args.source, str(lake), batch_rows=args.batch_rows)
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
    finally:
        if not args.keep:
            shutil.rmtree(lake, ignore_errors=True)
    rows = report.total_rows
    rss = peak_rss_bytes()
    print(f"source        {args.source}")
    print(f"files         {report.inputs:,} ({report.landed:,} landed, {report.rejected:,} rejected)")
    for table, count in sorted(report.rows_per_table.items()):
        if count >= 1000:
            print(f"  {table:<28}{count:>12,}")
    print(f"rows          {rows:,}")
    print(f"batches       {len(report.batches)} (batch_rows={args.batch_rows:,})")
    print(f"seconds       {seconds:.2f} wall, {cpu_seconds:.2f} CPU")
    print(f"rows/s        {rows / seconds:,.0f} wall, {rows / cpu_seconds:,.0f} per CPU second")
    print(f"peak RSS      {rss / 1024**2:,.0f} MiB")
    if args.keep:
        print(f"lake          {lake}")
    meets = rows / seconds >= TARGET_ROWS_PER_SECOND and rss < TARGET_PEAK_RSS_BYTES
    print(
        f"targets       >= {TARGET_ROWS_PER_SECOND:,} rows/s and < 1 GiB RSS: {'met' if meets else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
