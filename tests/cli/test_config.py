"""The configuration table: defaults anchored at the repo root, environment overrides, no secrets shown."""

from __future__ import annotations

import pytest

from extract import config


def test_defaults_live_under_the_repository_root() -> None:
    empty: dict[str, str] = {}
    assert config.lake(empty) == str(config.REPO_ROOT / "data" / "lake")
    assert config.duckdb_path(empty) == str(config.REPO_ROOT / "data" / "warehouse.duckdb")
    assert config.sample_data_root(empty) == (config.REPO_ROOT.parent / "shared" / "data").resolve()
    assert config.inbox(empty) == str(config.sample_data_root(empty) / "mbta" / "2023-05-08")
    assert config.target(empty) == "duckdb"
    assert config.poll_interval(empty) == 30.0
    assert config.s3_endpoint_url(empty) is None
    assert config.postgres_settings(empty) == {
        "PGHOST": "127.0.0.1",
        "PGPORT": "5432",
        "PGUSER": "postgres",
        "PGDATABASE": "lamp",
    }


def test_environment_overrides_and_s3_uris_pass_through() -> None:
    env = {
        "LAMP_LAKE": "s3://bucket/lake",
        "LAMP_INBOX": "/srv/inbox",
        "LAMP_TARGET": "Postgres",
        "LAMP_SAMPLE_DATA": "/data/shared",
        "LAMP_POLL_INTERVAL": "5",
        "LAMP_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
    }
    assert config.lake(env) == "s3://bucket/lake"
    assert config.inbox(env) == "/srv/inbox"
    assert config.target(env) == "postgres"
    assert config.poll_interval(env) == 5.0
    assert config.s3_endpoint_url(env) == "http://127.0.0.1:9000"
    # without LAMP_INBOX, the inbox follows LAMP_SAMPLE_DATA
    assert config.inbox({"LAMP_SAMPLE_DATA": "/data/shared"}) == "/data/shared/mbta/2023-05-08"


def test_an_unknown_target_is_refused() -> None:
    with pytest.raises(ValueError, match="LAMP_TARGET"):
        config.target({"LAMP_TARGET": "sqlite"})


def test_descriptions_never_show_the_password() -> None:
    env = {"PGHOST": "db", "PGUSER": "lamp", "PGPASSWORD": "s3cret", "PGDATABASE": "prod"}
    assert config.postgres_settings(env)["PGPASSWORD"] == "s3cret"
    description = config.describe_target("postgres", env)
    assert description == "Postgres lamp@db:5432/prod"
    assert "s3cret" not in description
    assert "s3cret" not in config.configuration_table_markdown()


def test_the_table_documents_every_variable_the_code_reads() -> None:
    table = config.configuration_table_markdown()
    for name in (
        "LAMP_SAMPLE_DATA",
        "LAMP_INBOX",
        "LAMP_LAKE",
        "LAMP_TARGET",
        "LAMP_DUCKDB_PATH",
        "PGHOST",
        "PGPASSWORD",
        "LAMP_S3_ENDPOINT_URL",
        "LAMP_POLL_INTERVAL",
        "LAMP_AGENCY_TIMEZONE",
    ):
        assert f"`{name}`" in table
