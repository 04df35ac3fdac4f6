"""The ledger: the commit log that makes re-runs land nothing new."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa

from extract.lake import committed_batch_ids, new_batch_id, open_lake
from extract.ledger import DUPLICATE, LANDED, LEDGER_SCHEMA, REJECTED, Ledger, LedgerRecord, read_ledger

NOW = dt.datetime(2023, 5, 8, 12, 0, 5, tzinfo=dt.UTC)


def record(batch_id: str, source: str, sha256: str, outcome: str, **values: object) -> LedgerRecord:
    return LedgerRecord(
        batch_id=batch_id,
        source=source,
        name=Path(source).name,
        size=10,
        sha256=sha256,
        outcome=outcome,
        recorded_at=NOW,
        **values,  # type: ignore[arg-type]
    )


def test_a_new_lake_has_an_empty_ledger(tmp_path: Path) -> None:
    ledger = Ledger.load(str(tmp_path))
    assert ledger.batch_ids == set()
    assert ledger.first_record("0" * 64) is None
    table = read_ledger(str(tmp_path))
    assert table.num_rows == 0 and table.schema.equals(LEDGER_SCHEMA)


def test_committed_records_are_remembered_after_a_reload(tmp_path: Path) -> None:
    lake = open_lake(str(tmp_path))
    first, second = new_batch_id(), new_batch_id()
    ledger = Ledger.load(lake)
    ledger.commit(
        lake,
        first,
        [
            record(first, "/in/a.pb", "a" * 64, LANDED, row_count=7, table_rows={"gtfs_rt/alerts": 7}),
            record(
                first,
                "/in/bad.pb",
                "b" * 64,
                REJECTED,
                reason_code="empty_file",
                message="The file is empty.",
            ),
            record(
                first, "/in/zip", "c" * 64, LANDED, feed_key="20230424T214257Z_spring", feed_kind="static"
            ),
        ],
    )
    ledger.commit(
        lake,
        second,
        [record(second, "/in/copy-of-a.pb", "a" * 64, DUPLICATE, duplicate_of="/in/a.pb")],
    )

    reloaded = Ledger.load(lake)
    assert reloaded.batch_ids == {first, second} == committed_batch_ids(lake)
    known = reloaded.first_record("a" * 64)
    assert known is not None and (known.source, known.outcome) == ("/in/a.pb", LANDED)  # not the copy
    rejected = reloaded.first_record("b" * 64)
    assert rejected is not None and (rejected.outcome, rejected.reason_code) == (REJECTED, "empty_file")
    assert reloaded.has_recorded("a" * 64, "/in/copy-of-a.pb")
    assert not reloaded.has_recorded("a" * 64, "/in/elsewhere.pb")
    assert reloaded.feed_key_source("20230424T214257Z_spring") == "/in/zip"
    assert reloaded.feed_key_source("other") is None

    table = read_ledger(lake)
    assert table.num_rows == 4
    rows = table.to_pylist()
    assert rows[0]["table_rows"] == [("gtfs_rt/alerts", 7)]
    assert rows[0]["recorded_at"] == NOW
    assert [row["outcome"] for row in rows] == [LANDED, REJECTED, LANDED, DUPLICATE]


def test_a_ledger_file_written_only_half_does_not_count(tmp_path: Path) -> None:
    # The ledger file is written atomically, so a half file can only be a temporary one: ignored.
    lake = open_lake(str(tmp_path))
    (tmp_path / "_ledger").mkdir()
    (tmp_path / "_ledger" / f".tmp-1234-{new_batch_id()}.parquet").write_bytes(b"PAR1 half")
    assert Ledger.load(lake).batch_ids == set()
    assert read_ledger(lake).num_rows == 0


def test_a_ledger_file_written_before_payload_sha256_existed_still_loads(tmp_path: Path) -> None:
    """Ledger files of older lakes lack the payload_sha256 column: it reads as NULL."""
    lake = open_lake(str(tmp_path))
    batch = new_batch_id()
    old_schema = LEDGER_SCHEMA.remove(LEDGER_SCHEMA.get_field_index("payload_sha256"))
    row = record(batch, "/in/a.pb", "a" * 64, LANDED).as_row()
    del row["payload_sha256"]
    lake.write_parquet(f"_ledger/{batch}.parquet", pa.Table.from_pylist([row], schema=old_schema))
    table = read_ledger(lake)
    assert table.schema.equals(LEDGER_SCHEMA) and table.column("payload_sha256").to_pylist() == [None]
    ledger = Ledger.load(lake)
    assert ledger.has_recorded("a" * 64, "/in/a.pb") and ledger.payload_source("a" * 64) is None


def test_a_landed_payload_is_remembered_after_a_reload(tmp_path: Path) -> None:
    lake = open_lake(str(tmp_path))
    batch = new_batch_id()
    Ledger.load(lake).commit(
        lake, batch, [record(batch, "/in/a.pb.gz", "a" * 64, LANDED, payload_sha256="p" * 64)]
    )
    assert Ledger.load(lake).payload_source("p" * 64) == "/in/a.pb.gz"
