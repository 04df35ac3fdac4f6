"""JSON bytes → a feed dict, or the reason they are not a GTFS-Realtime feed.

Accepts MBTA enhanced JSON and protobuf's canonical JSON (proto field names, or lowerCamelCase names,
which are converted). A JSON document without a header is ``missing_header`` when it has entities,
``json_error_page`` when it looks like an API error ({"error": ...}), else ``not_gtfs_realtime``
(the MBTA parking-garage counts are such a document).
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from extract.errors import RejectedInput

_ERROR_KEYS = frozenset({"error", "errors", "message", "status", "code", "detail", "fault", "title"})
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def load_feed_json(payload: bytes) -> dict[str, Any]:
    """The feed as a dict with proto field names; its header is checked by the caller."""
    try:
        document = orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        raise RejectedInput(
            "invalid_json", f"The file starts like JSON but is not valid JSON ({exc})."
        ) from exc
    if not isinstance(document, dict):
        raise RejectedInput(
            "not_gtfs_realtime", "The JSON document is not an object, so not a GTFS-Realtime feed."
        )
    header = document.get("header")
    if header is None:
        if "entity" in document:
            raise RejectedInput("missing_header", "The JSON feed has entities but no header.")
        if _ERROR_KEYS & {key.lower() for key in document}:
            raise RejectedInput("json_error_page", "The JSON document is an error response, not a feed.")
        keys = ", ".join(sorted(document)[:5])
        raise RejectedInput(
            "not_gtfs_realtime", f"The JSON document is not a GTFS-Realtime feed (keys: {keys})."
        )
    if isinstance(header, dict) and "gtfsRealtimeVersion" in header:
        try:
            converted = _snake_case_keys(document)
        except RecursionError:
            raise RejectedInput("invalid_json", "The JSON document is nested too deeply.") from None
        assert isinstance(converted, dict)
        return converted
    return document


def _snake_case_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {_CAMEL.sub("_", key).lower(): _snake_case_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_snake_case_keys(item) for item in value]
    return value
