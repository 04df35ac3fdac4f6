"""Helpers of the `lamp` command tests: run the command, give each run its own lake and warehouse."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

REPO_ROOT = Path(__file__).resolve().parents[2]
LAMP = [str(Path(sys.executable).parent / "lamp")]


@dataclass(frozen=True)
class LampRun:
    """The outcome of one `lamp` command."""

    returncode: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class Workspace:
    """Where one pipeline writes: its own lake, DuckDB file and export folder."""

    root: Path

    @property
    def lake(self) -> Path:
        return self.root / "lake"

    @property
    def duckdb_path(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def export_dir(self) -> Path:
        return self.root / "exports"

    def environment(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "LAMP_LAKE": str(self.lake),
                "LAMP_DUCKDB_PATH": str(self.duckdb_path),
                "LAMP_EXPORT_DIR": str(self.export_dir),
                "LAMP_TARGET": "duckdb",
                "COLUMNS": "160",  # rich wraps tables to this width when stdout is not a terminal
            }
        )
        env.update(extra or {})
        return env


def run_lamp(args: list[str], env: Mapping[str, str], timeout: float = 900) -> LampRun:
    completed = subprocess.run(
        [*LAMP, *args], env=dict(env), cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout
    )
    return LampRun(completed.returncode, completed.stdout, completed.stderr)


def marts_rows(duckdb_path: Path, table: str) -> list[tuple[object, ...]]:
    """Every row of a mart, in a total order, for comparing two warehouses."""
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        return [tuple(row) for row in con.execute(f"select * from marts.{table} order by all").fetchall()]
