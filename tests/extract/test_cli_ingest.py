"""`lamp extract`, `lamp status` and `lamp poll` as a user runs them."""

from __future__ import annotations

import functools
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from extract.cli import main

VP_PB = "2024-11-20T18:52:05Z_https_cdn.mbta.com_realtime_VehiclePositions.pb"
ALERTS_PB = "2024-11-20T18:51:40Z_https_cdn.mbta.com_realtime_Alerts.pb"
PARKING = "2022-02-01T09:55:23Z_https_mbta_integration.mybluemix.net_vehicleCount.gz"


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "220")  # rich tables would otherwise fold cells at 80 columns


@pytest.fixture
def mixed_inbox(tmp_path: Path, mbta_feeds: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in (VP_PB, ALERTS_PB, PARKING):
        shutil.copy(mbta_feeds / name, inbox / name)
    (inbox / "zero.pb").write_bytes(b"")
    return inbox


def test_extract_reports_rows_and_partitions_and_fails_on_rejects(mixed_inbox: Path, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    runner = CliRunner()

    result = runner.invoke(main, ["extract", str(mixed_inbox), "--lake", str(lake)])

    assert result.exit_code == 1, result.output
    assert "2 landed" in result.output and "2 rejected" in result.output
    assert "gtfs_rt/vehicle_positions" in result.output and "650" in result.output
    assert "date=2024-11-20/hour=18" in result.output
    assert "not_gtfs_realtime" in result.output and "empty_file" in result.output
    assert "2 input(s) rejected in this run: 1 empty_file, 1 not_gtfs_realtime" in result.output

    again = runner.invoke(main, ["extract", str(mixed_inbox), "--lake", str(lake)])

    assert again.exit_code == 0, again.output  # nothing was rejected in this run
    assert "0 landed" in again.output and "4 already in the ledger" in again.output


def test_extract_defaults_come_from_the_environment(
    mixed_inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (mixed_inbox / PARKING).unlink()
    (mixed_inbox / "zero.pb").unlink()
    monkeypatch.setenv("LAMP_INBOX", str(mixed_inbox))
    monkeypatch.setenv("LAMP_LAKE", str(tmp_path / "env-lake"))

    result = CliRunner().invoke(main, ["extract"])

    assert result.exit_code == 0, result.output
    assert "2 landed" in result.output
    assert (tmp_path / "env-lake" / "_ledger").is_dir()


def test_status_shows_the_ledger_per_feed_and_day_and_the_rejects(mixed_inbox: Path, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    runner = CliRunner()
    runner.invoke(main, ["extract", str(mixed_inbox), "--lake", str(lake)])

    result = runner.invoke(main, ["status", "--lake", str(lake)])

    assert result.exit_code == 0, result.output
    assert "4 input files recorded" in result.output
    assert "vehicle_positions" in result.output and "2024-11-20" in result.output
    assert "alerts" in result.output
    assert "empty_file" in result.output and "not_gtfs_realtime" in result.output

    # Looking at a lake that does not exist says so and creates nothing (a mistyped path stays mistyped).
    missing = tmp_path / "new-lake"
    absent = runner.invoke(main, ["status", "--lake", str(missing)])
    assert absent.exit_code == 0 and "does not exist yet" in absent.output
    assert not missing.exists()

    missing.mkdir()
    empty = runner.invoke(main, ["status", "--lake", str(missing)])
    assert empty.exit_code == 0 and "0 input files recorded" in empty.output

    not_a_directory = tmp_path / "a-file"
    not_a_directory.write_text("x")
    wrong = runner.invoke(main, ["status", "--lake", str(not_a_directory)])
    assert wrong.exit_code != 0 and "is not a directory" in wrong.output


@pytest.fixture
def file_server(tmp_path: Path, mbta_feeds: Path) -> Iterator[str]:
    """A plain static file server (it answers If-Modified-Since with 304) over one feed file."""
    served = tmp_path / "served" / "realtime"
    served.mkdir(parents=True)
    shutil.copy(mbta_feeds / VP_PB, served / "VehiclePositions.pb")
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(served.parent))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/realtime/VehiclePositions.pb"
    server.shutdown()
    server.server_close()


def test_poll_fetches_and_lands(file_server: str, tmp_path: Path) -> None:
    inbox, lake = tmp_path / "inbox", tmp_path / "lake"

    arguments = ["poll", "--url", file_server, "--iterations", "2", "--interval", "0"]
    result = CliRunner().invoke(main, [*arguments, "--inbox", str(inbox), "--lake", str(lake)])

    assert result.exit_code == 0, result.output
    assert "VehiclePositions.pb: new" in result.output
    assert "VehiclePositions.pb: not_modified" in result.output  # the second poll is conditional
    assert "2 polls, 1 new bodies, 0 rejected" in result.output
    assert "650" in result.output
    saved = [path.name for path in inbox.iterdir() if not path.name.startswith(".")]
    assert len(saved) == 1 and saved[0].endswith(
        "_http_127.0.0.1_" + file_server.split(":")[-1].replace("/", "_")
    )
