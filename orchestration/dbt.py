"""The dbt project as Dagster sees it: prepared (``dbt parse``) when the code location loads.

No manifest is checked in, so a clean clone works: the manifest is (re)built when it is missing, older
than a file of the project (a model, macro, test or seed was edited since), and on every load under
``dagster dev`` (so model edits show up on reload). dbt runs as a subprocess of the
virtual environment's own ``dbt`` executable, whatever the PATH says.
"""

from __future__ import annotations

import sys
from pathlib import Path

from dagster._utils import run_with_concurrent_update_guard
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject
from dagster_dbt.dbt_project import using_dagster_dev

from extract import config
from extract.config import REPO_ROOT
from extract.warehouse import DBT_PROJECT_DIR


def dbt_executable() -> str:
    beside_python = Path(sys.executable).parent / "dbt"
    return str(beside_python) if beside_python.exists() else "dbt"


def dbt_project() -> DbtProject:
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target=config.target())


def _project_files(project: DbtProject) -> list[Path]:
    folders = [project.project_dir / name for name in ("models", "macros", "tests", "snapshots")]
    folders.append(REPO_ROOT / "seeds")
    files = [path for folder in folders if folder.is_dir() for path in folder.rglob("*") if path.is_file()]
    return [*files, project.project_dir / "dbt_project.yml"]


def manifest_is_stale(project: DbtProject) -> bool:
    if not project.manifest_path.exists():
        return True
    built = project.manifest_path.stat().st_mtime
    return any(path.stat().st_mtime > built for path in _project_files(project))


def prepare_manifest(project: DbtProject) -> Path:
    """``dbt parse`` into target/manifest.json when it is missing or stale, and under ``dagster dev``."""
    if using_dagster_dev() or manifest_is_stale(project):
        # One parse at a time (test workers, webserver and daemon may load the code location at once);
        # a process that waited finds the fresh manifest and skips its own parse.
        run_with_concurrent_update_guard(
            project.manifest_path, _parse, project=project, guard_timeout_seconds=600
        )
    return project.manifest_path


def _parse(project: DbtProject) -> None:
    cli = DbtCliResource(project_dir=project, dbt_executable=dbt_executable())
    cli.cli(["parse", "--quiet"], target_path=project.target_path).wait()


def dbt_resource(project: DbtProject) -> DbtCliResource:
    return DbtCliResource(project_dir=project, target=config.target(), dbt_executable=dbt_executable())


# dbt tests become asset checks on the models they test.
TRANSLATOR = DagsterDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
