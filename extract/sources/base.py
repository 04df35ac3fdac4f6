"""What every source gives the pipeline: a sorted list of inputs, their bytes, and a hook after commit."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class InputFile:
    """One input: a file (or S3 object), or a directory holding a static GTFS feed."""

    source: str  # identity recorded in the ledger: an absolute path or an s3:// URI
    name: str  # base name, kept for the quarantine and for people reading reports
    size: int  # bytes (a directory: the sum of its files)
    directory: Path | None = None  # set when the input is a static GTFS directory


class Source(Protocol):
    """A place inputs come from."""

    description: str

    def list_inputs(self) -> list[InputFile]:
        """Every input currently there, in a deterministic order."""
        ...

    def read(self, item: InputFile) -> bytes:
        """The bytes of a file input (never called for a directory input)."""
        ...

    def settle(self, item: InputFile, outcome: str) -> None:
        """Called once the ledger records ``item`` with ``outcome`` (landed / duplicate / rejected)."""
        ...
