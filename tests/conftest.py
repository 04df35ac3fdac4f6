"""Fixtures shared by every test: the real sample data and a real PostgreSQL database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def sample_data_root() -> Path:
    """The shared real data (read-only): LAMP_SAMPLE_DATA, default ../shared/data from the repo root."""
    return Path(os.environ.get("LAMP_SAMPLE_DATA", REPO_ROOT.parent / "shared" / "data")).resolve()


@pytest.fixture(scope="session")
def sample_data() -> Path:
    root = sample_data_root()
    if not (root / "mbta").is_dir():
        pytest.fail(f"shared sample data not found at {root} (set LAMP_SAMPLE_DATA)")
    return root


@pytest.fixture(scope="session")
def mbta_day(sample_data: Path) -> Path:
    return sample_data / "mbta" / "2023-05-08"


@pytest.fixture(scope="session")
def mbta_feeds(sample_data: Path) -> Path:
    return sample_data / "mbta" / "feeds"


def postgres_admin_dsn() -> str:
    """libpq settings from the environment, defaulting to the local trust-auth server."""
    host = os.environ.get("PGHOST", "127.0.0.1")
    port = os.environ.get("PGPORT", "5432")
    user = os.environ.get("PGUSER", "postgres")
    password = os.environ.get("PGPASSWORD", "")
    dsn = f"host={host} port={port} user={user} dbname=postgres"
    return f"{dsn} password={password}" if password else dsn


@pytest.fixture
def postgres_database() -> Iterator[dict[str, str]]:
    """A fresh, empty database on the real server, dropped afterwards.

    Never skips: an unreachable server is a failure, because CI must not pass without Postgres.
    Yields the libpq variables (PGHOST, PGPORT, PGUSER, PGDATABASE[, PGPASSWORD]) that reach it.
    """
    name = f"lamp_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_admin_dsn(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    env = {
        "PGHOST": os.environ.get("PGHOST", "127.0.0.1"),
        "PGPORT": os.environ.get("PGPORT", "5432"),
        "PGUSER": os.environ.get("PGUSER", "postgres"),
        "PGDATABASE": name,
    }
    if os.environ.get("PGPASSWORD"):
        env["PGPASSWORD"] = os.environ["PGPASSWORD"]
    try:
        yield env
    finally:
        with psycopg.connect(postgres_admin_dsn(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
