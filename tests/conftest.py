"""Fixtures shared by every test: the real sample data, a real PostgreSQL database and a local S3 server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import psycopg
import pytest
from moto.server import ThreadedMotoServer

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


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A local S3 implementation (moto in server mode, on a free port): S3 is never the internet."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A boto3 client on the local S3 server; the environment points LAMP (and boto3) at it too."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "LAMP_S3_ENDPOINT_URL": s3_endpoint,
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    return boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")


def new_bucket(s3: Any) -> str:
    """A new empty bucket with a unique name."""
    name = f"lamp-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name
