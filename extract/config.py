"""The one configuration table of LAMP: every setting, its environment variable, flag and default.

Every entry point (the ``lamp`` command, the Dagster code location, the tests) reads its settings through
the functions below, so the defaults live in exactly one place and the README's table is generated from
:data:`SETTINGS` (``tests/test_readme.py`` checks they agree).

Relative defaults are anchored at the repository root, not the current directory, so ``lamp``,
``dagster dev`` and ``dbt`` run from any folder agree on where the lake and the warehouse are.
Secrets (``PGPASSWORD``, AWS credentials) are read by libpq and boto3 themselves and never printed:
:func:`describe_target` shows where the warehouse is without them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]

TARGETS = ("duckdb", "postgres")


@dataclass(frozen=True)
class Setting:
    env: str
    default: str
    flag: str
    meaning: str


# DuckDB's own default is 80% of the machine's memory. 1 GB keeps a full service day's build (26 million
# trip-update rows) under 2 GB of peak memory with the Python around it, and costs no speed at that size
# (benchmarks/warehouse_build.py): the big aggregates spill to disk.
DEFAULT_DUCKDB_MEMORY_LIMIT = "1GB"

SETTINGS: tuple[Setting, ...] = (
    Setting("LAMP_SAMPLE_DATA", "../shared/data", "", "the shared real data (read-only)"),
    Setting(
        "LAMP_INBOX",
        "$LAMP_SAMPLE_DATA/mbta/2023-05-08",
        "`SOURCE` argument",
        "default source of `lamp run` / `lamp extract`: a directory or `s3://bucket/prefix`",
    ),
    Setting("LAMP_LAKE", "./data/lake", "`--lake`", "the lake: a directory or `s3://bucket/prefix`"),
    Setting("LAMP_TARGET", "duckdb", "`--target`", "the warehouse: `duckdb` or `postgres`"),
    Setting("LAMP_DUCKDB_PATH", "./data/warehouse.duckdb", "", "the DuckDB warehouse file"),
    Setting(
        "LAMP_DUCKDB_MEMORY_LIMIT",
        DEFAULT_DUCKDB_MEMORY_LIMIT,
        "",
        "DuckDB's memory limit for loads and dbt builds; bigger work spills to disk beside the file",
    ),
    Setting(
        "PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE",
        "127.0.0.1, 5432, postgres, (none), lamp",
        "",
        "the Postgres warehouse (standard libpq variables)",
    ),
    Setting(
        "LAMP_S3_ENDPOINT_URL", "(unset: AWS)", "", "endpoint of an S3-compatible store (MinIO, moto...)"
    ),
    Setting("LAMP_POLL_INTERVAL", "30", "`--interval`", "seconds between two polls of the live feeds"),
    Setting(
        "LAMP_POLL_INBOX", "./data/inbox", "`--inbox`", "where `lamp poll` saves the feed bodies it fetches"
    ),
    Setting("LAMP_AGENCY_TIMEZONE", "America/New_York", "", "the agency's local time zone (rule 0.1)"),
    Setting("LAMP_EXPORT_DIR", "./data/exports", "`--out`", "where `lamp export` writes the daily files"),
    Setting(
        "LAMP_STATIC_ARCHIVE_INDEX",
        "https://cdn.mbta.com/archive/archived_feeds.txt",
        "`--index-url`",
        "the agency's index of archived static feeds, for `lamp static fetch`",
    ),
)


def _env(name: str, environ: Mapping[str, str] | None) -> str | None:
    value = (os.environ if environ is None else environ).get(name)
    return value if value else None


def _repo_path(value: str) -> str:
    """A local path relative to the repo root; s3:// URIs and absolute paths unchanged."""
    if value.startswith("s3://"):
        return value
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else (REPO_ROOT / path).resolve())


def sample_data_root(environ: Mapping[str, str] | None = None) -> Path:
    return Path(_repo_path(_env("LAMP_SAMPLE_DATA", environ) or "../shared/data"))


def inbox(environ: Mapping[str, str] | None = None) -> str:
    explicit = _env("LAMP_INBOX", environ)
    if explicit:
        return _repo_path(explicit)
    return str(sample_data_root(environ) / "mbta" / "2023-05-08")


def lake(environ: Mapping[str, str] | None = None) -> str:
    return _repo_path(_env("LAMP_LAKE", environ) or "./data/lake")


def target(environ: Mapping[str, str] | None = None) -> str:
    name = (_env("LAMP_TARGET", environ) or "duckdb").lower()
    if name not in TARGETS:
        raise ValueError(f"LAMP_TARGET must be one of {', '.join(TARGETS)}, not {name!r}")
    return name


def duckdb_path(environ: Mapping[str, str] | None = None) -> str:
    return _repo_path(_env("LAMP_DUCKDB_PATH", environ) or "./data/warehouse.duckdb")


def duckdb_memory_limit(environ: Mapping[str, str] | None = None) -> str:
    return _env("LAMP_DUCKDB_MEMORY_LIMIT", environ) or DEFAULT_DUCKDB_MEMORY_LIMIT


def postgres_settings(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The libpq variables, defaulted so a local trust-auth server is reached with no set-up."""
    settings = {
        "PGHOST": _env("PGHOST", environ) or "127.0.0.1",
        "PGPORT": _env("PGPORT", environ) or "5432",
        "PGUSER": _env("PGUSER", environ) or "postgres",
        "PGDATABASE": _env("PGDATABASE", environ) or "lamp",
    }
    password = _env("PGPASSWORD", environ)
    if password:
        settings["PGPASSWORD"] = password
    return settings


def s3_endpoint_url(environ: Mapping[str, str] | None = None) -> str | None:
    return _env("LAMP_S3_ENDPOINT_URL", environ)


def poll_interval(environ: Mapping[str, str] | None = None) -> float:
    return float(_env("LAMP_POLL_INTERVAL", environ) or "30")


def poll_inbox(environ: Mapping[str, str] | None = None) -> str:
    return _repo_path(_env("LAMP_POLL_INBOX", environ) or "./data/inbox")


def agency_timezone(environ: Mapping[str, str] | None = None) -> str:
    return _env("LAMP_AGENCY_TIMEZONE", environ) or "America/New_York"


def export_dir(environ: Mapping[str, str] | None = None) -> str:
    return _repo_path(_env("LAMP_EXPORT_DIR", environ) or "./data/exports")


def describe_target(name: str, environ: Mapping[str, str] | None = None) -> str:
    """Where the warehouse is, for messages: never includes a password."""
    if name == "duckdb":
        return f"DuckDB file {duckdb_path(environ)}"
    pg = postgres_settings(environ)
    return f"Postgres {pg['PGUSER']}@{pg['PGHOST']}:{pg['PGPORT']}/{pg['PGDATABASE']}"


def configuration_table_markdown() -> str:
    """The README's configuration table, generated from :data:`SETTINGS`."""
    lines = ["| variable | flag | default | meaning |", "|---|---|---|---|"]
    for s in SETTINGS:
        env = ", ".join(f"`{name.strip()}`" for name in s.env.split(","))
        lines.append(f"| {env} | {s.flag} | `{s.default}` | {s.meaning} |")
    return "\n".join(lines)
