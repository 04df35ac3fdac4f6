"""The one exception a decoder raises for input that must be quarantined rather than landed."""

from __future__ import annotations


class RejectedInput(Exception):
    """Input that is not (valid) GTFS or GTFS-Realtime.

    ``reason_code`` is short, stable and snake_case (it is stored in the ledger and counted in reports);
    ``message`` is a sentence a person understands.
    """

    def __init__(self, reason_code: str, message: str) -> None:
        super().__init__(f"{reason_code}: {message}")
        self.reason_code = reason_code
        self.message = message
