"""Where inputs come from: a local directory, an S3 prefix, or live feed URLs polled into an inbox.

A source lists its inputs, reads their bytes, and once the batch that recorded an input is committed,
``settle``s it (an S3 source moves it to its archive or error prefix; a local directory leaves it alone).
"""

from __future__ import annotations

from extract.sources.base import InputFile, Source
from extract.sources.local import LocalSource
from extract.sources.s3 import S3Source


def open_source(location: str, *, archive: str | None = None, error: str | None = None) -> Source:
    """The source at ``location``: ``s3://bucket/prefix`` or a local file or directory.

    ``archive`` and ``error`` (s3:// prefixes) override where an S3 source moves settled objects.
    """
    if location.startswith("s3://"):
        return S3Source(location, archive=archive, error=error)
    if archive or error:
        raise ValueError("archive and error prefixes apply to an s3:// source only")
    if "://" in location:
        raise ValueError(f"unsupported source {location!r}: use a directory, a file or s3://bucket/prefix")
    return LocalSource(location)


__all__ = ["InputFile", "LocalSource", "S3Source", "Source", "open_source"]
