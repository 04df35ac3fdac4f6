"""Daily partitions by service date (rule 0.1), in the agency's time zone."""

from __future__ import annotations

import datetime as dt

import dagster as dg

from extract import config

# The first service date a backfill may ask for; the shared sample is 2023-05-08.
FIRST_SERVICE_DATE = "2023-01-01"

SERVICE_DATES = dg.DailyPartitionsDefinition(
    start_date=FIRST_SERVICE_DATE, timezone=config.agency_timezone(), end_offset=1
)


def partition_key(service_date: int | dt.date) -> str:
    """20230508 or date(2023, 5, 8) → "2023-05-08"."""
    if isinstance(service_date, dt.date):
        return service_date.isoformat()
    text = str(service_date)
    return f"{text[:4]}-{text[4:6]}-{text[6:]}"


def service_date_vars(first_key: str, last_key: str) -> dict[str, int]:
    """The dbt vars that restrict a build to a range of service dates (YYYYMMDD integers)."""
    return {
        "service_date_start": int(first_key.replace("-", "")),
        "service_date_end": int(last_key.replace("-", "")),
    }
