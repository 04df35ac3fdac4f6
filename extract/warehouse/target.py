"""Which warehouse to load and build: a DuckDB file or a Postgres database.

The settings come from extract/config.py (LAMP_TARGET, LAMP_DUCKDB_PATH, the libpq ``PG*`` variables), so
the loader, dbt (through profiles.yml) and Dagster all reach the same warehouse.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from extract import config

DUCKDB = "duckdb"
POSTGRES = "postgres"


@dataclass(frozen=True)
class WarehouseTarget:
    """A warehouse: ``name`` is a dbt target of dbt_project/profiles.yml ("duckdb" or "postgres")."""

    name: str
    duckdb_path: str = ""  # absolute path of the DuckDB file (duckdb only)
    postgres: Mapping[str, str] = field(default_factory=dict)  # libpq variables (postgres only)

    def __post_init__(self) -> None:
        if self.name not in config.TARGETS:
            choices = ", ".join(config.TARGETS)
            raise ValueError(f"unknown warehouse target {self.name!r}: use one of {choices}")

    @classmethod
    def from_env(cls, name: str | None = None, environ: Mapping[str, str] | None = None) -> WarehouseTarget:
        """The target named ``name`` (default LAMP_TARGET, else duckdb), configured from the environment."""
        chosen = name or config.target(environ)
        if chosen == DUCKDB:
            return cls(DUCKDB, duckdb_path=config.duckdb_path(environ))
        return cls(POSTGRES, postgres=config.postgres_settings(environ))

    @classmethod
    def duckdb(cls, path: str | Path) -> WarehouseTarget:
        return cls(DUCKDB, duckdb_path=str(Path(path).resolve()))

    @classmethod
    def postgres_database(cls, settings: Mapping[str, str]) -> WarehouseTarget:
        """A Postgres target from libpq variables (missing ones take the LAMP defaults)."""
        return cls(POSTGRES, postgres=config.postgres_settings(settings))

    def dbt_environment(self) -> dict[str, str]:
        """The variables dbt_project/profiles.yml reads to reach this warehouse."""
        if self.name == DUCKDB:
            return {"LAMP_TARGET": DUCKDB, "LAMP_DUCKDB_PATH": self.duckdb_path}
        return {"LAMP_TARGET": POSTGRES, **self.postgres}

    def describe(self) -> str:
        """Where the warehouse is, for messages (never a password)."""
        if self.name == DUCKDB:
            return f"DuckDB file {self.duckdb_path}"
        pg = self.postgres
        return f"Postgres {pg['PGUSER']}@{pg['PGHOST']}:{pg['PGPORT']}/{pg['PGDATABASE']}"


def postgres_conninfo(settings: Mapping[str, str], dbname: str | None = None) -> str:
    """A libpq connection string for libpq variables (``dbname`` overrides the database)."""
    kwargs = {
        "host": settings["PGHOST"],
        "port": settings["PGPORT"],
        "user": settings["PGUSER"],
        "dbname": dbname or settings["PGDATABASE"],
    }
    if settings.get("PGPASSWORD"):
        kwargs["password"] = settings["PGPASSWORD"]
    return make_conninfo(**kwargs)


def ensure_postgres_database(settings: Mapping[str, str]) -> bool:
    """Create the target database if it does not exist; True when it was created.

    Connects to the maintenance database ``postgres`` to do it, because a database cannot be created
    from a connection to itself.
    """
    name = settings["PGDATABASE"]
    with psycopg.connect(postgres_conninfo(settings, dbname="postgres"), autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return False
        try:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.errors.DuplicateDatabase:
            return False  # created meanwhile by another process: fine
    return True


def prepare(target: WarehouseTarget) -> None:
    """Make the warehouse reachable: the DuckDB file's folder, or the Postgres database."""
    if target.name == DUCKDB:
        Path(target.duckdb_path).parent.mkdir(parents=True, exist_ok=True)
    else:
        ensure_postgres_database(target.postgres)
