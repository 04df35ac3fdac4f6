"""The README tells the truth: its quick start runs, from a clean clone, exactly as written, and shows
real metrics; its configuration table is the one extract/config.py generates.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from extract.config import configuration_table_markdown, sample_data_root

REPO_ROOT = Path(__file__).resolve().parents[1]
README = (REPO_ROOT / "README.md").read_text()
LINES = ("Blue", "Green", "Mattapan", "Orange", "Red")


def section(title: str) -> str:
    """The text of the README section ``## title``, up to the next section."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, flags=re.S | re.M)
    assert match, f"the README has no section '## {title}'"
    return match.group(1)


def shell_blocks(text: str) -> list[str]:
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S)]


def test_quick_start_is_the_two_make_commands() -> None:
    blocks = shell_blocks(section("Quick start"))
    assert blocks[:2] == ["make demo", "make test"]
    makefile = (REPO_ROOT / "Makefile").read_text()
    for target in ("demo", "test"):
        assert re.search(rf"^{target}:", makefile, flags=re.M), f"Makefile has no target {target}"
    assert "make test" in (REPO_ROOT / ".ci" / "run").read_text()  # CI runs exactly the README's command


def test_configuration_table_is_generated_from_the_code() -> None:
    assert configuration_table_markdown() in README


def test_readme_has_the_sections_a_newcomer_needs() -> None:
    for title in (
        "Point it at PostgreSQL",
        "Open the Dagster UI",
        "Run dbt directly",
        "Query the marts",
        "Configuration",
        "Layout of the repository",
    ):
        assert section(title).strip()


def test_files_the_readme_tells_a_newcomer_to_open_exist() -> None:
    for path in re.findall(r"`((?:extract|dbt_project|orchestration)/[\w/.]+\.(?:py|sql))`", README):
        assert (REPO_ROOT / path).exists(), path


def clean_environment() -> dict[str, str]:
    """The caller's environment minus anything that would point the clone at this checkout's state."""
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("LAMP_", "PG", "VIRTUAL_ENV", "PYTEST", "DAGSTER"))
    }


@pytest.mark.slow
def test_main_command_from_a_clean_clone_shows_real_metrics(tmp_path: Path) -> None:
    """`git clone` of the committed HEAD, then the README's first command, exactly as written.

    The shared data sits beside the clone as it does beside this checkout (``../shared/data``), so the
    default source is used unchanged. pip/uv reuse their caches, so the install takes a minute or two.
    """
    clone = tmp_path / "lamp"
    subprocess.run(["git", "clone", "--quiet", str(REPO_ROOT), str(clone)], check=True, timeout=300)
    (tmp_path / "shared").symlink_to(sample_data_root().parent, target_is_directory=True)
    command = shell_blocks(section("Quick start"))[0]

    result = subprocess.run(
        command,
        shell=True,
        cwd=clone,
        env={**clean_environment(), "COLUMNS": "160"},
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]
    assert (clone / ".venv" / "bin" / "lamp").exists()
    out = result.stdout
    assert "Per line" in out
    for line in LINES:
        # line │ observed window │ trips │ events │ median travel …
        row = rf"│ {line}\s+│\s+\d\d:\d\d–\d\d:\d\d\s+│\s+[\d,]+\s+│\s+[\d,]+\s+│\s+\d+m? ?\d*s"
        assert re.search(row, out), f"no metrics for {line}"
