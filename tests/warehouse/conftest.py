"""Warehouse fixtures: a fresh warehouse on each engine, and a small lake extracted from the real sample."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from warehouse_helpers import sample_inputs

from extract.pipeline import extract_from
from extract.sources.local import LocalSource
from extract.warehouse import WarehouseTarget


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> WarehouseTarget:
    """A fresh, empty warehouse on each engine."""
    if request.param == "duckdb":
        return WarehouseTarget.duckdb(tmp_path / "warehouse.duckdb")
    settings: dict[str, str] = request.getfixturevalue("postgres_database")
    return WarehouseTarget.postgres_database(settings)


@pytest.fixture(scope="session")
def sample_lake(sample_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A lake extracted (by the real pipeline) from the small real input set."""
    lake = tmp_path_factory.mktemp("sample") / "lake"
    inputs = sample_inputs(sample_data)
    report = extract_from(LocalSource(sample_data, files=inputs), str(lake))
    assert report.rejected_by_reason() == {}, report.rejected_by_reason()
    yield lake
