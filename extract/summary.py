"""The summary `lamp run` prints: what came in, what landed, and what the marts now say, per line.

Two halves: pure functions that turn a run's reports into figures (tested directly), and
:func:`render_summary`, which lays those figures out as rich tables. The per-line metrics come from
``marts.subway_performance`` (rule 12: the public rows: revenue, subway, observed by a vehicle), with the
same SQL on DuckDB and Postgres.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field

from rich.console import Console
from rich.table import Table

from extract.display import escape
from extract.lake import committed_data_files
from extract.pipeline import ExtractReport
from extract.warehouse.target import WarehouseTarget
from extract.warehouse_query import query_rows, relation_exists

_PARTITION_HOUR = re.compile(r"date=(\d{4}-\d{2}-\d{2})/hour=(\d{2})")

# Rule 2.1: a realtime row before 04:00 local time belongs to the previous service date.
SERVICE_DAY_CUTOFF_HOUR = 4


@dataclass(frozen=True)
class LineMetrics:
    """One line (trunk route, rule 8.2) on one service date, over the public rows."""

    service_date: int
    line: str
    trips: int
    events: int
    median_travel_seconds: float | None
    median_dwell_seconds: float | None
    median_headway_seconds: float | None
    scheduled_events: int = 0  # events with a scheduled arrival (rule 12.2); 0 without stop_times (3.4)
    first_event_timestamp: int | None = None  # the window the figures cover, as epoch seconds
    last_event_timestamp: int | None = None


@dataclass
class RunSummary:
    """Everything `lamp run` reports. ``failures`` non-empty means the command exits non-zero."""

    source: str
    lake: str
    warehouse: str
    extract: ExtractReport
    loaded: dict[str, int] = field(default_factory=dict)  # raw table -> rows loaded by this run
    build_reason: str | None = None  # why dbt build ran in this run (None: the marts were up to date)
    built: bool = False  # dbt build ran and passed in this run
    lines: list[LineMetrics] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # dbt data tests that warned in this run's build
    seconds: dict[str, float] = field(default_factory=dict)  # step -> wall seconds

    @property
    def did_work(self) -> bool:
        return (
            bool(self.extract.landed or self.extract.duplicate or self.extract.rejected)
            or any(self.loaded.values())
            or self.build_reason is not None
        )


def service_dates_of_partitions(partitions: Iterable[str], timezone: str) -> list[int]:
    """The service dates (rule 2.1) that the landed realtime hours can touch, as YYYYMMDD integers.

    An hour partition holds snapshots from HH:00 to HH:59 UTC: both ends are mapped to local time, less
    the 4 am cutoff. Trips with a start_date are filed under it, which is the same date for any snapshot
    taken within the service day, so this is the set of dates a rebuild recomputes.
    """
    zone = zoneinfo.ZoneInfo(timezone)
    dates: set[int] = set()
    for partition in partitions:
        match = _PARTITION_HOUR.search(partition)
        if not match:
            continue
        start = dt.datetime.fromisoformat(f"{match.group(1)}T{match.group(2)}:00:00+00:00")
        for moment in (start, start + dt.timedelta(minutes=59, seconds=59)):
            local = moment.astimezone(zone) - dt.timedelta(hours=SERVICE_DAY_CUTOFF_HOUR)
            dates.add(int(local.strftime("%Y%m%d")))
    return sorted(dates)


REALTIME_LAKE_TABLES = ("gtfs_rt/vehicle_positions", "gtfs_rt/trip_updates", "gtfs_rt/alerts")


def service_dates_of_batches(lake: str, batch_ids: Iterable[str], timezone: str) -> list[int]:
    """The service dates the realtime rows of some lake batches can touch (see above)."""
    wanted = set(batch_ids)
    partitions = [
        f"date={item.partition['date']}/hour={item.partition['hour']}"
        for table in REALTIME_LAKE_TABLES
        for item in committed_data_files(lake, table)
        if item.batch_id in wanted
    ]
    return service_dates_of_partitions(partitions, timezone)


def rows_per_feed(report: ExtractReport) -> list[tuple[str, int]]:
    """Rows landed per lake table, realtime feeds first, largest first within each kind."""
    return sorted(
        report.rows_per_table.items(), key=lambda item: (not item[0].startswith("gtfs_rt"), -item[1])
    )


LINE_METRICS_SQL = """
select
    service_date,
    trunk_route_id as line,
    count(distinct trip_id) as trips,
    count(*) as events,
    percentile_cont(0.5) within group (order by travel_time_seconds) as median_travel,
    percentile_cont(0.5) within group (order by dwell_time_seconds) as median_dwell,
    percentile_cont(0.5) within group (order by headway_trunk_seconds) as median_headway,
    count(scheduled_arrival_time) as scheduled_events,
    min(coalesce(move_timestamp, stop_timestamp)) as first_event,
    max(coalesce(stop_timestamp, move_timestamp)) as last_event
