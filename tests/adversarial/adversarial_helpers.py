"""Helpers for the adversarial tests: tiny valid feeds built in code and a one-call extract run.

Every test here feeds the extractor something hostile next to two good snapshots and checks the
product's promise: the bad input gets a clear reason, the run goes on, the good inputs land.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from google.transit import gtfs_realtime_pb2 as rt

from extract.lake import committed_data_files
from extract.pipeline import ExtractReport, extract

HEADER_TIME = 1683547200  # 2023-05-08T12:00:00Z


def vehicle_feed(timestamp: int = HEADER_TIME, vehicles: int = 2, prefix: str = "0") -> bytes:
    """A valid VehiclePositions snapshot; ``prefix`` keeps ids with leading zeros ("0713")."""
    feed = rt.FeedMessage()
    feed.header.gtfs_realtime_version = "2.0"
    feed.header.timestamp = timestamp
    for index in range(vehicles):
        entity = feed.entity.add()
        entity.id = f"{prefix}{index:03d}"
        entity.vehicle.vehicle.id = f"{prefix}7{index:02d}"
        entity.vehicle.trip.trip_id = f"T{index}"
        entity.vehicle.timestamp = timestamp - 5
    return feed.SerializeToString()


class Inbox:
    """A scratch inbox with two good snapshots ("a_good.pb", "z_good.pb") around whatever a test adds."""

    def __init__(self, root: Path) -> None:
        self.path = root / "inbox"
        self.lake = root / "lake"
        self.path.mkdir()
        (self.path / "a_good.pb").write_bytes(vehicle_feed(HEADER_TIME))
        (self.path / "z_good.pb").write_bytes(vehicle_feed(HEADER_TIME + 10))

    def run(self, **kwargs: object) -> ExtractReport:
        return extract(str(self.path), str(self.lake), **kwargs)  # type: ignore[arg-type]

    def vehicle_rows(self) -> int:
        files = [item.path for item in committed_data_files(str(self.lake), "gtfs_rt/vehicle_positions")]
        if not files:
            return 0
        # Own connection: a result left open on duckdb's shared default connection breaks other tests.
        with duckdb.connect() as connection:
            row = connection.execute(f"select count(*) from read_parquet({files!r})").fetchall()
        return int(row[0][0])
