"""The ledger: the lake's commit log, one row per input file ever seen.

A batch is committed by writing ``_ledger/<batch_id>.parquet`` after all of its data files. The ledger
answers the questions a run asks before touching an input:

- were these exact bytes (sha256) seen before? Then they are not decoded again: under the same source they
  are skipped, under another name they are recorded as a ``duplicate`` of the first record;
- was this static feed version (feed_key) landed before from other bytes? Then landing it again would
  double its rows, so it is a ``duplicate`` too;
- was this decompressed realtime payload (payload_sha256) landed before from other bytes (the same
  snapshot gzipped, or plain)? Then it is a ``duplicate`` as well.

Outcomes: ``landed`` (rows in the lake), ``duplicate`` (nothing new), ``rejected`` (quarantined, with a
``reason_code`` from extract/errors.py and a message).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pyarrow as pa

from extract.lake import Lake, as_lake, committed_batch_ids, ledger_file

LANDED = "landed"
DUPLICATE = "duplicate"
REJECTED = "rejected"

LEDGER_SCHEMA = pa.schema(
    [
        pa.field("batch_id", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),  # local path or s3:// URI as listed
        pa.field("name", pa.string(), nullable=False),  # base name of the input
        pa.field("size", pa.int64(), nullable=False),  # bytes (a directory: sum of its files)
        pa.field("sha256", pa.string(), nullable=False),  # hex; the source_file_id of its rows
        pa.field("format", pa.string()),  # protobuf | enhanced_json | static_gtfs_zip | static_gtfs_dir
        pa.field("compression", pa.string()),  # gzip | None
        pa.field(
            "feed_kind", pa.string()
        ),  # vehicle_positions | trip_updates | alerts | mixed | empty | static
        pa.field("header_timestamp", pa.int64()),  # epoch seconds; static: the version key
        pa.field("gtfs_realtime_version", pa.string()),
        pa.field("entity_count", pa.int64()),
        pa.field("row_count", pa.int64()),  # rows landed by this input, all tables
        pa.field("table_rows", pa.map_(pa.string(), pa.int64())),  # "gtfs_rt/trip_updates" -> rows
        pa.field("feed_key", pa.string()),  # static feeds only
        pa.field("outcome", pa.string(), nullable=False),  # landed | duplicate | rejected
        pa.field("reason_code", pa.string()),  # rejected: why (a duplicate of a rejected input: its reason)
        pa.field("message", pa.string()),
        pa.field("duplicate_of", pa.string()),  # duplicate: the source first recorded with these bytes
        pa.field("recorded_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("warnings", pa.list_(pa.string())),
        # sha256 of the decompressed payload (= sha256 for an uncompressed file): the same snapshot
        # delivered gzipped and plain is one snapshot. Absent from ledger files written before it existed.
        pa.field("payload_sha256", pa.string()),
    ]
)


@dataclass(frozen=True)
class LedgerRecord:
    """One input file's entry in the ledger (one row of LEDGER_SCHEMA)."""

    batch_id: str
    source: str
    name: str
    size: int
    sha256: str
    outcome: str
    recorded_at: dt.datetime
    format: str | None = None
    compression: str | None = None
    feed_kind: str | None = None
    header_timestamp: int | None = None
    gtfs_realtime_version: str | None = None
    entity_count: int | None = None
    row_count: int | None = None
    table_rows: dict[str, int] = field(default_factory=dict)
    feed_key: str | None = None
    reason_code: str | None = None
    message: str | None = None
    duplicate_of: str | None = None
    warnings: list[str] = field(default_factory=list)
    payload_sha256: str | None = None

    def as_row(self) -> dict[str, object]:
        row = {name: getattr(self, name) for name in LEDGER_SCHEMA.names}
        row["table_rows"] = list(self.table_rows.items())
        return row


def records_to_table(records: list[LedgerRecord]) -> pa.Table:
    return pa.Table.from_pylist([record.as_row() for record in records], schema=LEDGER_SCHEMA)