from marts.subway_performance
group by service_date, trunk_route_id
order by service_date, trunk_route_id
"""


def _seconds(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def line_metrics(target: WarehouseTarget) -> list[LineMetrics]:
    """Per service date and line: trips, events, median travel, dwell and trunk headway (seconds)."""
    if not relation_exists(target, "marts", "subway_performance"):
        return []
    return [
        LineMetrics(
            service_date=int(row[0]),
            line=str(row[1]),
            trips=int(row[2]),
            events=int(row[3]),
            median_travel_seconds=_seconds(row[4]),
            median_dwell_seconds=_seconds(row[5]),
            median_headway_seconds=_seconds(row[6]),
            scheduled_events=int(row[7]),
            first_event_timestamp=None if row[8] is None else int(row[8]),
            last_event_timestamp=None if row[9] is None else int(row[9]),
        )
        for row in query_rows(target, LINE_METRICS_SQL)
    ]


def format_duration(seconds: float | None) -> str:
    """``2m 05s`` for a median in seconds; an em dash when there is no value."""
    if seconds is None:
        return "—"
    whole = round(seconds)
    minutes, rest = divmod(whole, 60)
    return f"{minutes}m {rest:02d}s" if minutes else f"{rest}s"


def format_service_date(value: int) -> str:
    text = str(value)
    return f"{text[:4]}-{text[4:6]}-{text[6:]}"


# --- rendering ---------------------------------------------------------------------------------------


def _files_table(report: ExtractReport) -> Table:
    table = Table(title="Input files", title_justify="left")
    table.add_column("outcome")
    table.add_column("files", justify="right")
    table.add_row("landed", f"{report.landed:,}")
    table.add_row("duplicate (same bytes seen before)", f"{report.duplicate:,}")
    table.add_row("rejected (quarantined)", f"{report.rejected:,}", style="red" if report.rejected else None)
    table.add_row("already in the ledger", f"{report.skipped:,}", style="dim")
    table.add_row("total listed", f"{report.inputs:,}", style="bold")
    return table


def _rejected_table(report: ExtractReport) -> Table:
    table = Table(title="Rejected files", title_justify="left", title_style="bold red")
    table.add_column("reason")
    table.add_column("files", justify="right")
    table.add_column("example")
    for reason, count in report.rejected_by_reason().items():
        example = next(item for item in report.rejected_files if item.reason_code == reason)
        table.add_row(reason, str(count), escape(f"{example.name}: {example.message}"))
    return table


MAX_WARNINGS_SHOWN = 8


def _warnings_table(warnings: list[str]) -> Table:
    """The extract warnings of this run, the same text counted once (thousands of files can share one)."""
    counts: dict[str, int] = {}
    for warning in warnings:
        _, _, text = warning.partition(": ")  # "<file name>: <warning>"
        counts[text or warning] = counts.get(text or warning, 0) + 1
    table = Table(
        title="Warnings (inputs landed, with these notes)", title_justify="left", title_style="yellow"
    )
    table.add_column("files", justify="right")
    table.add_column("warning")
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    for text, count in ranked[:MAX_WARNINGS_SHOWN]:
        table.add_row(f"{count:,}", escape(text))
    if len(ranked) > MAX_WARNINGS_SHOWN:
        table.add_row("", f"… and {len(ranked) - MAX_WARNINGS_SHOWN} more (see `lamp status`)")
    return table


def _rows_table(report: ExtractReport, loaded: dict[str, int]) -> Table:
    table = Table(title="Rows per feed", title_justify="left")
    table.add_column("lake table")
    table.add_column("rows landed", justify="right")
    table.add_column("rows loaded", justify="right")
    names = [name for name, _ in rows_per_feed(report)]
    names += sorted(name for name in loaded if name not in report.rows_per_table)
    for name in names:
        landed = report.rows_per_table.get(name)
        table.add_row(
            name, f"{landed:,}" if landed is not None else "—", f"{loaded[name]:,}" if name in loaded else "—"
        )
    return table


def format_window(line: LineMetrics, zone: zoneinfo.ZoneInfo) -> str:
    """The local times of the line's first and last event, e.g. ``07:58–10:01``."""
    if line.first_event_timestamp is None or line.last_event_timestamp is None:
        return "—"
    first, last = (
        dt.datetime.fromtimestamp(moment, zone).strftime("%H:%M")
        for moment in (line.first_event_timestamp, line.last_event_timestamp)
    )
    return f"{first}–{last}"


