"""Small GTFS-Realtime feeds built in code, for the realtime decoder's edge cases.

``FeedBuilder`` makes protobuf feeds through the official bindings, raw wire bytes for what the bindings
cannot express (an enum number they do not know), and enhanced-JSON feeds as bytes.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import orjson
import pytest
from google.transit import gtfs_realtime_pb2 as rt

HEADER_TIME = 1683547200  # 2023-05-08T12:00:00Z


class FeedBuilder:
    @staticmethod
    def message(timestamp: int | None = HEADER_TIME) -> rt.FeedMessage:
        feed = rt.FeedMessage()
        feed.header.gtfs_realtime_version = "2.0"
        if timestamp is not None:
            feed.header.timestamp = timestamp
        return feed

    @staticmethod
    def protobuf(feed: rt.FeedMessage, *, gzipped: bool = False) -> bytes:
        data = feed.SerializeToString()
        return gzip.compress(data) if gzipped else data

    @staticmethod
    def json(feed: dict[str, Any], *, gzipped: bool = False) -> bytes:
        data = orjson.dumps(feed)
        return gzip.compress(data) if gzipped else data

    @staticmethod
    def json_feed(entities: list[dict[str, Any]], timestamp: Any = HEADER_TIME) -> dict[str, Any]:
        return {
            "header": {
                "gtfs_realtime_version": "2.0",
                "incrementality": "FULL_DATASET",
                "timestamp": timestamp,
            },
            "entity": entities,
        }

    # ---- raw protobuf wire encoding, for values the bindings refuse to write ----
    @staticmethod
    def varint(value: int) -> bytes:
        value &= (1 << 64) - 1
        out = bytearray()
        while True:
            byte = value & 0x7F
            value >>= 7
            if value:
                out.append(byte | 0x80)
            else:
                out.append(byte)
                return bytes(out)

    @classmethod
    def field_varint(cls, number: int, value: int) -> bytes:
        return cls.varint(number << 3) + cls.varint(value)

    @classmethod
    def field_bytes(cls, number: int, payload: bytes) -> bytes:
        return cls.varint(number << 3 | 2) + cls.varint(len(payload)) + payload

    @classmethod
    def wire_feed(cls, *entities: bytes, timestamp: int = HEADER_TIME) -> bytes:
        header = cls.field_bytes(1, b"2.0") + cls.field_varint(3, timestamp)
        return cls.field_bytes(1, header) + b"".join(cls.field_bytes(2, entity) for entity in entities)


@pytest.fixture(scope="session")
def feed_builder() -> type[FeedBuilder]:
    return FeedBuilder


@pytest.fixture(scope="session")
def raw_day(mbta_day: Path) -> Path:
    return mbta_day / "raw"
