"""`lamp extract`, `lamp poll` and `lamp status`: land feeds into the lake and show what the ledger holds."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click
import duckdb
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from extract import config
from extract.cli import main
from extract.display import escape, make_console
from extract.ledger import read_ledger
from extract.pipeline import ExtractReport, extract
from extract.sources.poll import DEFAULT_FEED_URLS, NEW, PollIteration, poll

POLL_INBOX_ENV = "LAMP_POLL_INBOX"
DEFAULT_POLL_INBOX = "./data/inbox"


def _console() -> Console:
    """A console per command, made when it runs, so it sees that command's terminal (or COLUMNS)."""
    return make_console(soft_wrap=True)


_lake_option = click.option(
    "--lake",
    "lake",
    default=None,
    help="The lake: a directory or s3://bucket/prefix [env LAMP_LAKE, default ./data/lake].",
)


def print_report(report: ExtractReport, out: Console) -> None:
    """The summary of one run: outcomes, rows per table, partitions, rejected inputs and their reasons."""
    out.print(
        f"[bold]{report.inputs}[/] inputs from {report.source}: "
        f"[green]{report.landed} landed[/], {report.duplicate} duplicate, "
        f"{report.skipped} already in the ledger, "
        f"[{'red' if report.rejected else 'green'}]{report.rejected} rejected[/] "
        f"in {report.seconds:.1f} s → {report.lake}"
    )
    if report.leftovers_removed:
        out.print(f"removed {report.leftovers_removed} leftover file(s) of an interrupted run")
    if report.rows_per_table:
        table = Table("table", "rows", "partitions", title="rows landed")
        for name, rows in sorted(report.rows_per_table.items()):
            partitions = sorted(p for p in report.partitions if p.startswith(f"{name}/"))
            shown = ", ".join(p[len(name) + 1 :] for p in partitions[:3])
            more = f" … (+{len(partitions) - 3})" if len(partitions) > 3 else ""
            table.add_row(name, f"{rows:,}", f"{len(partitions)}: {shown}{more}")
        out.print(table)
    if report.static_feed_keys:
        out.print("static feed versions landed: " + ", ".join(report.static_feed_keys))
    for entry in report.unusable:
        out.print(f"[yellow]skipped[/] {escape(str(entry))}")
    for warning in report.warnings[:20]:
        out.print(f"[yellow]warning[/] {escape(warning)}")
    if len(report.warnings) > 20:
        out.print(f"[yellow]… and {len(report.warnings) - 20} more warnings (see lamp status)[/]")
    if report.rejected_files:
        table = Table("reason", "file", "message", title="rejected (quarantined in _quarantine/)")
        for item in report.rejected_files:
            table.add_row(item.reason_code, escape(item.name), escape(item.message))
        out.print(table)


