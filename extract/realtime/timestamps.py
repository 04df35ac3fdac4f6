"""The millisecond rule for epoch fields.

An epoch-seconds value of 1e11 or more would be a date after the year 5138; no feed means that. Such a
value is read as sub-second units: it is divided by 1000 (integer division) until it is below 1e11, so
milliseconds (the common producer bug: 1.68e12) become seconds, and microseconds or nanoseconds too.
The row that held it gets ``has_millisecond_timestamp = True`` and the feed a warning, so the
correction stays visible. Values below 1e11, including negative ones, are kept as they are.

The rule applies to every epoch field: the header timestamp, vehicle and trip update timestamps,
arrival/departure times, alert periods and the MBTA alert timestamps.
"""

from __future__ import annotations

from extract.realtime.values import invalid

MILLISECOND_THRESHOLD = 100_000_000_000  # 1e11 seconds ≈ year 5138
# No protobuf integer exceeds this; a larger JSON number (1e300) is garbage, not nanoseconds, and must not be
# divided down into a plausible-looking date.
UINT64_MAX = 2**64 - 1


def to_seconds(value: int) -> int:
    """``value`` in epoch seconds (see the module doc); call only when ``value >= MILLISECOND_THRESHOLD``."""
    if value > UINT64_MAX:
        raise invalid("an epoch timestamp within 64 bits", value)
    while value >= MILLISECOND_THRESHOLD:
        value //= 1000
    return value
