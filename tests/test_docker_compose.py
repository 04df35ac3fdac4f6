"""docker-compose.yml is valid (Debian's docker-compose 1.29 validates it offline, no engine needed) and
describes production: Postgres with a volume and a health check, the Dagster webserver and daemon with
their instance storage in that Postgres, and the pipeline image built from our Dockerfile.

The Dagster instance files are checked with Dagster itself: the docker one against the real local
Postgres, the repo-root one (used by `dagster dev`) for its one-run-at-a-time queue.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from dagster import DagsterInstance
from dagster._core.instance.ref import InstanceRef

REPO_ROOT = Path(__file__).resolve().parents[1]


def docker_compose() -> str:
    executable = shutil.which("docker-compose")
    if executable is None:
        pytest.fail(
            "docker-compose is not installed, so docker-compose.yml cannot be validated: "
            "run `make system-deps` (apt-get install -y docker-compose)"
        )
    return executable


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """The file as docker-compose resolves it (anchors, defaults and interpolation applied)."""
    result = subprocess.run(
        [docker_compose(), "--project-directory", str(REPO_ROOT), "-f", "docker-compose.yml", "config"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    resolved: dict[str, Any] = yaml.safe_load(result.stdout)
    return resolved


def test_docker_compose_config_accepts_the_file(compose: dict[str, Any]) -> None:
    assert {"postgres", "dagster-webserver", "dagster-daemon", "lamp"} <= set(compose["services"])


def test_postgres_has_a_volume_and_a_health_check(compose: dict[str, Any]) -> None:
    postgres = compose["services"]["postgres"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert "postgres-data:/var/lib/postgresql/data:rw" in postgres["volumes"]
    assert "postgres-data" in compose["volumes"]


def test_dagster_services_use_the_pipeline_image_and_wait_for_postgres(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["dagster-webserver"]["build"]["context"] == str(REPO_ROOT)
    for name in ("dagster-webserver", "dagster-daemon", "lamp"):
        service = services[name]
        assert service["image"] == "lamp-pipeline:latest"
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert service["environment"]["LAMP_TARGET"] == "postgres"
        assert service["environment"]["DAGSTER_PG_HOST"] == "postgres"
    assert "dagster-webserver" in services["dagster-webserver"]["command"]
    assert services["dagster-daemon"]["command"][:2] == ["dagster-daemon", "run"]


def test_dockerfile_installs_the_locked_dependencies_and_the_project() -> None:
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    assert "requirements.lock" in dockerfile
    assert "orchestration/docker/dagster.yaml" in dockerfile
    for folder in ("extract", "orchestration", "dbt_project", "seeds"):
        assert f"COPY {folder} ./{folder}" in dockerfile
        assert (REPO_ROOT / folder).is_dir()


@pytest.fixture
def dagster_home(postgres_database: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A DAGSTER_HOME holding the docker dagster.yaml, pointed at a fresh database on the real server."""
    monkeypatch.setenv("DAGSTER_PG_HOST", postgres_database["PGHOST"])
    monkeypatch.setenv("DAGSTER_PG_USER", postgres_database["PGUSER"])
    monkeypatch.setenv("DAGSTER_PG_PASSWORD", postgres_database.get("PGPASSWORD", ""))
    monkeypatch.setenv("DAGSTER_PG_DB", postgres_database["PGDATABASE"])
    with tempfile.TemporaryDirectory() as home:
        shutil.copy(REPO_ROOT / "orchestration" / "docker" / "dagster.yaml", Path(home) / "dagster.yaml")
        yield Path(home)


@pytest.mark.postgres
def test_docker_dagster_instance_stores_runs_in_postgres(dagster_home: Path) -> None:
    with DagsterInstance.from_ref(InstanceRef.from_dir(str(dagster_home))) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        assert instance.get_runs() == []  # the schema was created and answers
        coordinator = instance.run_coordinator
        assert type(coordinator).__name__ == "QueuedRunCoordinator"


def test_dagster_dev_instance_runs_one_warehouse_run_at_a_time(tmp_path: Path) -> None:
    """`dagster dev` from the repo root reads ./dagster.yaml: the run queue allows one run at a time."""
    with DagsterInstance.from_ref(InstanceRef.from_dir(str(tmp_path), config_dir=str(REPO_ROOT))) as instance:
        settings = instance.get_concurrency_config().run_queue_config
        assert settings is not None
        assert settings.max_concurrent_runs == 1
        assert {"key": "lamp/warehouse", "limit": 1} in [
            dict(item) for item in settings.tag_concurrency_limits
        ]
