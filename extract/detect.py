"""What a file's bytes are, decided from the bytes alone (never from the file name).

``sniff`` undoes gzip (a file may be gzipped whatever its name says) and then classifies the payload:

- ``zip``: a static GTFS archive (the pipeline hands it to the static reader);
- ``json``: a JSON document (the realtime decoder then decides whether it is enhanced GTFS-RT JSON,
  a JSON error page or unrelated JSON);
- ``protobuf``: anything else that is binary; the realtime decoder parses it and checks its structure.

Inputs that are clearly not data are rejected here with a stable reason: an empty file, a truncated or
corrupt gzip stream, an HTML/XML page, text-format protobuf, or other plain text; and
``unsupported_container`` for the formats recognised by their magic bytes that LAMP does not read
(bzip2, xz, zstd, zlib, tar, SQLite, Parquet), so the reason names what the file is instead of a
generic protobuf decode error. A GTFS-Realtime protobuf starts with 0x0a (FeedMessage field 1, the
header, written first by every serializer), so none of these magics can be mistaken for one.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from typing import Literal

from extract.errors import RejectedInput

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# The biggest real snapshot inflates to a few MB; far above that, a stream is a gzip bomb. The cap keeps
# one input's peak memory (compressed + inflated + decoded) well inside the extractor's 1 GB budget.
MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024

PayloadKind = Literal["zip", "json", "protobuf"]

# Magic bytes at offset 0 → what the file is; compressors get "LAMP reads plain or gzip-compressed feeds".
_COMPRESSED = (
    (b"\xfd7zXZ\x00", "an xz-compressed file"),
    (b"\x28\xb5\x2f\xfd", "a zstd-compressed file"),
)
# "BZh", the block size digit, then the first block's magic (pi) or the end-of-stream magic (sqrt pi).
_BZIP2 = re.compile(rb"BZh[1-9](1AY&SY|\x17rE8P\x90)")
# zlib's two-byte header for a 32 KiB window at each compression level; confirmed by inflating a bit.
_ZLIB_HEADERS = (b"\x78\x01", b"\x78\x5e", b"\x78\x9c", b"\x78\xda")
_SQLITE_MAGIC = b"SQLite format 3\x00"
_PARQUET_MAGIC = b"PAR1"  # at both ends of a Parquet file
_TAR_HEADER = 512

# Text-format protobuf of a FeedMessage starts with one of its field names followed by ":" or "{".
_TEXT_FORMAT = re.compile(rb"^\s*(#[^\n]*\n\s*)*(header|entity|gtfs_realtime_version)\s*[:{]")
_MARKUP = re.compile(rb"^\s*<")
_HTML = re.compile(rb"<\s*(!doctype\s+html|html|head|body|title)\b", re.IGNORECASE)
# Bytes that occur in text but (almost) never fill a whole binary protobuf: printable ASCII, whitespace,
# and every byte >= 0x80 (UTF-8 text). A real FeedMessage contains length bytes below 0x20.
_TEXT_BYTES = frozenset(range(0x20, 0x7F)) | {0x09, 0x0A, 0x0D} | frozenset(range(0x80, 0x100))


@dataclass(frozen=True)
class Sniffed:
    kind: PayloadKind
    compression: Literal["gzip"] | None
    payload: bytes  # the decompressed bytes


def sniff(data: bytes) -> Sniffed:
    """Classify ``data``; raise ``RejectedInput`` for bytes that cannot be any feed."""
    if len(data) == 0:
        raise RejectedInput("empty_file", "The file is empty (zero bytes).")
    compression: Literal["gzip"] | None = None
    payload = data
    if data.startswith(GZIP_MAGIC):
        compression = "gzip"
        payload = gunzip(data)
        if len(payload) == 0:
            raise RejectedInput("empty_file", "The gzip stream decompresses to zero bytes.")
    _reject_unsupported_container(payload, compression)
    return Sniffed(classify_payload(payload), compression, payload)


def _reject_unsupported_container(payload: bytes, compression: str | None) -> None:
    """``unsupported_container`` naming what ``payload`` is, if its magic bytes say (module doc)."""
    compressed = next((what for magic, what in _COMPRESSED if payload.startswith(magic)), None)
    if compressed is None and _BZIP2.match(payload):
        compressed = "a bzip2-compressed file"
    if compressed is None and payload[:2] in _ZLIB_HEADERS and _inflates(payload):
        compressed = "a zlib-compressed stream"
    if compressed is not None:
        inside = " inside gzip" if compression else ""
        raise RejectedInput(
            "unsupported_container",
            f"The file is {compressed}{inside}; LAMP reads plain or gzip-compressed feeds.",
        )
    what = None
    if payload.startswith(_SQLITE_MAGIC):
        what = "an SQLite database"
    elif payload.startswith(_PARQUET_MAGIC) and payload.endswith(_PARQUET_MAGIC) and len(payload) >= 8:
        what = "a Parquet file"
    elif _is_tar(payload):
        what = "a gzip-compressed tar archive (.tar.gz)" if compression else "a tar archive"
    if what is not None:
        raise RejectedInput(
            "unsupported_container",
            f"The file is {what}; LAMP reads GTFS-Realtime feeds (protobuf or JSON) and static GTFS zip "
            "files, plain or gzip-compressed.",
        )


def _is_tar(payload: bytes) -> bool:
    """A tar header block: "ustar" at offset 257 (POSIX and GNU) and a matching header checksum, so a
    feed that happens to hold "ustar" there is not taken for one."""
    header = payload[:_TAR_HEADER]
    if len(header) < _TAR_HEADER or header[257:262] != b"ustar":
        return False
    try:
        stored = int(header[148:156].strip(b" \x00"), 8)
    except ValueError:
        return False
    # The checksum is computed with its own 8 bytes taken as spaces.
    return stored == sum(header[:148]) + 8 * 0x20 + sum(header[156:])


def _inflates(payload: bytes) -> bool:
    """The first bytes inflate as zlib (a protobuf that happens to start with 0x78 would not)."""
    try:
        zlib.decompressobj().decompress(payload[:1024], 4096)
    except zlib.error:
        return False
    return True


def gunzip(data: bytes, max_bytes: int = MAX_DECOMPRESSED_BYTES) -> bytes:
    """Decompress every gzip member; a stream cut short is ``truncated_gzip``, garbage ``corrupt_gzip``.

    Output is capped at ``max_bytes`` in total: past it the stream is ``decompressed_too_large`` (a gzip
    bomb), refused before it is inflated whole.
    """
    out: list[bytes] = []
    produced = 0
    rest = data
    while rest:
        if not rest.startswith(GZIP_MAGIC):
            if out and not rest.strip(b"\x00"):
                break  # zero padding after the last member, as some writers leave
            raise RejectedInput("corrupt_gzip", "Bytes after a gzip member are not another gzip member.")
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        pending = rest
        try:
            while True:
                # One byte over the cap tells "exactly at the cap" from "over it".
                chunk = inflater.decompress(pending, max_bytes - produced + 1)
                produced += len(chunk)
                out.append(chunk)
                if produced > max_bytes:
                    raise RejectedInput(
                        "decompressed_too_large",
                        f"The gzip stream inflates to more than {max_bytes:,} bytes (a gzip bomb?).",
                    )
                pending = inflater.unconsumed_tail
                if inflater.eof or not pending:
                    break
        except zlib.error as exc:
            if "incomplete" in str(exc) or "truncated" in str(exc):
                raise RejectedInput("truncated_gzip", f"The gzip stream is cut short ({exc}).") from exc
            raise RejectedInput("corrupt_gzip", f"The gzip stream is corrupt ({exc}).") from exc
        if not inflater.eof:
            raise RejectedInput(
                "truncated_gzip", "The gzip stream ends before its end marker (the file was cut short)."
            )
        rest = inflater.unused_data
    return b"".join(out)


def classify_payload(payload: bytes) -> PayloadKind:
    """Decide what uncompressed bytes are (see the module doc)."""
    if payload.startswith(ZIP_MAGICS):
        return "zip"
    head = payload[:4096]
    if head.startswith(UTF8_BOM):
        head = head[len(UTF8_BOM) :]
    if head.startswith(UTF16_BOMS) or _looks_like_utf16(head):
        raise RejectedInput("not_gtfs_realtime", "The file is UTF-16 text, not a GTFS-Realtime feed.")
    stripped = head.lstrip()
    if stripped[:1] in (b"{", b"["):
        return "json"
    if not _looks_like_text(head):
        return "protobuf"
    if _MARKUP.match(head):
        if _HTML.search(head):
            raise RejectedInput("html_error_page", "The file is an HTML page (an error page?), not a feed.")
        raise RejectedInput("not_gtfs_realtime", "The file is XML or other markup, not a GTFS-Realtime feed.")
    if _HTML.search(head):  # an error page that starts with text ("Error 503 ... <html>")
        raise RejectedInput("html_error_page", "The file is an HTML page (an error page?), not a feed.")
    if _TEXT_FORMAT.match(head):
        raise RejectedInput(
            "text_format_protobuf",
            "The file is GTFS-Realtime in protobuf text format, which is for debugging, not a feed.",
        )
    raise RejectedInput("not_gtfs_realtime", "The file is plain text, not a GTFS-Realtime feed.")


def _looks_like_utf16(head: bytes) -> bool:
    """UTF-16 text without a BOM: every other byte is NUL and the rest is printable ASCII."""
    sample = head[:512]
    if len(sample) < 8:
        return False
    for zeros, letters in ((sample[1::2], sample[0::2]), (sample[0::2], sample[1::2])):
        if not zeros.strip(b"\x00") and all(byte in _TEXT_BYTES for byte in letters):
            return True
    return False


def _looks_like_text(head: bytes) -> bool:
    return all(byte in _TEXT_BYTES for byte in head)
