"""`lamp static fetch --date YYYY-MM-DD`: download the static GTFS version in force on a date."""

from __future__ import annotations

from datetime import datetime

import click
from rich.console import Console

from extract import config
from extract.cli import main
from extract.static_fetch import MBTA_ARCHIVE_INDEX_URL, StaticFetchError, fetch_static_feed

console = Console()


@main.group("static")
def static_group() -> None:
    """Static GTFS schedules: fetch archived feed versions."""


@static_group.command("fetch")
@click.option(
    "--date",
    "day",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The service date (YYYY-MM-DD) whose feed version to download.",
)
@click.option(
    "--index-url",
    envvar="LAMP_STATIC_ARCHIVE_INDEX",
    default=MBTA_ARCHIVE_INDEX_URL,
    show_default=True,
    help="The agency's archive index CSV (feed_start_date,feed_end_date,feed_version,archive_url,...) "
    "[env LAMP_STATIC_ARCHIVE_INDEX].",
)
@click.option(
    "--inbox",
    default=None,
    help="Where the zip is saved, for `lamp extract`/`lamp run` [env LAMP_POLL_INBOX, default ./data/inbox].",
)
def fetch_command(day: datetime, index_url: str, inbox: str | None) -> None:
    """Download the static GTFS feed version that was in force on --date into the inbox.

    The version is chosen from the archive index as the warehouse chooses version(D) (spec rule 3.3).
    """
    target = inbox or config.poll_inbox()
    try:
        fetched = fetch_static_feed(
            day.date(), target, index_url=index_url, timezone=config.agency_timezone()
        )
    except StaticFetchError as exc:
        raise click.ClickException(str(exc)) from exc
    feed = fetched.feed
    console.print(
        f"[green]fetched[/] {feed.feed_version or '(no feed_version)'} "
        f"(valid {feed.feed_start_date:%Y-%m-%d} to {feed.feed_end_date:%Y-%m-%d}), "
        f"{fetched.size:,} bytes → {fetched.path}"
    )
