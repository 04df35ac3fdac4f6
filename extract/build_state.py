"""Whether the warehouse's dbt models are up to date with the lake, kept in the warehouse itself.

`lamp run` must do no work when nothing changed, and must recover when it was killed in the middle of a
``dbt build``. So each build is recorded in ``lamp_state.dbt_builds`` with a fingerprint of the lake's
committed batches: ``started`` before dbt runs, ``finished`` after it passed.

- the last build finished with the lake's current fingerprint: the marts are current, skip dbt;
- the last build started and never finished: models may be half-updated, rebuild with ``--full-refresh``;
- otherwise: an ordinary incremental build.

The state lives in the warehouse (not a local file) so it always describes that warehouse, whichever
machine or container runs the command.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import duckdb
import psycopg

from extract.warehouse.target import DUCKDB, WarehouseTarget, postgres_conninfo

STARTED = "started"
FINISHED = "finished"

_CREATE = [
    "create schema if not exists lamp_state",
    "create table if not exists lamp_state.dbt_builds ("
    " fingerprint varchar not null, status varchar not null, full_refresh boolean not null,"
    " recorded_at timestamp not null default current_timestamp)",
]


@dataclass(frozen=True)
class BuildPlan:
    needed: bool
    full_refresh: bool
    reason: str


def fingerprint(batch_ids: Iterable[str]) -> str:
    """A digest of the set of committed lake batches (order does not matter)."""
    digest = hashlib.sha256()
    for batch_id in sorted(set(batch_ids)):
        digest.update(batch_id.encode())
        digest.update(b"\n")
    return digest.hexdigest()


def _execute(target: WarehouseTarget, statements: list[tuple[str, tuple[Any, ...]]]) -> list[tuple[Any, ...]]:
    """Run statements in one transaction; the rows of the last one."""
    rows: list[tuple[Any, ...]] = []
    if target.name == DUCKDB:
        with duckdb.connect(target.duckdb_path) as con:
            for sql, params in statements:
                rows = [tuple(row) for row in con.execute(sql.replace("%s", "?"), list(params)).fetchall()]
        return rows
    with psycopg.connect(postgres_conninfo(target.postgres)) as con:
        for sql, params in statements:
            cursor = con.execute(sql, params)
            rows = [tuple(row) for row in cursor.fetchall()] if cursor.description else []
    return rows


def _with_table(target: WarehouseTarget, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    return _execute(target, [*((statement, ()) for statement in _CREATE), (sql, params)])


def last_build(target: WarehouseTarget) -> tuple[str, str] | None:
    """(fingerprint, status) of the most recent record, if any."""
    rows = _with_table(
        target, "select fingerprint, status from lamp_state.dbt_builds order by recorded_at desc limit 1"
    )
    return (str(rows[0][0]), str(rows[0][1])) if rows else None


def plan_build(target: WarehouseTarget, current: str, marts_exist: bool) -> BuildPlan:
    previous = last_build(target)
    if previous is None:
        return BuildPlan(True, False, "first build of this warehouse")
    fingerprint_before, status = previous
    if status == STARTED:
        return BuildPlan(True, True, "the previous build was interrupted: rebuilding from scratch")
    if not marts_exist:
        return BuildPlan(True, True, "the marts are missing: rebuilding from scratch")
    if fingerprint_before != current:
        return BuildPlan(True, False, "new data since the last build")
    return BuildPlan(False, False, "the marts are up to date with the lake")


def record(target: WarehouseTarget, current: str, status: str, full_refresh: bool) -> None:
    _with_table(
        target,
        "insert into lamp_state.dbt_builds (fingerprint, status, full_refresh, recorded_at) "
        "values (%s, %s, %s, current_timestamp)",
        (current, status, full_refresh),
    )
