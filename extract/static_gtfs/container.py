"""Where a static feed's files come from: a .zip (as bytes) or a directory of .txt files.

Both give the same ``{"routes.txt": b"...", ...}`` mapping (names lower-cased), so the same feed published
as a zip or unpacked into a directory has the same content hash and lands the same tables.

Both are refused the same way: over MAX_UNCOMPRESSED_BYTES of .txt (``static_too_large``, checked before
anything is read or inflated), or one GTFS file twice (``static_ambiguous_zip``: a zip with two
``routes.txt`` members, or ``Routes.txt`` next to ``routes.txt``; which one is the feed cannot be known).
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from extract.errors import RejectedInput
from extract.static_gtfs.columns import GTFS_FILE_NAMES

ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header, or the end record of an empty zip
# A real feed unpacks to a few hundred MB at most (MBTA's full feed: ~150 MB of .txt); refuse zip bombs
# before inflating anything. The feed is read whole and its tables are built next to the raw bytes
# (~2x), so 384 MiB of .txt keeps a run inside the extractor's 1 GB memory budget.
MAX_UNCOMPRESSED_BYTES = 384 * 1024**2
READ_CHUNK_BYTES = 1024**2  # reading a file whose size was not what it said


def load_feed_files(source: Path | bytes) -> dict[str, bytes]:
    """The feed's .txt files by lower-cased name, from zip bytes, a directory or a .zip file's path.

    Raises RejectedInput for an unreadable zip.
    """
    if isinstance(source, bytes):
        return _zip_files(source, nested=False)
    if source.is_file():  # a .zip on disk
        return _zip_files(source.read_bytes(), nested=False)
    if not source.is_dir():
        raise RejectedInput("static_not_a_feed", f"{source} is neither a directory nor a zip file")
    return _directory_files(source)


def _directory_files(directory: Path) -> dict[str, bytes]:
    """The directory's .txt files, under the same size cap as a zip's (a directory is no cheaper to hold)."""
    paths = [path for path in sorted(directory.iterdir()) if path.name.lower().endswith(".txt")]
    paths = [path for path in paths if path.is_file()]
    _reject_duplicate_names([path.name for path in paths], "directory")
    _check_size(sum(path.stat().st_size for path in paths))
    files: dict[str, bytes] = {}
    budget = MAX_UNCOMPRESSED_BYTES
    for path in paths:
        content = _read_at_most(path, budget)
        files[path.name.lower()] = content
        budget -= len(content)
    return files


def _read_at_most(path: Path, budget: int) -> bytes:
    """The file's bytes, refusing more than ``budget``: a file may grow after its size was checked, and
    some (under /proc, say) report size 0 whatever they hold."""
    with path.open("rb") as stream:
        expected = os.fstat(stream.fileno()).st_size
        if expected > budget:
            _check_size(MAX_UNCOMPRESSED_BYTES - budget + expected)
        content = stream.read(expected + 1)  # one allocation in the usual case
        if len(content) <= expected:
            return content
        chunks, total = [content], len(content)
        while total <= budget and (chunk := stream.read(READ_CHUNK_BYTES)):
            chunks.append(chunk)
            total += len(chunk)
    if total > budget:
        raise RejectedInput(
            "static_too_large",
            f"{path.name} holds more than its size said: the feed's .txt files hold over the limit of "
            f"{MAX_UNCOMPRESSED_BYTES:,} bytes",
        )
    return b"".join(chunks)


def content_sha256(files: dict[str, bytes]) -> str:
    """sha256 over the sorted file names and contents (independent of zip packing and file times)."""
    digest = hashlib.sha256()
    for name in sorted(files):
        content = files[name]
        digest.update(f"{name}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


def is_static_gtfs_zip(data: bytes) -> bool:
    """True for zip bytes that hold GTFS .txt files (at the root, in one folder, or in one nested zip).

    Also True for bytes that start like a zip but cannot be listed (truncated or corrupt): they are most
    likely a damaged feed download, and read_static_feed rejects them with reason ``corrupt_zip``.
    """
    if not data.startswith(ZIP_MAGICS):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = _member_names(archive)
            if any(_is_gtfs_name(name) for name in names):
                return True
            nested = [name for name in names if name.lower().endswith(".zip")]
            if len(nested) != 1:
                return False
            # An oversized nested zip is still "a feed": read_static_feed rejects it as static_too_large.
            if archive.getinfo(nested[0]).file_size > MAX_UNCOMPRESSED_BYTES:
                return True
            return is_static_gtfs_zip(archive.read(nested[0]))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, ValueError):
        return True


def is_static_gtfs_directory(path: Path) -> bool:
    """True for a directory holding at least one GTFS file (routes.txt, stops.txt, agency.txt, ...).

    The pipeline then treats the whole directory as ONE input; one without routes.txt is still a feed,
    and read_static_feed rejects it with reason ``static_missing_routes``.
    """
    return path.is_dir() and any(child.is_file() and _is_gtfs_name(child.name) for child in path.iterdir())


def _is_gtfs_name(name: str) -> bool:
    file_name = PurePosixPath(name).name.lower()
    return file_name.endswith(".txt") and file_name.removesuffix(".txt") in GTFS_FILE_NAMES


def _folder(member_name: str) -> str:
    return str(PurePosixPath(member_name).parent)


def _member_names(archive: zipfile.ZipFile) -> list[str]:
    """File members, without folders and the metadata macOS and editors add."""
    return [
        info.filename
        for info in archive.infolist()
        if not info.is_dir()
        and not info.filename.startswith("__MACOSX/")
        and not PurePosixPath(info.filename).name.startswith(".")
    ]


def _zip_files(data: bytes, *, nested: bool) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _read_feed_members(archive, nested=nested)
    except RejectedInput:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as error:
        raise RejectedInput("corrupt_zip", f"the zip archive is corrupt or truncated ({error})") from error
    except (RuntimeError, NotImplementedError) as error:  # encrypted, or an unsupported compression method
        raise RejectedInput("corrupt_zip", f"the zip archive cannot be read ({error})") from error


def _read_feed_members(archive: zipfile.ZipFile, *, nested: bool) -> dict[str, bytes]:
    names = _member_names(archive)
    text_files = [name for name in names if name.lower().endswith(".txt")]
    if not text_files:
        zips = [name for name in names if name.lower().endswith(".zip")]
        if len(zips) == 1 and not nested:  # e.g. google_transit.zip wrapped in a download archive
            _check_size(archive.getinfo(zips[0]).file_size)
            return _zip_files(archive.read(zips[0]), nested=True)
        return {}

    # The feed is the folder with routes.txt (a README.txt next to a feed folder does not count); a
    # feed without routes.txt must be alone in its folder, so it is rejected for that reason later.
    routes_folders = {
        _folder(name) for name in text_files if PurePosixPath(name).name.lower() == "routes.txt"
    }
    candidates = routes_folders or {_folder(name) for name in text_files}
    if len(candidates) != 1:
        raise RejectedInput(
            "static_ambiguous_zip", f"the zip holds several feeds, in folders {sorted(candidates)}"
        )
    (folder,) = candidates
    members = [name for name in text_files if _folder(name) == folder]

    _reject_duplicate_names(members, "zip")
    _check_size(sum(archive.getinfo(name).file_size for name in members))
    files: dict[str, bytes] = {}
    for name in sorted(members):
        files.setdefault(PurePosixPath(name).name.lower(), archive.read(name))
    return files


def _reject_duplicate_names(names: list[str], container: str) -> None:
    """Refuse a feed holding one file twice (same name, or names differing in case): the zip reader
    would silently take one of them."""
    by_name: dict[str, list[str]] = {}
    for name in names:
        by_name.setdefault(PurePosixPath(name).name.lower(), []).append(name)
    duplicated = {name: copies for name, copies in by_name.items() if len(copies) > 1}
    if duplicated:
        listed = "; ".join(_copies(name, copies) for name, copies in sorted(duplicated.items()))
        raise RejectedInput(
            "static_ambiguous_zip", f"the {container} holds {listed}: which one is the feed's is unknown"
        )


def _copies(name: str, copies: list[str]) -> str:
    """E.g. 'routes.txt 2 times', and '(as Routes.txt, routes.txt)' when the copies are spelt differently."""
    spellings = sorted(set(copies))
    return f"{name} {len(copies)} times" + (f" (as {', '.join(spellings)})" if len(spellings) > 1 else "")


def _check_size(uncompressed_bytes: int) -> None:
    if uncompressed_bytes > MAX_UNCOMPRESSED_BYTES:
        raise RejectedInput(
            "static_too_large",
            f"the feed's .txt files hold {uncompressed_bytes:,} bytes, over the limit of "
            f"{MAX_UNCOMPRESSED_BYTES:,} bytes",
        )
