"""The same snapshot delivered twice must land once (issue 2: "nothing already landed is lost or duplicated").

The ledger deduplicates on the sha256 of the file's bytes, as stored. A snapshot re-delivered gzipped
(archives and mirrors often gzip what the agency served plain; an operator re-drops a gzipped
backup into the inbox) has other bytes but exactly the same payload, and today it lands a second
copy of every row.
Nothing downstream removes it: dbt_project/models/staging/stg_gtfs_rt__*.sql do not deduplicate.
"""

from __future__ import annotations

import gzip

from adversarial_helpers import Inbox


def test_a_gzipped_copy_of_a_landed_snapshot_is_a_duplicate_not_a_second_set_of_rows(inbox: Inbox) -> None:
    """Fault: extract/pipeline.py ``_Run.process`` hashes the raw bytes only. Suggested fix: also record
    the sha256 of the decompressed payload (``Sniffed.payload``) and treat a known payload hash as a
    duplicate."""
    snapshot = (inbox.path / "a_good.pb").read_bytes()
    (inbox.path / "b_same_snapshot.pb.gz").write_bytes(gzip.compress(snapshot))
    report = inbox.run()
    assert report.duplicate == 1
    assert inbox.vehicle_rows() == 4


def test_a_byte_identical_copy_under_another_name_is_a_duplicate(inbox: Inbox) -> None:
    """The literal promise (same bytes, other name) holds today; keep it."""
    (inbox.path / "b_copy.pb").write_bytes((inbox.path / "a_good.pb").read_bytes())
    report = inbox.run()
    assert (report.landed, report.duplicate) == (2, 1)
    assert inbox.vehicle_rows() == 4
