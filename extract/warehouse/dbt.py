"""Run the dbt project (``dbt build``, ``dbt seed``, ...) in-process on a warehouse target.

dbt reads the target's connection from dbt_project/profiles.yml, which takes it from environment
variables; this module sets them for the duration of the call, so the loader, the ``lamp`` command and
Dagster all point dbt at the warehouse they loaded.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from extract.config import REPO_ROOT

if TYPE_CHECKING:  # dbt takes seconds to import: only runs that use it pay for it (not `lamp load`)
    from dbt.cli.main import dbtRunnerResult
from extract.warehouse.target import DUCKDB, WarehouseTarget, prepare

DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"


class DbtRunFailed(RuntimeError):
    """dbt finished with errors (a failing model or test) or could not run at all."""

    def __init__(self, args: Sequence[str], result: dbtRunnerResult) -> None:
        detail = f": {result.exception}" if result.exception else ""
        super().__init__(f"dbt {' '.join(args)} failed{detail}")
        self.result = result


@contextmanager
def environment(variables: Mapping[str, str]) -> Iterator[None]:
    """Set ``variables`` in this process's environment while the block runs, then restore them."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _release_duckdb_file() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in this process after a run.

    dbt-duckdb caches one database instance per process (a class attribute); left open, it holds the
    file, so the next load, a read-only query or another process could not open it.
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None


def dbt_arguments(args: Sequence[str], target: WarehouseTarget, work_dir: Path | None = None) -> list[str]:
    """The full dbt command line: the project and profiles in dbt_project/, the target's profile output.

    ``work_dir`` moves dbt's compiled files and logs out of dbt_project/target, so two runs at once
    (parallel tests, Dagster next to a CLI run) do not overwrite each other's manifest.
    """
    project = str(DBT_PROJECT_DIR)
    arguments = [*args, "--project-dir", project, "--profiles-dir", project, "--target", target.name]
    if work_dir is not None:
        arguments += ["--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs")]
    return arguments


def run_dbt(
    args: Sequence[str],
    target: WarehouseTarget,
    *,
    check: bool = True,
    work_dir: Path | None = None,
) -> dbtRunnerResult:
    """Run ``dbt <args>`` on ``target``; raises DbtRunFailed unless it succeeded (when ``check``)."""
    from dbt.cli.main import dbtRunner

    prepare(target)
    with environment(target.dbt_environment()):
        try:
            result = dbtRunner().invoke(dbt_arguments(args, target, work_dir))
        finally:
            if target.name == DUCKDB:
                _release_duckdb_file()
    if check and not result.success:
        raise DbtRunFailed(args, result)
    return result
