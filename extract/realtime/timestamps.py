"""The epoch rules: milliseconds corrected, implausible entity times landed as NULL.

Milliseconds. An epoch-seconds value of 1e11 or more would be a date after the year 5138; no feed means
that. Such a value is read as sub-second units: it is divided by 1000 (integer division) until it is
below 1e11, so milliseconds (the common producer bug: 1.68e12) become seconds, and microseconds or
nanoseconds too. The row that held it gets ``has_millisecond_timestamp = True`` and the feed a warning,
so the correction stays visible. The rule applies to every epoch field: the header timestamp, vehicle
and trip update timestamps, arrival/departure times, alert periods and the MBTA alert timestamps.

Plausibility (entity fields only). A value that is still outside [1990-01-01, 2100-01-01) UTC after the
millisecond rule is garbage, not a time: a wrapped negative (2**64-5), a 2**63-1 sentinel, a counter.
It is landed as NULL, counted per lake field in ``nulled`` and reported as a warning, instead of landing
as a year-2554 date. Exactly 0 is kept as 0: it is what a producer writes for "no time" (protobuf's
default, set explicitly), the spec's dbt rules already filter it (vehicle timestamp > 0), and landing it
as 0 is what the decoder always did. A nulled value does not flag its row ``has_millisecond_timestamp``:
no corrected value is left to flag. The header timestamp is not nulled here: an implausible header
rejects the whole input (``invalid_header_timestamp``, in the pipeline), since it decides the partition.
"""

from __future__ import annotations

from extract.realtime.values import invalid

MILLISECOND_THRESHOLD = 100_000_000_000  # 1e11 seconds ≈ year 5138
# No protobuf integer exceeds this; a larger JSON number (1e300) is garbage, not nanoseconds, and must not be
# divided down into a plausible-looking date.
UINT64_MAX = 2**64 - 1
EARLIEST = 631_152_000  # 1990-01-01T00:00:00Z, the pipeline's header bound too
LATEST = 4_102_444_800  # 2100-01-01T00:00:00Z, exclusive


def to_seconds(value: int) -> int:
    """``value`` in epoch seconds (see the module doc); call only when ``value >= MILLISECOND_THRESHOLD``."""
    if value > UINT64_MAX:
        raise invalid("an epoch timestamp within 64 bits", value)
    while value >= MILLISECOND_THRESHOLD:
        value //= 1000
    return value


def entity_seconds(value: int, field: str, nulled: dict[str, int]) -> tuple[int | None, bool]:
    """An entity's epoch ``value`` → (seconds, or None when implausible; whether it was in milliseconds).

    The hot loops skip the call when ``EARLIEST <= value < LATEST`` (the common case); a None result is
    counted in ``nulled[field]``.
    """
    corrected = value >= MILLISECOND_THRESHOLD
    seconds = to_seconds(value) if corrected else value
    if seconds == 0 or EARLIEST <= seconds < LATEST:
        return seconds, corrected
    nulled[field] = nulled.get(field, 0) + 1
    return None, False


def nulled_warnings(nulled: dict[str, int]) -> list[str]:
    """One warning per field whose implausible values were landed as NULL."""
    return [
        f"1 {field} value was not a time between 1990 and 2100 (even read as milliseconds); "
        "it landed as NULL."
        if count == 1
        else f"{count} {field} values were not times between 1990 and 2100 (even read as milliseconds); "
        "they landed as NULL."
        for field, count in sorted(nulled.items())
    ]
