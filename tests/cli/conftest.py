"""One real `lamp run` over the whole shared sample on DuckDB, shared by every test that needs it.

The run is expensive (thousands of files, a dbt build), so it happens once per test session, even under
pytest-xdist: the first worker runs it under a file lock and records the outcome; the others reuse it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from filelock import FileLock
from lamp_cli_helpers import LampRun, Workspace, run_lamp


@pytest.fixture(scope="session")
def _sample_run_once(tmp_path_factory: pytest.TempPathFactory, mbta_day: Path) -> tuple[Workspace, LampRun]:
    """`lamp run` over the whole shared sample (the README's default source) on a fresh DuckDB."""
    base = tmp_path_factory.getbasetemp()
    # Under xdist every worker has its own basetemp inside the session's: share the session's.
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "lamp-sample-run"
    shared.mkdir(exist_ok=True)
    workspace = Workspace(shared)
    outcome_file = shared / "outcome.json"
    with FileLock(str(shared / ".lock")):
        if not outcome_file.exists():
            result = run_lamp(["run", str(mbta_day)], workspace.environment())
            outcome_file.write_text(json.dumps(result.__dict__))
    return workspace, LampRun(**json.loads(outcome_file.read_text()))


@pytest.fixture
def sample_run(_sample_run_once: tuple[Workspace, LampRun]) -> Iterator[tuple[Workspace, LampRun]]:
    """The shared run, held exclusively for the test (DuckDB takes one writer, and runs share a lake)."""
    workspace, _ = _sample_run_once
    with FileLock(str(workspace.root / ".lock")):
        yield _sample_run_once