@dataclass(frozen=True)
class KnownInput:
    """What the ledger remembers of the first input with some bytes."""

    source: str
    outcome: str  # landed | rejected (never duplicate: that is what later copies are)
    reason_code: str | None
    message: str | None


class Ledger:
    """The ledger's state in memory: loaded once per run, updated as batches commit."""

    def __init__(self) -> None:
        self.batch_ids: set[str] = set()
        self._first_by_sha: dict[str, KnownInput] = {}
        self._recorded: set[tuple[str, str]] = set()  # (sha256, source)
        self._landed_feed_keys: dict[str, str] = {}  # feed_key -> source
        self._landed_payloads: dict[str, str] = {}  # payload_sha256 -> source that landed it

    @classmethod
    def load(cls, lake: str | Lake) -> Ledger:
        return cls().refresh(lake)

    def refresh(self, lake: str | Lake) -> Ledger:
        """Read the batches committed since this ledger was loaded (by another process, say)."""
        the_lake = as_lake(lake)
        for batch_id in sorted(committed_batch_ids(the_lake) - self.batch_ids):
            self.batch_ids.add(batch_id)
            table = _conformed(the_lake.read_parquet(ledger_file(batch_id)))
            self._remember(table.select(_REMEMBERED_COLUMNS).to_pylist())
        return self

    def first_record(self, sha256: str) -> KnownInput | None:
        return self._first_by_sha.get(sha256)

    def has_recorded(self, sha256: str, source: str) -> bool:
        return (sha256, source) in self._recorded

    def feed_key_source(self, feed_key: str) -> str | None:
        """The source that landed this static feed version, if any."""
        return self._landed_feed_keys.get(feed_key)

    def payload_source(self, payload_sha256: str) -> str | None:
        """The source that landed this decompressed payload, if any."""
        return self._landed_payloads.get(payload_sha256)

    def commit(self, lake: str | Lake, batch_id: str, records: list[LedgerRecord]) -> None:
        """Write the batch's ledger file (the commit point), then remember its records."""
        as_lake(lake).write_parquet(ledger_file(batch_id), records_to_table(records))
        self.batch_ids.add(batch_id)
        self._remember([record.as_row() for record in records])

    def _remember(self, rows: list[dict[str, object]]) -> None:
        for row in rows:
            sha256, source, outcome = str(row["sha256"]), str(row["source"]), str(row["outcome"])
            self._recorded.add((sha256, source))
            if outcome != DUPLICATE and sha256 not in self._first_by_sha:
                self._first_by_sha[sha256] = KnownInput(
                    source=source,
                    outcome=outcome,
                    reason_code=_optional_str(row.get("reason_code")),
                    message=_optional_str(row.get("message")),
                )
            feed_key = row.get("feed_key")
            if outcome == LANDED and feed_key:
                self._landed_feed_keys.setdefault(str(feed_key), source)
            payload_sha256 = row.get("payload_sha256")
            if outcome == LANDED and payload_sha256:
                self._landed_payloads.setdefault(str(payload_sha256), source)


_REMEMBERED_COLUMNS = ["source", "sha256", "outcome", "reason_code", "message", "feed_key", "payload_sha256"]


def _conformed(table: pa.Table) -> pa.Table:
    """A ledger file in LEDGER_SCHEMA: columns added since it was written are NULL."""
    for column in LEDGER_SCHEMA:
        if column.name not in table.column_names:
            table = table.append_column(column.name, pa.nulls(table.num_rows, column.type))
    return table.select(LEDGER_SCHEMA.names).cast(LEDGER_SCHEMA)


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)


def read_ledger(lake: str | Lake) -> pa.Table:
    """Every committed ledger row, oldest batch first (an empty table for a new lake)."""
    the_lake = as_lake(lake)
    tables = [
        the_lake.read_parquet(ledger_file(batch_id)) for batch_id in sorted(committed_batch_ids(the_lake))
    ]
    if not tables:
        return LEDGER_SCHEMA.empty_table()
    return pa.concat_tables([_conformed(table) for table in tables])
