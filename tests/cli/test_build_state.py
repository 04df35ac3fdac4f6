"""The dbt build state kept in the warehouse decides when `lamp run` rebuilds (real DuckDB and Postgres)."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract import build_state
from extract.warehouse import WarehouseTarget


def check_plans(target: WarehouseTarget) -> None:
    first = build_state.fingerprint(["b2", "b1"])
    assert first == build_state.fingerprint(["b1", "b2", "b1"])  # a set: order and repeats do not matter
    assert build_state.plan_build(target, first, marts_exist=False) == build_state.BuildPlan(
        True, False, "first build of this warehouse"
    )
    build_state.record(target, first, build_state.STARTED, False)
    interrupted = build_state.plan_build(target, first, marts_exist=True)
    assert interrupted.needed and interrupted.full_refresh
    build_state.record(target, first, build_state.STARTED, True)
    build_state.record(target, first, build_state.FINISHED, True)
    assert not build_state.plan_build(target, first, marts_exist=True).needed
    # marts dropped behind our back: rebuild them
    assert build_state.plan_build(target, first, marts_exist=False).full_refresh
    newer = build_state.plan_build(target, build_state.fingerprint(["b1", "b2", "b3"]), marts_exist=True)
    assert newer.needed and not newer.full_refresh


def test_build_plans_on_duckdb(tmp_path: Path) -> None:
    check_plans(WarehouseTarget.duckdb(tmp_path / "w.duckdb"))


@pytest.mark.postgres
def test_build_plans_on_postgres(postgres_database: dict[str, str]) -> None:
    check_plans(WarehouseTarget.postgres_database(postgres_database))
