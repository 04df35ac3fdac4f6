"""The analyst queries of the README run, as written, on the warehouse `lamp run` built from the sample."""

from __future__ import annotations

import re

import duckdb
import pytest
from lamp_cli_helpers import REPO_ROOT, LampRun, Workspace


def readme_queries() -> list[str]:
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme.split("## Query the marts", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sql\n(.*?)```", section, flags=re.S)]


def test_the_readme_has_analyst_queries() -> None:
    assert len(readme_queries()) >= 2


@pytest.mark.slow
@pytest.mark.parametrize("number", range(3))
def test_readme_query_returns_rows(number: int, sample_run: tuple[Workspace, LampRun]) -> None:
    workspace, _ = sample_run
    queries = readme_queries()
    if number >= len(queries):
        pytest.fail(f"the README has {len(queries)} queries, the test expects 3")
    with duckdb.connect(str(workspace.duckdb_path), read_only=True) as con:
        rows = con.execute(queries[number]).fetchall()
    assert rows, queries[number]
    assert all(value is not None for value in rows[0])
