"""Fixtures of the end-to-end dbt tests: the shared two-hour sample extracted into a lake by the real
pipeline, and a fresh Postgres database. Each slow test builds its own warehouses, so the tests stay
independent under pytest-xdist (no warehouse shared between workers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.pipeline import extract


@pytest.fixture(scope="session")
def sample_lake(mbta_day: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole two-hour sample (both hours, static feed) extracted by the real pipeline, once per worker."""
    lake = tmp_path_factory.mktemp("e2e") / "lake"
    report = extract(str(mbta_day), str(lake))
    assert report.rejected == 0, report.rejected_files
    return lake
