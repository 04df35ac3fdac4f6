"""decode_realtime on the real shared files (issue 2: rows match the source; pb and JSON agree)."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pytest
from google.protobuf import json_format
from google.transit import gtfs_realtime_pb2 as rt

from extract.realtime import decode_realtime
from extract.realtime.raw import FEED_LEVEL_COLUMNS

VP_PB = "2024-11-20T18:52:05Z_https_cdn.mbta.com_realtime_VehiclePositions.pb"
TU_PB = "2024-11-20T18:52:10Z_https_cdn.mbta.com_realtime_TripUpdates.pb"
ALERTS_PB = "2024-11-20T18:51:40Z_https_cdn.mbta.com_realtime_Alerts.pb"
NEW_YEARS_EVE = "2022-01-01T00:00:03Z_https_cdn.mbta.com_realtime_VehiclePositions_enhanced.json.gz"
TU_JSON = "2022-05-08T06:04:57Z_https_cdn.mbta.com_realtime_TripUpdates_enhanced.json.gz"
BUSLOC = "2022-06-28T10_03_18Z_https_mbta_busloc_s3.s3.amazonaws.com_prod_TripUpdates_enhanced.json.gz"


def _decode(path: Path) -> Any:
    return decode_realtime(path.read_bytes(), path.name)


def _expected_rows(message: rt.FeedMessage) -> dict[str, int]:
    """Row counts computed independently from the bindings: what each table must hold."""
    rows = {"vehicle_positions": 0, "trip_updates": 0, "alerts": 0}
    for entity in message.entity:
        rows["vehicle_positions"] += entity.HasField("vehicle")
        rows["alerts"] += entity.HasField("alert")
        if entity.HasField("trip_update"):
            rows["trip_updates"] += max(1, len(entity.trip_update.stop_time_update))
    return {table: count for table, count in rows.items() if count}


def _json_expected_rows(feed: dict[str, Any]) -> dict[str, int]:
    rows = {"vehicle_positions": 0, "trip_updates": 0, "alerts": 0}
    for entity in feed["entity"]:
        rows["vehicle_positions"] += entity.get("vehicle") is not None
        rows["alerts"] += entity.get("alert") is not None
        if entity.get("trip_update") is not None:
            rows["trip_updates"] += max(1, len(entity["trip_update"].get("stop_time_update") or []))
    return {table: count for table, count in rows.items() if count}


def _pb_as_enhanced_json(data: bytes) -> bytes:
    message = rt.FeedMessage.FromString(data)
    return gzip.compress(orjson.dumps(json_format.MessageToDict(message, preserving_proto_field_name=True)))


def _assert_same_standard_rows(left: dict[str, pa.Table], right: dict[str, pa.Table]) -> None:
    assert left.keys() == right.keys()
    for name, table in left.items():
        other = right[name]
        assert table.schema.equals(other.schema)
        for column in table.column_names:
            if column == "source_file_id":
                continue
            assert table.column(column).equals(other.column(column)), f"{name}.{column} differs"


@pytest.mark.parametrize("name", [VP_PB, TU_PB, ALERTS_PB])
def test_real_protobuf_files_match_the_bindings(mbta_feeds: Path, name: str) -> None:
    path = mbta_feeds / name
    message = rt.FeedMessage.FromString(path.read_bytes())
    decoded = _decode(path)
    assert decoded.format == "protobuf" and decoded.compression is None
    assert decoded.entity_count == len(message.entity)
    assert decoded.header_timestamp == message.header.timestamp
    assert decoded.incrementality == "FULL_DATASET" and decoded.gtfs_realtime_version == "2.0"
    assert {t: table.num_rows for t, table in decoded.tables.items()} == _expected_rows(message)
    for table in decoded.tables.values():
        assert table.column("source_file_id").to_pylist() == [name] * table.num_rows
        assert table.column("feed_timestamp").to_pylist() == [message.header.timestamp] * table.num_rows


def test_real_vehicle_positions_spot_checks(mbta_feeds: Path) -> None:
    rows = {
        row["entity_id"]: row for row in _decode(mbta_feeds / VP_PB).tables["vehicle_positions"].to_pylist()
    }
    bus = rows["y0800"]
    assert (bus["vehicle_label"], bus["stop_id"], bus["vehicle_timestamp"]) == ("0800", "3535", 1732128712)
    assert bus["current_status"] == "STOPPED_AT" and bus["latitude"] == 42.24264
    first = rows["y2069"]
    assert (first["trip_id"], first["route_id"], first["direction_id"], first["start_date"]) == (
        "64821026",
        "78",
        1,
        "20241120",
    )
    assert first["occupancy_status"] == "MANY_SEATS_AVAILABLE" and first["occupancy_percentage"] == 20
    assert first["odometer"] is None and first["trip_route_pattern_id"] is None


def test_real_trip_updates_spot_checks(mbta_feeds: Path) -> None:
    table = _decode(mbta_feeds / TU_PB).tables["trip_updates"]
    first = table.slice(0, 1).to_pylist()[0]
    assert (first["trip_id"], first["stop_sequence"], first["stop_id"]) == ("64464705", 1, "899")
    assert (first["arrival_time"], first["departure_time"]) == (None, 1732132200)
    assert first["trip_schedule_relationship"] is None  # not set in the feed: NULL, not SCHEDULED


def test_new_years_eve_vehicle_positions(mbta_feeds: Path) -> None:
    decoded = _decode(mbta_feeds / NEW_YEARS_EVE)
    feed = orjson.loads(gzip.decompress((mbta_feeds / NEW_YEARS_EVE).read_bytes()))
    assert decoded.format == "enhanced_json" and decoded.compression == "gzip"
    assert decoded.header_timestamp == 1640995202  # 2022-01-01T00:00:02Z
    assert decoded.entity_count == len(feed["entity"])
    assert {t: table.num_rows for t, table in decoded.tables.items()} == _json_expected_rows(feed)
    rows = decoded.tables["vehicle_positions"].to_pylist()
    assert rows[0]["start_date"] == "20211231" and rows[0]["latitude"] == 42.27057097
    without_trip_date = [row for row in rows if row["start_date"] is None]
    assert without_trip_date  # some vehicles carry no trip date: NULL, never ''


def test_trip_updates_json_without_start_dates(mbta_feeds: Path) -> None:
    decoded = _decode(mbta_feeds / TU_JSON)
    feed = orjson.loads(gzip.decompress((mbta_feeds / TU_JSON).read_bytes()))
    assert {t: table.num_rows for t, table in decoded.tables.items()} == _json_expected_rows(feed)
    start_dates = decoded.tables["trip_updates"].column("start_date")
    assert start_dates.null_count > 0 and "" not in start_dates.to_pylist()


def test_busloc_trip_updates(mbta_feeds: Path) -> None:
    decoded = _decode(mbta_feeds / BUSLOC)
    feed = orjson.loads(gzip.decompress((mbta_feeds / BUSLOC).read_bytes()))
    assert {t: table.num_rows for t, table in decoded.tables.items()} == _json_expected_rows(feed)
    first = decoded.tables["trip_updates"].slice(0, 1).to_pylist()[0]
    assert first["entity_id"] == "B32-78:32:52018203:495441"
    assert (first["stop_schedule_relationship"], first["stop_id"], first["arrival_time"]) == (
        "SKIPPED",
        "875",
        None,
    )
    assert first["is_deleted"] is None  # JSON null


def test_alerts_protobuf_and_json(mbta_feeds: Path) -> None:
    pb = _decode(mbta_feeds / ALERTS_PB).tables["alerts"]
    assert pb.num_rows == 94
    first = pb.slice(0, 1).to_pylist()[0]
    assert (first["cause"], first["effect"], first["severity_level"]) == (
        "CONSTRUCTION",
        "OTHER_EFFECT",
        "WARNING",
    )
    assert first["cause_detail"] == [{"text": "CONSTRUCTION", "language": "en"}]
    assert first["active_period"] == [{"start": 1585320060, "end": None}]
    for name, count in [
        ("2022-02-01T20:35:38Z_https_cdn.mbta.com_realtime_Alerts_enhanced.json.gz", 120),
        ("2022-05-04T15:59:48Z_https_cdn.mbta.com_realtime_Alerts_enhanced.json.gz", 144),
    ]:
        decoded = _decode(mbta_feeds / name)
        assert decoded.incrementality == "FULL_DATASET"  # written as the number 0
        alerts = decoded.tables["alerts"]
        assert alerts.num_rows == count
        row = alerts.slice(0, 1).to_pylist()[0]
        assert row["cause_detail"] == [{"text": "UNKNOWN_CAUSE", "language": None}]
        assert row["informed_entity"][0]["facility_id"] == "802"
        assert row["alert_lifecycle"] == "ONGOING" and row["created_timestamp"] == 1549051333


def test_empty_and_blank_record_feeds_are_valid(mbta_feeds: Path) -> None:
    empty = _decode(mbta_feeds / "empty.json.gz")
    assert (empty.feed_kind, empty.entity_count, empty.tables, empty.header_timestamp) == (
        "empty",
        0,
        {},
        1640995202,
    )
    blank = _decode(mbta_feeds / "one_blank_record.json.gz")
    assert (blank.feed_kind, blank.entity_count, blank.tables) == ("empty", 1, {})


def test_caltrain_feeds(sample_data: Path) -> None:
    folder = sample_data / "other" / "caltrain-2023-11-08"
    for name, table in [
        ("ct-trip-updates.pb", "trip_updates"),
        ("ct-vehicle-positions.pb", "vehicle_positions"),
    ]:
        path = folder / name
        message = rt.FeedMessage.FromString(path.read_bytes())
        decoded = _decode(path)
        assert decoded.feed_kind == table
        assert {t: tab.num_rows for t, tab in decoded.tables.items()} == _expected_rows(message)
    vp = _decode(folder / "ct-vehicle-positions.pb").tables["vehicle_positions"].slice(0, 1).to_pylist()[0]
    assert (vp["entity_id"], vp["route_id"], vp["vehicle_label"], vp["bearing"]) == ("124", "L1", "", None)


@pytest.mark.parametrize("name", [VP_PB, TU_PB, ALERTS_PB])
def test_protobuf_and_its_enhanced_json_land_identical_rows(mbta_feeds: Path, name: str) -> None:
    data = (mbta_feeds / name).read_bytes()
    pb = decode_realtime(data, "pb")
    js = decode_realtime(_pb_as_enhanced_json(data), "json")
    assert (js.format, pb.format) == ("enhanced_json", "protobuf")
    assert (js.header_timestamp, js.entity_count, js.feed_kind) == (
        pb.header_timestamp,
        pb.entity_count,
        pb.feed_kind,
    )
    _assert_same_standard_rows(pb.tables, js.tables)


def test_sample_protobuf_snapshots_and_their_json_agree(raw_day: Path) -> None:
    files = sorted(raw_day.glob("*/*.pb"))[::60]
    assert len(files) > 30
    for path in files:
        data = path.read_bytes()
        pb = decode_realtime(data, "pb")
        message = rt.FeedMessage.FromString(data)
        assert pb.entity_count == len(message.entity)
        assert {t: table.num_rows for t, table in pb.tables.items()} == _expected_rows(message)
        _assert_same_standard_rows(pb.tables, decode_realtime(_pb_as_enhanced_json(data), "json").tables)


def test_sample_enhanced_json_snapshots(raw_day: Path) -> None:
    files = sorted(raw_day.glob("*/*.json.gz"))[::60]
    assert len(files) > 30
    extension_seen = False
    for path in files:
        feed = orjson.loads(gzip.decompress(path.read_bytes()))
        decoded = _decode(path)
        assert decoded.entity_count == len(feed["entity"])
        assert decoded.header_timestamp == feed["header"]["timestamp"]
        assert {t: table.num_rows for t, table in decoded.tables.items()} == _json_expected_rows(feed)
        if "vehicle_positions" in decoded.tables:
            consist = decoded.tables["vehicle_positions"].column("vehicle_consist_labels")
            extension_seen |= consist.null_count < len(consist)
    assert extension_seen


def test_feed_level_columns_are_listed_once() -> None:
    assert FEED_LEVEL_COLUMNS == ("source_file_id", "feed_timestamp", "has_millisecond_timestamp")
