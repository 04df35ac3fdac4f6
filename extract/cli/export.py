"""`lamp export`: write the public daily subway-performance file(s) and their index.csv (rule 12)."""

from __future__ import annotations

import datetime as dt
import sys

import click
import duckdb
import psycopg
from rich.table import Table

from extract import config
from extract.cli import main
from extract.display import make_console
from extract.export import dates_between, export_service_dates, parse_service_date, published_service_dates
from extract.warehouse import WarehouseTarget


def _date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return parse_service_date(value)
    except ValueError as error:
        raise click.BadParameter(f"{value!r} is not a date: use YYYY-MM-DD") from error


@main.command("export")
@click.option("--date", "first", callback=_date, help="Service date YYYY-MM-DD (default: every date).")
@click.option("--to", "last", callback=_date, help="Last service date of a range starting at --date.")
@click.option("--out", default=None, help="Output folder [env LAMP_EXPORT_DIR, default ./data/exports].")
@click.option(
    "--target", type=click.Choice(config.TARGETS), default=None, help="Warehouse [env LAMP_TARGET]."
)
def export_command(first: dt.date | None, last: dt.date | None, out: str | None, target: str | None) -> None:
    """Write YYYY-MM-DD-subway-on-time-performance-v1.parquet per service date, plus index.csv."""
    console = make_console()
    warehouse = WarehouseTarget.from_env(target)
    try:
        published = published_service_dates(warehouse)
    except (duckdb.Error, psycopg.Error) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise click.ClickException(
            f"cannot read marts.subway_performance from {warehouse.describe()} ({reason}); "
            "run `lamp run` first to build it"
        ) from error
    dates = published if first is None else list(dates_between(first, last or first))
    missing = [day for day in dates if day not in published]
    present = [day for day in dates if day in published]
    report = export_service_dates(warehouse, present, out or config.export_dir())
    table = Table(title=f"Exported to {report.index.parent}", title_justify="left")
    table.add_column("service date")
    table.add_column("rows", justify="right")
    table.add_column("file")
    for item in report.files:
        table.add_row(item.service_date.isoformat(), f"{item.rows:,}", item.path.name)
    console.print(table)
    console.print(f"index: {report.index}")
    if missing:
        console.print(
            "[bold red]No rows in marts.subway_performance for:[/] "
            + ", ".join(day.isoformat() for day in missing)
            + " (no file written for them; run `lamp run` first?)"
        )
        sys.exit(1)