def format_share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "—"


def _lines_table(lines: list[LineMetrics], timezone: str) -> Table:
    zone = zoneinfo.ZoneInfo(timezone)
    table = Table(title="Per line (marts.subway_performance)", title_justify="left")
    for name, justify in [
        ("service date", "left"),
        ("line", "left"),
        ("observed (local)", "left"),
        ("trips", "right"),
        ("events", "right"),
        ("median travel", "right"),
        ("median dwell", "right"),
        ("median headway", "right"),
        ("scheduled", "right"),
    ]:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for line in lines:
        table.add_row(
            format_service_date(line.service_date),
            line.line,
            format_window(line, zone),
            f"{line.trips:,}",
            f"{line.events:,}",
            format_duration(line.median_travel_seconds),
            format_duration(line.median_dwell_seconds),
            format_duration(line.median_headway_seconds),
            format_share(line.scheduled_events, line.events),
        )
    return table


def render_summary(summary: RunSummary, console: Console, timezone: str) -> None:
    report = summary.extract
    console.print()
    console.rule("[bold]lamp run")
    console.print(f"source    {summary.source}")
    console.print(f"lake      {summary.lake}")
    console.print(f"warehouse {summary.warehouse}")
    if not summary.did_work and not summary.failures:
        console.print(
            f"[bold green]Nothing new:[/] all {report.inputs:,} input files are already in the ledger "
            "and the warehouse is up to date; nothing was extracted, loaded or rebuilt."
        )
    console.print(_files_table(report))
    if report.rejected_files:
        console.print(_rejected_table(report))
    if report.rows_per_table or summary.loaded:
        console.print(_rows_table(report, summary.loaded))
    touched = service_dates_of_partitions(report.partitions, timezone)
    if touched:
        console.print("service dates touched: " + ", ".join(format_service_date(day) for day in touched))
    if report.static_feed_keys:
        console.print("static feed versions landed: " + ", ".join(report.static_feed_keys))
    if summary.lines:
        console.print(_lines_table(summary.lines, timezone))
        console.print(
            "[dim]Medians over every station and trip observed in the window shown. travel = arrival − "
            "departure from the previous station; dwell = departure − arrival; headway = "
            "departure-to-departure on the line's trunk, at each station (rules 9.2, 9.4, 9.6). trips "
            "counts every trip id seen, ADDED trips and partial trips included; scheduled = share of "
            "events matched to a scheduled stop time (rule 12.2).[/]"
        )
        if not any(line.scheduled_events for line in summary.lines):
            console.print(
                "[yellow]No event has a schedule: the static feed in force has no stop_times.txt (or no "
                "trip matched), so every scheduled_* column is NULL (rule 3.4). `lamp status` shows the "
                "feed's warnings.[/]"
            )
    elif not summary.failures:
        console.print("[yellow]The marts have no rows yet.[/]")
    if report.warnings:
        console.print(_warnings_table(report.warnings))
    for warning in summary.warnings:
        console.print(f"[yellow]warning[/] {escape(warning)}")
    if summary.seconds:
        console.print(
            "time: " + ", ".join(f"{step} {seconds:.1f}s" for step, seconds in summary.seconds.items())
        )
    if summary.failures:
        console.print("[bold red]FAILED:[/]")
        for failure in summary.failures:
            console.print(f"  [red]✗[/] {failure}")
