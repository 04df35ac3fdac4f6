"""Resources, configured from the environment through extract/config.py (the one configuration table).

DuckDB is the default warehouse; LAMP_TARGET=postgres (with the PG* variables) switches every asset,
dbt included, to Postgres.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from extract import config
from extract.warehouse import WarehouseTarget
from extract.warehouse.dbt import environment


class LampResource(dg.ConfigurableResource):
    """Where the pipeline reads and writes: the source (inbox or S3 prefix), the lake, the warehouse."""

    inbox: str
    lake: str
    target: str  # "duckdb" or "postgres" (then reached through the PG* variables)
    duckdb_path: str
    export_dir: str
    agency_timezone: str

    @classmethod
    def from_environment(cls) -> "LampResource":
        return cls(
            inbox=config.inbox(),
            lake=config.lake(),
            target=config.target(),
            duckdb_path=config.duckdb_path(),
            export_dir=config.export_dir(),
            agency_timezone=config.agency_timezone(),
        )

    def warehouse(self) -> WarehouseTarget:
        if self.target == "duckdb":
            return WarehouseTarget.duckdb(self.duckdb_path)
        return WarehouseTarget.from_env(self.target)


@contextmanager
def dbt_environment(target: WarehouseTarget) -> Iterator[None]:
    """Point dbt_project/profiles.yml at ``target`` while dbt runs (the dbt subprocess inherits it)."""
    with environment(target.dbt_environment()):
        yield
