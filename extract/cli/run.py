"""`lamp run`: the main job. Extract what is new, load it, `dbt build`, and print what it all says.

Each step is the library function the Dagster assets call too (extract, load, run_dbt); this module only
sequences them, shows progress and collects failures. It is safe to kill at any point: the ledger makes
extraction resumable, each load batch is one transaction, and extract/build_state.py notices a dbt build
that never finished and redoes it from scratch.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from dbt.cli.main import dbtRunnerResult
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from extract import build_state, config
from extract.cli import main
from extract.display import make_console
from extract.pipeline import ExtractReport, extract
from extract.summary import RunSummary, line_metrics, render_summary
from extract.warehouse import DbtRunFailed, LoadReport, WarehouseTarget, load, run_dbt
from extract.warehouse.raw_tables import LOADED_BATCHES_TABLE, RAW_SCHEMA
from extract.warehouse_query import query_rows, relation_exists

ProgressCallback = Callable[[int, int], None]


@contextmanager
def progress_bar(console: Console, description: str) -> Iterator[ProgressCallback]:
    """A bar that callers advance with ``callback(done, total)``."""
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


def failed_dbt_nodes(error: DbtRunFailed) -> list[str]:
    """The names of the models, seeds and tests that errored or failed, for the message."""
    results = getattr(error.result.result, "results", None) or []
    return [
        f"{result.node.resource_type} {result.node.name}: {result.status!s}"
        for result in results
        if str(result.status) in ("error", "fail")
    ]


def warned_dbt_tests(result: dbtRunnerResult) -> list[str]:
    """The data tests set to warn (never to fail the build) that found rows, each with what it means."""
    results = getattr(result.result, "results", None) or []
    warned = []
    for entry in results:
        if str(entry.status) != "warn":
            continue
        description = " ".join(str(entry.node.description or "").split())
        first_sentence = description.split(". ")[0].rstrip(".")
        rows = getattr(entry, "failures", None)
        found = f" ({rows} row{'s' if rows != 1 else ''})" if rows is not None else ""
        warned.append(
            f"dbt test {entry.node.name}{found}" + (f": {first_sentence}" if first_sentence else "")
        )
    return warned


def loaded_batches_fingerprint(target: WarehouseTarget) -> str:
    # A batch without data files (only rejected or duplicate inputs) changes no model input, so it must
    # not trigger a rebuild.
    rows = query_rows(
        target, f"select batch_id from {RAW_SCHEMA}.{LOADED_BATCHES_TABLE} where file_count > 0"
    )
    return build_state.fingerprint(str(row[0]) for row in rows)


def build_marts(target: WarehouseTarget, summary: RunSummary, console: Console) -> None:
    """`dbt build` unless the marts already reflect every loaded batch (see extract/build_state.py)."""
    current = loaded_batches_fingerprint(target)
    marts_exist = relation_exists(target, "marts", "subway_performance")
    plan = build_state.plan_build(target, current, marts_exist)
    if not plan.needed:
        console.print(f"dbt build skipped: {plan.reason}")
        return
    # dbt unit tests check the SQL, not the data: CI runs them (tests/warehouse); a data run skips them.
    args = ["build", "--quiet", "--exclude-resource-type", "unit_test"]
    args += ["--full-refresh"] if plan.full_refresh else []
    build_state.record(target, current, build_state.STARTED, plan.full_refresh)
    summary.build_reason = plan.reason
    console.print(f"dbt build ({plan.reason}): models and data tests, `dbt {' '.join(args)}`")
    started = time.perf_counter()
    with console.status("dbt build: models and data tests…"):
        try:
            result = run_dbt(args, target)
            summary.warnings.extend(warned_dbt_tests(result))
        except DbtRunFailed as error:
            nodes = failed_dbt_nodes(error)
            summary.failures.append(f"{error}" + ("".join(f"\n      {node}" for node in nodes)))
            return
        finally:
            summary.seconds["dbt build"] = time.perf_counter() - started
    build_state.record(target, current, build_state.FINISHED, plan.full_refresh)
    summary.built = True


def run_pipeline(source: str, lake: str, target: WarehouseTarget, console: Console) -> RunSummary:
    """Extract → load → dbt build → read the marts; every failure is collected, none is swallowed."""
    summary = RunSummary(
        source=source, lake=lake, warehouse=target.describe(), extract=ExtractReport(source=source, lake=lake)
    )
    started = time.perf_counter()
    try:
        with progress_bar(console, "extract") as advance:
            summary.extract = extract(source, lake, progress=advance)
    except Exception as error:  # reported and the command fails; the ledger makes a re-run resume
        summary.failures.append(f"extract failed: {type(error).__name__}: {error}")
        return summary
    summary.seconds["extract"] = time.perf_counter() - started
    if summary.extract.rejected:
        summary.failures.append(
            f"{summary.extract.rejected} input file(s) rejected and quarantined under {lake}/_quarantine "
            "(reasons above)"
        )

    started = time.perf_counter()
    try:
        with progress_bar(console, "load") as advance:
            report: LoadReport = load(lake, target, progress=advance)
    except Exception as error:
        summary.failures.append(f"load into {target.describe()} failed: {type(error).__name__}: {error}")
        return summary
    summary.seconds["load"] = time.perf_counter() - started
    summary.loaded = {name.replace("__", "/"): rows for name, rows in report.rows_by_table.items() if rows}

    build_marts(target, summary, console)
    if summary.build_reason is None or summary.built:  # no figures from a half-built warehouse
        summary.lines = line_metrics(target)
    return summary


@main.command("run")
@click.argument("source", required=False)
@click.option(
    "--target",
    type=click.Choice(config.TARGETS),
    default=None,
    help="Warehouse to load and build [env LAMP_TARGET, default duckdb].",
)
@click.option("--lake", default=None, help="Lake directory or s3://bucket/prefix [env LAMP_LAKE].")
def run_command(source: str | None, target: str | None, lake: str | None) -> None:
    """Extract everything new from SOURCE, load it, dbt build, and summarise the marts.

    SOURCE is a directory, a file or s3://bucket/prefix [env LAMP_INBOX, default: the shared MBTA sample].
    """
    console = make_console()
    warehouse = WarehouseTarget.from_env(target)
    summary = run_pipeline(source or config.inbox(), lake or config.lake(), warehouse, console)
    render_summary(summary, console, config.agency_timezone())
    if summary.failures:
        sys.exit(1)
