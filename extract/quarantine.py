"""The quarantine: rejected inputs, kept byte for byte with the reason they were rejected.

``_quarantine/<sha256>/<original name>`` holds the raw bytes (a rejected static GTFS directory keeps its
top-level ``.txt`` files, the ones read as the feed, under ``<sha256>/<directory name>/``) and
``_quarantine/<sha256>/reason.json`` says why. Writing is idempotent (same sha256, same content), so a
run killed before its commit simply writes it again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import orjson

from extract.errors import RejectedInput
from extract.lake import Lake, quarantine_dir
from extract.sources.base import InputFile
from extract.sources.local import feed_text_files

REASON_FILE = "reason.json"
# Names longer than this (in UTF-8 bytes) are shortened: the file system allows 255 bytes per name.
MAX_NAME_BYTES = 120
KEPT_NAME_BYTES = 80


def printable_name(name: str) -> str:
    """``name`` as valid UTF-8: bytes that are not (a Windows-1252 file name) become ``\\xe9`` escapes."""
    try:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate no file system gave us: escape it as it is
        return name.encode("utf-8", "backslashreplace").decode("utf-8")


def _safe_name(name: str) -> str:
    """A file name that cannot escape its folder, clash with reason.json or pass the 255-byte limit.

    A long name keeps its start and its extension around a hash of the whole name.
    """
    cleaned = printable_name(name).replace("/", "_").replace("\\", "_").lstrip(".") or "input"
    if len(cleaned.encode()) > MAX_NAME_BYTES:
        stem, dot, extension = cleaned.rpartition(".")
        suffix = f".{extension}" if dot and stem and len(extension.encode()) <= 16 else ""
        head = cleaned.encode()[:KEPT_NAME_BYTES].decode("utf-8", "ignore")
        digest = hashlib.sha256(cleaned.encode()).hexdigest()[:12]
        cleaned = f"{head}-{digest}{suffix}"
    return f"input_{cleaned}" if cleaned == REASON_FILE else cleaned


def quarantine(lake: Lake, item: InputFile, sha256: str, data: bytes | None, rejection: RejectedInput) -> str:
    """Keep the rejected input and its reason; return the quarantine folder (relative to the lake)."""
    folder = quarantine_dir(sha256)
    name = _safe_name(item.name)
    if item.directory is not None:
        # Only the files that make the feed: the directory's other files and folders are inputs of their own.
        for path in feed_text_files(Path(item.directory)):
            lake.write_bytes(f"{folder}/{name}/{_safe_name(path.name)}", path.read_bytes())
    else:
        lake.write_bytes(f"{folder}/{name}", data or b"")
    reason = {
        "sha256": sha256,
        "source": printable_name(item.source),
        "name": printable_name(item.name),
        "size": item.size,
        "reason_code": rejection.reason_code,
        "message": rejection.message,
        "quarantined_at": dt.datetime.now(dt.UTC).isoformat(),
    }
    lake.write_bytes(f"{folder}/{REASON_FILE}", orjson.dumps(reason, option=orjson.OPT_INDENT_2))
    return folder