@main.command("extract")
@click.argument("source", required=False)
@_lake_option
@click.option("--batch-rows", type=int, default=None, help="Commit a batch every N rows (memory bound).")
@click.option(
    "--archive",
    default=None,
    help="S3 source only: where landed objects go [default: the incoming prefix's sibling 'archive'].",
)
@click.option(
    "--error",
    default=None,
    help="S3 source only: where rejected objects go [default: the incoming prefix's sibling 'error'].",
)
def extract_command(
    source: str | None, lake: str | None, batch_rows: int | None, archive: str | None, error: str | None
) -> None:
    """Land every new file of SOURCE (a directory, a file or s3://bucket/prefix) into the lake.

    SOURCE defaults to LAMP_INBOX (the shared two-hour MBTA sample). Exits with status 1 when some input
    was rejected in this run; the rejected files are kept in the lake's _quarantine/ with their reason.
    """
    source = source or config.inbox()
    lake = lake or config.lake()
    console = _console()
    kwargs: dict[str, Any] = {"batch_rows": batch_rows} if batch_rows else {}
    with Progress(
        TextColumn("extract"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task("extract", total=None)
        try:
            report = extract(
                source,
                lake,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
                archive=archive,
                error=error,
                **kwargs,
            )
        except (OSError, ValueError) as exc:
            # One input's problem never gets here (it is rejected and the run goes on): this is a source
            # or lake that cannot be used at all (missing, a file where a directory must be, no access).
            raise click.ClickException(f"cannot extract {source} into the lake {lake}: {exc}") from exc
    print_report(report, console)
    if report.rejected:
        raise click.ClickException(
            f"{report.rejected} input(s) rejected in this run: " + _reason_summary(report)
        )


def _reason_summary(report: ExtractReport) -> str:
    return ", ".join(f"{count} {reason}" for reason, count in report.rejected_by_reason().items())


def _poll_inbox() -> Path:
    value = os.environ.get(POLL_INBOX_ENV) or DEFAULT_POLL_INBOX
    path = Path(value).expanduser()
    return path if path.is_absolute() else (config.REPO_ROOT / path).resolve()


def _print_iteration(console: Console, iteration: PollIteration) -> None:
    fetched = ", ".join(
        f"{Path(result.url).name}: {result.status}{' (' + result.message + ')' if result.message else ''}"
        for result in iteration.fetches
    )
    console.print(f"[bold]poll {iteration.number}[/] {fetched}")
    if iteration.report is not None and (iteration.report.landed or iteration.report.rejected):
        print_report(iteration.report, console)


@main.command("poll")
@click.option(
    "--interval",
    type=float,
    default=None,
    help="Seconds between two polls [env LAMP_POLL_INTERVAL, default 30].",
)
@click.option("--iterations", type=int, default=None, help="Stop after N polls (default: run forever).")
@click.option(
    "--url", "urls", multiple=True, help="A feed URL to poll (repeatable; default: the MBTA feeds)."
)
@click.option(
    "--inbox",
    default=None,
    help=f"Where fetched bodies are saved [env {POLL_INBOX_ENV}, default {DEFAULT_POLL_INBOX}].",
)
@click.option("--timeout", type=float, default=20.0, show_default=True, help="HTTP timeout in seconds.")
@_lake_option
def poll_command(
    interval: float | None,
    iterations: int | None,
    urls: tuple[str, ...],
    inbox: str | None,
    timeout: float,
    lake: str | None,
) -> None:
    """Fetch live GTFS-Realtime and static GTFS URLs (conditional requests) and land what is new."""
    console = _console()
    iterations_done = poll(
        lake or config.lake(),
        Path(inbox).resolve() if inbox else _poll_inbox(),
        urls=urls or DEFAULT_FEED_URLS,
        interval=config.poll_interval() if interval is None else interval,
        iterations=iterations,
        timeout=timeout,
        on_iteration=lambda iteration: _print_iteration(console, iteration),
    )
    fetched = sum(1 for it in iterations_done for result in it.fetches if result.status == NEW)
    rejected = sum(it.report.rejected for it in iterations_done if it.report is not None)
    if iterations is not None:
        console.print(f"{len(iterations_done)} polls, {fetched} new bodies, {rejected} rejected")


STATUS_BY_FEED_AND_DAY = """
select coalesce(feed_kind, '(unknown)') as feed_kind,
       case when feed_kind = 'static' then feed_key
            else coalesce(strftime(make_timestamp(header_timestamp * 1000000), '%Y-%m-%d'), '(none)')
       end as day_or_version,
       count(*) filter (where outcome = 'landed') as landed,
       count(*) filter (where outcome = 'duplicate') as duplicate,
       count(*) filter (where outcome = 'rejected') as rejected,
       coalesce(sum(row_count) filter (where outcome = 'landed'), 0) as rows,
       count(distinct batch_id) as batches
from ledger
group by all
order by feed_kind, day_or_version
"""

REJECTED_BY_REASON = """
select reason_code, count(*) as files, max(name) as example, max(message) as message
from ledger
where outcome = 'rejected'
group by reason_code
order by files desc, reason_code
"""

MAX_WARNINGS_SHOWN = 10
# Warnings of landed files (a partial static feed names its missing files, rule 3.4; corrected timestamps).
WARNINGS_BY_TEXT = f"""
select warning, count(*) as files, min(name) as example
from (select unnest(warnings) as warning, name from ledger where outcome = 'landed')
group by warning
order by files desc, warning
limit {MAX_WARNINGS_SHOWN}
"""


@main.command("status")
@_lake_option
def status_command(lake: str | None) -> None:
    """What the ledger holds: files and rows per feed and UTC day, and what was rejected and why."""
    lake = lake or config.lake()
    console = _console()
    if "://" not in lake and not os.path.lexists(lake):
        # Looking must not create anything: a mistyped path would otherwise become an empty lake.
        console.print(f"lake {lake}: does not exist yet (`lamp extract` or `lamp run` creates it)")
        return
    if "://" not in lake and not os.path.isdir(lake):
        raise click.ClickException(f"the lake {lake} is not a directory")
    try:
        ledger = read_ledger(lake)
    except (OSError, ValueError) as error:
        raise click.ClickException(f"cannot open the lake {lake}: {error}") from error
    console.print(f"lake {lake}: {ledger.num_rows} input files recorded")
    if ledger.num_rows == 0:
        return
    con = duckdb.connect()
    con.register("ledger", ledger)
    table = Table("feed", "UTC day / feed_key", "landed", "duplicate", "rejected", "rows", "batches")
    for row in con.execute(STATUS_BY_FEED_AND_DAY).fetchall():
        table.add_row(*(f"{value:,}" if isinstance(value, int) else str(value) for value in row))
    console.print(table)
    warned = con.execute(WARNINGS_BY_TEXT).fetchall()
    if warned:
        warnings = Table(
            "warning", "files", "example", title=f"warnings (the {MAX_WARNINGS_SHOWN} most frequent)"
        )
        for warning, files, example in warned:
            warnings.add_row(escape(str(warning)), f"{files:,}", escape(str(example)))
        console.print(warnings)
    rejected = con.execute(REJECTED_BY_REASON).fetchall()
    if rejected:
        reasons = Table("reason", "files", "example", "message", title="rejected (see _quarantine/)")
        for reason, files, example, message in rejected:
            reasons.add_row(str(reason), f"{files:,}", escape(str(example)), escape(str(message)))
        console.print(reasons)
