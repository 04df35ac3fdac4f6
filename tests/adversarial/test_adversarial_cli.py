"""`lamp extract` with a lake it cannot write to must end with a clear error, not a Python traceback
(issue 2: "Bad input gets a clear error")."""

from __future__ import annotations

from pathlib import Path

from adversarial_helpers import Inbox
from click.testing import CliRunner

from extract.cli import main


def test_a_lake_path_that_is_a_file_gives_a_clear_error_not_a_traceback(inbox: Inbox, tmp_path: Path) -> None:
    """Today extract/lake.py ``open_lake`` lets ``FileExistsError`` from ``os.makedirs`` escape and the
    CLI (extract/cli/ingest.py ``extract_command``) prints a raw traceback. Expected: a
    ``click.ClickException``-style one-line message naming the lake, exit status non-zero."""
    not_a_directory = tmp_path / "lake-is-a-file"
    not_a_directory.write_text("oops")
    result = CliRunner().invoke(main, ["extract", str(inbox.path), "--lake", str(not_a_directory)])
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), f"uncaught {result.exception!r}"
    assert str(not_a_directory) in result.output


def test_a_rerun_after_rejections_lands_nothing_and_the_rejections_stay_recorded(inbox: Inbox) -> None:
    """Exit status 1 with the count on the first run; the second run changes nothing."""
    (inbox.path / "m_empty.pb").write_bytes(b"")
    runner = CliRunner()
    first = runner.invoke(main, ["extract", str(inbox.path), "--lake", str(inbox.lake)])
    assert first.exit_code == 1 and "1 input(s) rejected" in first.output and "empty_file" in first.output
    rows = inbox.vehicle_rows()
    second = runner.invoke(main, ["extract", str(inbox.path), "--lake", str(inbox.lake)])
    assert second.exception is None or isinstance(second.exception, SystemExit)
    assert inbox.vehicle_rows() == rows == 4
