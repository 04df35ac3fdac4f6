"""The quarantine: rejected inputs, kept byte for byte with the reason they were rejected.

``_quarantine/<sha256>/<original name>`` holds the raw bytes (a rejected static GTFS directory keeps its
files under ``<sha256>/<directory name>/``) and ``_quarantine/<sha256>/reason.json`` says why. Writing is
idempotent (same sha256, same content), so a run killed before its commit simply writes it again.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import orjson

from extract.errors import RejectedInput
from extract.lake import Lake, quarantine_dir
from extract.sources.base import InputFile

REASON_FILE = "reason.json"


def _safe_name(name: str) -> str:
    """A file name that cannot escape its folder or clash with reason.json."""
    cleaned = name.replace("/", "_").replace("\\", "_").lstrip(".") or "input"
    return f"input_{cleaned}" if cleaned == REASON_FILE else cleaned


def quarantine(lake: Lake, item: InputFile, sha256: str, data: bytes | None, rejection: RejectedInput) -> str:
    """Keep the rejected input and its reason; return the quarantine folder (relative to the lake)."""
    folder = quarantine_dir(sha256)
    name = _safe_name(item.name)
    if item.directory is not None:
        for path in sorted(Path(item.directory).rglob("*")):
            if path.is_file():
                relative = path.relative_to(item.directory).as_posix()
                lake.write_bytes(f"{folder}/{name}/{relative}", path.read_bytes())
    else:
        lake.write_bytes(f"{folder}/{name}", data or b"")
    reason = {
        "sha256": sha256,
        "source": item.source,
        "name": item.name,
        "size": item.size,
        "reason_code": rejection.reason_code,
        "message": rejection.message,
        "quarantined_at": dt.datetime.now(dt.UTC).isoformat(),
    }
    lake.write_bytes(f"{folder}/{REASON_FILE}", orjson.dumps(reason, option=orjson.OPT_INDENT_2))
    return folder
