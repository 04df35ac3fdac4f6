"""A local directory (the inbox), read recursively, or a single file.

Files are listed in sorted path order so two runs over the same directory do the same thing. Hidden
files and directories (a leading dot, e.g. the poller's state file) and files still being written by
other tools (``*.tmp``, ``*.part``, ``*~``...) are ignored. A directory that is a static GTFS feed is a
single input: its ``.txt`` files are one feed, not many inputs.
"""

from __future__ import annotations

import os
from pathlib import Path

from extract.sources.base import InputFile
from extract.static_gtfs import is_static_gtfs_directory

TEMPORARY_SUFFIXES = (".tmp", ".temp", ".part", ".partial", ".crdownload", ".swp", "~")


def is_ignored_name(name: str) -> bool:
    return name.startswith(".") or name.lower().endswith(TEMPORARY_SUFFIXES)


def _directory_size(directory: Path) -> int:
    return sum(path.stat().st_size for path in directory.rglob("*") if path.is_file())


class LocalSource:
    """Inputs under a local directory (recursive), or one file, or an explicit list of files."""

    def __init__(self, location: str | os.PathLike[str], files: list[Path] | None = None) -> None:
        self.root = Path(location).resolve()
        self.description = str(self.root)
        self._files = [path.resolve() for path in files] if files is not None else None

    def list_inputs(self) -> list[InputFile]:
        if self._files is not None:
            return [self._input(path) for path in sorted(self._files)]
        if not self.root.exists():
            raise FileNotFoundError(f"source not found: {self.root}")
        if self.root.is_file():
            return [self._input(self.root)]
        if is_static_gtfs_directory(self.root):
            return [self._input(self.root)]
        return [self._input(path) for path in self._walk(self.root)]

    def read(self, item: InputFile) -> bytes:
        return Path(item.source).read_bytes()

    def settle(self, item: InputFile, outcome: str) -> None:
        """A local inbox is left as it is: the ledger, not the file's place, says it was handled."""

    def _walk(self, directory: Path) -> list[Path]:
        found: list[Path] = []
        for entry in sorted(os.scandir(directory), key=lambda entry: entry.name):
            if is_ignored_name(entry.name):
                continue
            path = Path(entry.path)
            if entry.is_dir():
                found.extend([path] if is_static_gtfs_directory(path) else self._walk(path))
            elif entry.is_file():
                found.append(path)
        return found

    @staticmethod
    def _input(path: Path) -> InputFile:
        if path.is_dir():
            return InputFile(str(path), path.name, _directory_size(path), directory=path)
        return InputFile(str(path), path.name, path.stat().st_size)
