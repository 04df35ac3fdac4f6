"""The run summary: the figures it derives from a run's reports, and what a person reads."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from extract.display import UNATTENDED_WIDTH, make_console
from extract.pipeline import ExtractReport, RejectedFile
from extract.summary import (
    LineMetrics,
    RunSummary,
    format_duration,
    render_summary,
    rows_per_feed,
    service_dates_of_partitions,
)

TZ = "America/New_York"


def test_service_dates_of_partitions_apply_the_4am_cutoff_in_local_time() -> None:
    # 12:00 UTC on 8 May 2023 is 08:00 EDT: service date 20230508.
    assert service_dates_of_partitions(["gtfs_rt/vehicle_positions/date=2023-05-08/hour=12"], TZ) == [
        20230508
    ]
    # 07:00-07:59 UTC on 9 May is 03:00-03:59 EDT: still the 8th (rule 2.1).
    assert service_dates_of_partitions(["gtfs_rt/trip_updates/date=2023-05-09/hour=07"], TZ) == [20230508]
    # 08:00 UTC is exactly 04:00 EDT: the 9th.
    assert service_dates_of_partitions(["gtfs_rt/trip_updates/date=2023-05-09/hour=08"], TZ) == [20230509]
    # static partitions have no hour and touch no service date by themselves
    assert service_dates_of_partitions(["gtfs_static/routes/feed_key=abc"], TZ) == []


def test_durations_read_like_a_timetable() -> None:
    assert format_duration(None) == "—"
    assert format_duration(42.4) == "42s"
    assert format_duration(125) == "2m 05s"
    assert format_duration(59.6) == "1m 00s"


def test_rows_per_feed_lists_realtime_first_then_largest() -> None:
    report = ExtractReport(source="s", lake="l")
    report.rows_per_table = {"gtfs_static/stops": 900, "gtfs_rt/alerts": 3, "gtfs_rt/trip_updates": 50}
    assert rows_per_feed(report) == [
        ("gtfs_rt/trip_updates", 50),
        ("gtfs_rt/alerts", 3),
        ("gtfs_static/stops", 900),
    ]


def render(summary: RunSummary) -> str:
    console = Console(record=True, width=160)
    render_summary(summary, console, TZ)
    return console.export_text()


def test_summary_names_rejections_per_reason_and_the_failures() -> None:
    report = ExtractReport(source="/inbox", lake="/lake", inputs=4, landed=2, rejected=2)
    report.rejected_files = [
        RejectedFile("/inbox/a.gz", "a.gz", "truncated_gzip", "The gzip stream ends early."),
        RejectedFile("/inbox/b.gz", "b.gz", "truncated_gzip", "The gzip stream ends early."),
    ]
    report.rows_per_table = {"gtfs_rt/vehicle_positions": 1234}
    report.partitions = {"gtfs_rt/vehicle_positions/date=2023-05-08/hour=13"}
    summary = RunSummary(source="/inbox", lake="/lake", warehouse="DuckDB file /w.duckdb", extract=report)
    summary.loaded = {"gtfs_rt/vehicle_positions": 1234}
    # 1683547200 is 08:00 EDT; the last event 1h 59m later
    summary.lines = [LineMetrics(20230508, "Red", 10, 200, 95.0, 40.5, 421.0, 0, 1683547200, 1683554340)]
    summary.failures = ["2 input file(s) rejected"]
    text = render(summary)
    assert "truncated_gzip │     2 │ a.gz: The gzip stream ends early." in text
    assert "1,234" in text
    assert "service dates touched: 2023-05-08" in text
    assert (
        "│ 2023-05-08   │ Red  │ 08:00–09:59      │    10 │    200 │        1m 35s │          40s │"
        "         7m 01s │        0% │" in text
    )
    # a feed without stop_times (rule 3.4) leaves every scheduled column NULL: the summary says why
    assert "No event has a schedule" in " ".join(text.split())
    assert "FAILED" in text and "2 input file(s) rejected" in text
    assert "Nothing new" not in text


def test_a_run_with_nothing_new_says_so() -> None:
    report = ExtractReport(source="/inbox", lake="/lake", inputs=7, skipped=7)
    text = render(RunSummary(source="/inbox", lake="/lake", warehouse="w", extract=report))
    assert "Nothing new: all 7 input files are already in the ledger" in text
    assert "FAILED" not in text


def test_warnings_are_counted_once_per_text_and_shown_literally() -> None:
    report = ExtractReport(source="/inbox", lake="/lake", inputs=3, landed=3)
    report.warnings = [
        "a.pb: vehicle_timestamp: 2 values in milliseconds divided by 1000",
        "b.pb: vehicle_timestamp: 2 values in milliseconds divided by 1000",
        "MBTA_GTFS: the feed is missing stop_times.txt [bold]\x1b[31m",
    ]
    summary = RunSummary(source="/inbox", lake="/lake", warehouse="w", extract=report)
    summary.lines = [LineMetrics(20230508, "Red", 10, 200, 95.0, 40.5, 421.0, 150, 1683547200, 1683554340)]
    summary.warnings = ["dbt test realtime_dates_without_schedule (1 row): Service dates with realtime rows"]

    text = render(summary)

    assert "│     2 │ vehicle_timestamp: 2 values in milliseconds divided by 1000" in text
    # file names and messages are never read as markup or terminal escapes
    assert "the feed is missing stop_times.txt [bold]\\x1b[31m" in text
    assert "warning dbt test realtime_dates_without_schedule (1 row)" in text
    assert "75% │" in text and "No event has a schedule" not in text


def test_a_log_or_pipe_gets_wide_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not a terminal (make demo > log, CI): rich would lay tables out for 80 columns and cut station
    names; COLUMNS still wins when the user sets it."""
    monkeypatch.delenv("COLUMNS", raising=False)
    assert make_console(file=io.StringIO()).width == UNATTENDED_WIDTH
    monkeypatch.setenv("COLUMNS", "100")
    assert make_console(file=io.StringIO()).width == 100
