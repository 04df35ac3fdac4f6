"""A local directory (the inbox), read recursively, or a single file.

Files are listed in sorted path order so two runs over the same directory do the same thing. Hidden
files and directories (a leading dot, e.g. the poller's state file) and files still being written by
other tools (``*.tmp``, ``*.part``, ``*~``...) are ignored. A directory that holds static GTFS files is a
feed: its top-level ``.txt`` files are ONE input (the static reader reads exactly those), while its other
files and its subdirectories are still walked as inputs of their own, so a stray ``stops.txt`` in an inbox
never hides the realtime files beside it. A LAMP lake (a directory holding ``_ledger/``) is never walked:
a lake kept inside its own inbox would otherwise read back its own parquet and quarantine files.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from extract.lake import LEDGER_DIR
from extract.sources.base import InputFile
from extract.static_gtfs import is_static_gtfs_directory

TEMPORARY_SUFFIXES = (".tmp", ".temp", ".part", ".partial", ".crdownload", ".swp", "~")


def is_ignored_name(name: str) -> bool:
    return name.startswith(".") or name.lower().endswith(TEMPORARY_SUFFIXES)


def _why_unusable(entry: os.DirEntry[str]) -> str:
    """Why a directory entry that is neither a file nor a directory is not an input."""
    try:
        mode = entry.stat().st_mode
    except OSError:
        return "a symlink whose target does not exist (or cannot be reached)"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO), not a file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a file"
    return "not a regular file"


def feed_text_files(directory: Path) -> list[Path]:
    """The files of a static feed directory that make the feed: its top-level ``.txt`` files."""
    return sorted(
        path
        for path in directory.iterdir()
        if path.name.lower().endswith(".txt") and not is_ignored_name(path.name) and path.is_file()
    )


def _feed_size(directory: Path) -> int:
    return sum(path.stat().st_size for path in feed_text_files(directory))


def is_lake(directory: Path) -> bool:
    return (directory / LEDGER_DIR).is_dir()


class LocalSource:
    """Inputs under a local directory (recursive), or one file, or an explicit list of files."""

    def __init__(self, location: str | os.PathLike[str], files: list[Path] | None = None) -> None:
        self.root = Path(location).resolve()
        self.description = str(self.root)
        self._files = [path.resolve() for path in files] if files is not None else None
        # (path, why) of entries the last listing left out although they are not ignored names.
        self.unusable: list[tuple[str, str]] = []

    def list_inputs(self) -> list[InputFile]:
        self.unusable = []
        if self._files is not None:
            return self._inputs(sorted(self._files))
        if not self.root.exists():
            raise FileNotFoundError(f"source not found: {self.root}")
        if self.root.is_file():
            return [self._input(self.root)]
        return self._inputs(self._walk(self.root))

    def read(self, item: InputFile) -> bytes:
        return Path(item.source).read_bytes()

    def settle(self, item: InputFile, outcome: str) -> None:
        """A local inbox is left as it is: the ledger, not the file's place, says it was handled."""

    def _walk(self, directory: Path, visited: set[tuple[int, int]] | None = None) -> list[Path]:
        """Files under ``directory``; each directory is entered once, so a symlink loop ends here.

        Entries that are no file with bytes (a FIFO, a device, a dangling symlink) and directories that
        cannot be listed are noted in ``unusable`` with why, for the run report.
        """
        visited = set() if visited is None else visited
        try:
            identity = directory.stat()
            entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
            is_feed = is_static_gtfs_directory(directory)
        except OSError as exc:
            self.unusable.append((str(directory), f"the directory cannot be listed ({exc.strerror or exc})"))
            return []
        if (identity.st_dev, identity.st_ino) in visited:
            return []  # reached again through a symlink: already listed
        visited.add((identity.st_dev, identity.st_ino))
        found: list[Path] = [directory] if is_feed else []
        for entry in entries:
            if is_ignored_name(entry.name):
                continue
            path = Path(entry.path)
            if entry.is_dir():
                if not is_lake(path):
                    found.extend(self._walk(path, visited))
            elif entry.is_file():
                if not (is_feed and entry.name.lower().endswith(".txt")):  # those are the feed's
                    found.append(path)
            else:
                self.unusable.append((entry.path, _why_unusable(entry)))
        return found

    def _inputs(self, paths: list[Path]) -> list[InputFile]:
        inputs: list[InputFile] = []
        for path in paths:
            try:
                inputs.append(self._input(path))
            except OSError as exc:  # removed (or made unreachable) since it was listed
                self.unusable.append((str(path), f"it cannot be examined ({exc.strerror or exc})"))
        return inputs

    @staticmethod
    def _input(path: Path) -> InputFile:
        if path.is_dir():
            return InputFile(str(path), path.name, _feed_size(path), directory=path)
        return InputFile(str(path), path.name, path.stat().st_size)
