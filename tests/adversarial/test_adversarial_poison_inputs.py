"""One odd file in the inbox must never stop a run (docs/architecture.md, issue 2: "the run goes on").

Each test puts one hostile-but-possible input next to two good snapshots. The promise: the run finishes,
the good snapshots land, and the odd input is reported (rejected with a reason) rather than raised.
An exception out of ``extract`` here means the whole batch in memory is lost and, worse, every later run
over the same inbox fails the same way: one file blocks the inbox for good.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from adversarial_helpers import Inbox

GOOD_ROWS = 4  # two snapshots of two vehicles


def _assert_run_went_on(inbox: Inbox) -> None:
    report = inbox.run()
    assert report.landed == 2, report
    assert inbox.vehicle_rows() == GOOD_ROWS


def test_a_symlink_loop_in_the_inbox_does_not_abort_the_run(inbox: Inbox) -> None:
    """A directory symlink pointing at its own parent (a common accident with `ln -s`).

    Today extract/sources/local.py ``LocalSource._walk`` follows directory symlinks without remembering
    where it has been and dies with OSError ELOOP ("Too many levels of symbolic links").
    """
    (inbox.path / "m_loop").symlink_to(inbox.path, target_is_directory=True)
    _assert_run_went_on(inbox)


def test_a_file_that_cannot_be_read_is_rejected_and_the_run_goes_on(inbox: Inbox) -> None:
    """A file whose read fails with an I/O error (here a symlink to /proc/self/mem: EIO on read;
    in production: a permission problem, a flaky network mount, a file being rewritten).

    Today ``_Run.process`` in extract/pipeline.py calls ``source.read`` outside any handler, so the
    OSError escapes ``extract``. Expected: the input is recorded as rejected (e.g. ``unreadable_file``).
    """
    (inbox.path / "m_unreadable.pb").symlink_to("/proc/self/mem")
    report = inbox.run()
    assert report.landed == 2
    assert inbox.vehicle_rows() == GOOD_ROWS
    assert [item.name for item in report.rejected_files] == ["m_unreadable.pb"]


def test_a_file_removed_after_listing_does_not_abort_the_run(inbox: Inbox) -> None:
    """Another tool (a mover, a cleaner, the poller's own rotation) removes a file between the listing
    and the read. Today FileNotFoundError escapes ``extract`` from ``_Run.process``."""
    doomed = inbox.path / "m_vanishing.pb"
    doomed.write_bytes(b"\x0a\x05\x0a\x032.0")

    def remove_after_listing(done: int, total: int) -> None:
        if done == 0 and doomed.exists():
            doomed.unlink()

    report = inbox.run(progress=remove_after_listing)
    assert report.landed == 2
    assert inbox.vehicle_rows() == GOOD_ROWS


@pytest.mark.parametrize("content", [b"", b"<html><body>oops</body></html>"], ids=["empty", "html"])
def test_a_rejected_file_with_a_long_name_is_quarantined_without_aborting(
    inbox: Inbox, content: bytes
) -> None:
    """A legal 250-byte file name (archive names embed whole URLs, e.g. the poller's
    ``<UTC time>_<url as a slug>``) of a file that must be quarantined.

    Today extract/lake.py ``Lake._write_atomically`` writes to ``.tmp-<12 hex>-<name>`` first: 18 bytes
    more than the name, over the 255-byte limit, so OSError ENAMETOOLONG escapes ``extract``.
    """
    name = "m_" + "x" * 245 + ".pb"
    (inbox.path / name).write_bytes(content)
    report = inbox.run()
    assert report.landed == 2
    assert report.rejected == 1
    assert inbox.vehicle_rows() == GOOD_ROWS


@pytest.mark.skipif(
    os.uname().sysname != "Linux", reason="needs a filesystem that accepts any bytes in names"
)
def test_a_file_name_that_is_not_utf8_does_not_abort_the_run(inbox: Inbox) -> None:
    """Linux file names are bytes; one written by a Windows-1252 tool (``caf\\xe9.pb``) reaches Python as a
    surrogate escape. Today the ledger (pyarrow string column) and the quarantine path both raise
    UnicodeEncodeError, aborting the run even when that file itself is a good snapshot."""
    name = os.fsdecode(b"m_caf\xe9.pb")
    (inbox.path / name).write_bytes(Path(inbox.path / "a_good.pb").read_bytes().replace(b"T0", b"U0"))
    report = inbox.run()
    assert report.landed + report.rejected == 3


@pytest.mark.skipif(
    os.uname().sysname != "Linux", reason="needs a filesystem that accepts any bytes in names"
)
def test_a_rejected_file_whose_name_is_not_utf8_is_quarantined(inbox: Inbox) -> None:
    """Same as above for a file that must be quarantined: the quarantine path cannot be encoded."""
    (inbox.path / os.fsdecode(b"m_\xff.pb")).write_bytes(b"not a feed at all")
    report = inbox.run()
    assert report.landed == 2
    assert report.rejected == 1
