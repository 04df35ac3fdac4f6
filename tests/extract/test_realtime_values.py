"""Values as the lake must hold them (issue 2, "Output"): presence, enums, ids, milliseconds, shapes.

Each case runs through both decoders: the C accelerator and the pure-Python reference path.
"""

from __future__ import annotations

from typing import Any

import pytest
from google.protobuf import json_format

from extract.realtime import decode_realtime
from extract.schemas import REALTIME_TABLES

MS = 1683547200123  # 2023-05-08T12:00:00.123Z in milliseconds
paths = pytest.mark.parametrize("use_accelerator", [True, False], ids=["accelerated", "reference"])


def _rows(data: bytes, table: str, use_accelerator: bool) -> list[dict[str, Any]]:
    feed = decode_realtime(data, "sha", use_accelerator=use_accelerator)
    for name, arrow in feed.tables.items():
        assert arrow.schema.equals(REALTIME_TABLES[name]), name
    rows: list[dict[str, Any]] = feed.tables[table].to_pylist()
    return rows


@paths
def test_unset_is_null_and_zero_is_zero(feed_builder: Any, use_accelerator: bool) -> None:
    feed = feed_builder.message()
    vp = feed.entity.add(id="zero").vehicle
    vp.current_stop_sequence = 0
    vp.trip.direction_id = 0
    vp.position.bearing = 0.0
    vp.position.latitude = 42.3543
    vp.position.longitude = -71.0
    vp.vehicle.label = ""
    bare = feed.entity.add(id="bare").vehicle
    bare.vehicle.id = "y1234"
    zero, unset = _rows(feed_builder.protobuf(feed), "vehicle_positions", use_accelerator)
    assert (zero["current_stop_sequence"], zero["direction_id"], zero["bearing"]) == (0, 0, 0.0)
    assert zero["vehicle_label"] == ""
    assert zero["latitude"] == 42.3543  # the float32's shortest decimal, as protobuf's JSON prints it
    for column in (
        "current_stop_sequence",
        "direction_id",
        "bearing",
        "latitude",
        "vehicle_label",
        "stop_id",
        "current_status",
        "vehicle_timestamp",
        "trip_id",
        "is_deleted",
        "multi_carriage_details",
    ):
        assert unset[column] is None, column
    assert unset["vehicle_id"] == "y1234"
    assert (zero["entity_index"], unset["entity_index"]) == (0, 1)
    assert zero["source_file_id"] == "sha"
    assert zero["feed_timestamp"] == 1683547200


@paths
def test_json_null_and_absent_are_null(feed_builder: Any, use_accelerator: bool) -> None:
    entities = [
        {
            "id": "a",
            "is_deleted": None,
            "vehicle": {
                "current_stop_sequence": 0,
                "stop_id": None,
                "trip": {"direction_id": 0, "route_id": "Red"},
            },
        },
    ]
    (row,) = _rows(feed_builder.json(feed_builder.json_feed(entities)), "vehicle_positions", use_accelerator)
    assert (row["current_stop_sequence"], row["direction_id"]) == (0, 0)
    assert row["stop_id"] is None and row["is_deleted"] is None and row["vehicle_consist_labels"] is None


@paths
def test_ids_stay_strings_with_leading_zeros(feed_builder: Any, use_accelerator: bool) -> None:
    feed = feed_builder.message()
    vp = feed.entity.add(id="0001").vehicle
    vp.vehicle.label = "0713"
    vp.stop_id = "070061"
    vp.trip.trip_id = "0055458892"
    for data in (feed_builder.protobuf(feed), feed_builder.json(json_format.MessageToDict(feed))):
        (row,) = _rows(data, "vehicle_positions", use_accelerator)
        assert (row["entity_id"], row["vehicle_label"], row["stop_id"], row["trip_id"]) == (
            "0001",
            "0713",
            "070061",
            "0055458892",
        )


@paths
def test_unknown_protobuf_enum_numbers_are_kept_as_text(feed_builder: Any, use_accelerator: bool) -> None:
    b = feed_builder
    # upb puts enum numbers it does not know into unknown fields; the decoder must recover them.
    trip = b.field_bytes(1, b"t1") + b.field_varint(4, 42)  # schedule_relationship 42
    vehicle = b.field_bytes(1, trip) + b.field_varint(4, 7) + b.field_varint(6, 2)  # status 7, congestion 2
    negative = b.field_varint(4, -3)
    feed = b.wire_feed(
        b.field_bytes(1, b"v1") + b.field_bytes(4, vehicle),
        b.field_bytes(1, b"v2") + b.field_bytes(4, negative),
        b.field_bytes(1, b"t1")
        + b.field_bytes(3, b.field_bytes(2, b.field_varint(5, 9) + b.field_varint(1, 3))),
    )
    first, second = _rows(feed, "vehicle_positions", use_accelerator)
    assert (first["current_status"], first["trip_schedule_relationship"]) == ("7", "42")
    assert first["congestion_level"] == "STOP_AND_GO"
    assert second["current_status"] == "-3"
    (stop,) = _rows(feed, "trip_updates", use_accelerator)
    assert (stop["stop_schedule_relationship"], stop["stop_sequence"]) == ("9", 3)


@paths
def test_json_enums_by_name_number_or_numeric_text(feed_builder: Any, use_accelerator: bool) -> None:
    entities = [
        {"id": "1", "vehicle": {"current_status": "STOPPED_AT"}},
        {"id": "2", "vehicle": {"current_status": 1}},
        {"id": "3", "vehicle": {"current_status": "1"}},
        {"id": "4", "vehicle": {"current_status": 7}},
        {"id": "5", "vehicle": {"current_status": "AGENCY_SPECIFIC"}},
    ]
    rows = _rows(feed_builder.json(feed_builder.json_feed(entities)), "vehicle_positions", use_accelerator)
    assert [r["current_status"] for r in rows] == [
        "STOPPED_AT",
        "STOPPED_AT",
        "STOPPED_AT",
        "7",
        "AGENCY_SPECIFIC",
    ]


@paths
def test_numbers_written_as_strings_are_accepted(feed_builder: Any, use_accelerator: bool) -> None:
    entities = [
        {
            "id": "1",
            "trip_update": {
                "trip": {"trip_id": "t", "direction_id": "1"},
                "timestamp": "1683547190",
                "stop_time_update": [
                    {
                        "stop_sequence": "4",
                        "stop_id": "70061",
                        "arrival": {"time": "1683547300", "delay": "-5"},
                    }
                ],
            },
        }
    ]
    data = feed_builder.json(feed_builder.json_feed(entities, timestamp="1683547200"))
    (row,) = _rows(data, "trip_updates", use_accelerator)
    assert (row["feed_timestamp"], row["trip_update_timestamp"], row["arrival_time"]) == (
        1683547200,
        1683547190,
        1683547300,
    )
    assert (row["direction_id"], row["stop_sequence"], row["arrival_delay"]) == (1, 4, -5)


@paths
def test_millisecond_timestamps_are_corrected_and_flagged(feed_builder: Any, use_accelerator: bool) -> None:
    feed = feed_builder.message()
    feed.entity.add(id="ms").vehicle.timestamp = MS
    feed.entity.add(id="s").vehicle.timestamp = 1683547100
    tu = feed.entity.add(id="t").trip_update
    tu.trip.trip_id = "t"
    tu.stop_time_update.add(stop_sequence=1).arrival.time = MS
    tu.stop_time_update.add(stop_sequence=2).arrival.time = 1683547300
    decoded = decode_realtime(feed_builder.protobuf(feed), "x", use_accelerator=use_accelerator)
    vps = decoded.tables["vehicle_positions"].to_pylist()
    assert [(r["vehicle_timestamp"], r["has_millisecond_timestamp"]) for r in vps] == [
        (1683547200, True),
        (1683547100, False),
    ]
    stops = decoded.tables["trip_updates"].to_pylist()
    assert [(r["arrival_time"], r["has_millisecond_timestamp"]) for r in stops] == [
        (1683547200, True),
        (1683547300, False),
    ]
    assert decoded.warnings and "milliseconds" in decoded.warnings[0]
    assert decoded.feed_kind == "mixed"


@paths
def test_millisecond_header_and_trip_timestamps_flag_every_row_they_cover(
    feed_builder: Any, use_accelerator: bool
) -> None:
    entities = [
        {
            "id": "t",
            "trip_update": {"timestamp": MS, "stop_time_update": [{"stop_id": "a"}, {"stop_id": "b"}]},
        },
        {"id": "u", "trip_update": {"stop_time_update": [{"stop_id": "c"}]}},
    ]
    decoded = decode_realtime(
        feed_builder.json(feed_builder.json_feed(entities)), "x", use_accelerator=use_accelerator
    )
    rows = decoded.tables["trip_updates"].to_pylist()
    assert [r["has_millisecond_timestamp"] for r in rows] == [True, True, False]
    assert rows[0]["trip_update_timestamp"] == 1683547200
    decoded = decode_realtime(
        feed_builder.json(feed_builder.json_feed(entities, timestamp=MS)),
        "x",
        use_accelerator=use_accelerator,
    )
    assert decoded.header_timestamp == 1683547200
    assert all(decoded.tables["trip_updates"].column("has_millisecond_timestamp").to_pylist())
    assert any("header" in w for w in decoded.warnings)


@paths
def test_trip_update_rows(feed_builder: Any, use_accelerator: bool) -> None:
    feed = feed_builder.message()
    cancelled = feed.entity.add(id="c").trip_update
    cancelled.trip.trip_id = "cancelled"
    cancelled.trip.schedule_relationship = cancelled.trip.CANCELED
    running = feed.entity.add(id="r").trip_update
    running.trip.trip_id = "running"
    running.vehicle.label = "0713"
    running.delay = 30
    for seq, stop in ((10, "70061"), (20, "70063")):
        update = running.stop_time_update.add(stop_sequence=seq, stop_id=stop)
        update.departure.time = 1683547300 + seq
        update.departure.uncertainty = 60
    update.schedule_relationship = update.SKIPPED
    rows = _rows(feed_builder.protobuf(feed), "trip_updates", use_accelerator)
    assert len(rows) == 3
    assert rows[0]["trip_id"] == "cancelled" and rows[0]["trip_schedule_relationship"] == "CANCELED"
    assert rows[0]["stop_time_update_index"] is None and rows[0]["stop_id"] is None
    assert [(r["trip_id"], r["vehicle_label"], r["trip_update_delay"]) for r in rows[1:]] == [
        ("running", "0713", 30),
        ("running", "0713", 30),
    ]
    assert [(r["stop_time_update_index"], r["stop_sequence"], r["stop_id"]) for r in rows[1:]] == [
        (0, 10, "70061"),
        (1, 20, "70063"),
    ]
    assert [r["departure_time"] for r in rows[1:]] == [1683547310, 1683547320]
    assert rows[1]["arrival_time"] is None and rows[1]["stop_schedule_relationship"] is None
    assert rows[2]["stop_schedule_relationship"] == "SKIPPED"


@paths
def test_mbta_extension_fields_land_as_columns(feed_builder: Any, use_accelerator: bool) -> None:
    trip = {
        "trip_id": "t",
        "route_pattern_id": "Red-1-0",
        "tm_trip_id": "123",
        "revenue": False,
        "last_trip": True,
    }
    entities = [
        {
            "id": "v",
            "vehicle": {
                "trip": trip,
                "vehicle": {"id": "R-1", "label": "1877", "consist": [{"label": "1877"}, {"label": "1876"}]},
            },
        },
        {
            "id": "t",
            "trip_update": {
                "trip": trip,
                "stop_time_update": [{"stop_id": "70061", "boarding_status": "Now boarding"}],
            },
        },
    ]
    data = feed_builder.json(feed_builder.json_feed(entities))
    (vp,) = _rows(data, "vehicle_positions", use_accelerator)
    assert vp["vehicle_consist_labels"] == ["1877", "1876"]
    assert (vp["trip_route_pattern_id"], vp["trip_tm_trip_id"], vp["trip_revenue"], vp["trip_last_trip"]) == (
        "Red-1-0",
        "123",
        False,
        True,
    )
    (tu,) = _rows(data, "trip_updates", use_accelerator)
    assert tu["boarding_status"] == "Now boarding" and tu["trip_revenue"] is False


@paths
def test_camel_case_canonical_json_matches_protobuf(feed_builder: Any, use_accelerator: bool) -> None:
    feed = feed_builder.message()
    tu = feed.entity.add(id="t").trip_update
    tu.trip.trip_id = "t"
    tu.stop_time_update.add(stop_sequence=1, stop_id="a").arrival.time = 1683547300
    camel = json_format.MessageToJson(feed).encode()  # stopTimeUpdate, int64 as strings
    assert b"stopTimeUpdate" in camel
    pb = decode_realtime(feed_builder.protobuf(feed), "x", use_accelerator=use_accelerator)
    js = decode_realtime(camel, "x", use_accelerator=use_accelerator)
    assert js.tables["trip_updates"].equals(pb.tables["trip_updates"])


@paths
def test_alerts_from_protobuf_and_json(feed_builder: Any, use_accelerator: bool) -> None:
    feed = feed_builder.message()
    alert = feed.entity.add(id="a1").alert
    alert.cause = alert.MAINTENANCE
    alert.effect = alert.DETOUR
    alert.cause_detail.translation.add(text="Track work", language="en")
    alert.header_text.translation.add(text="Shuttle buses")
    period = alert.active_period.add(start=1683547200)
    assert not period.HasField("end")
    alert.informed_entity.add(route_id="Red", route_type=1).trip.trip_id = "t1"
    alert.informed_entity.add(stop_id="70061")
    (row,) = _rows(feed_builder.protobuf(feed), "alerts", use_accelerator)
    assert (row["cause"], row["effect"], row["severity_level"]) == ("MAINTENANCE", "DETOUR", None)
    assert row["cause_detail"] == [{"text": "Track work", "language": "en"}]
    assert row["header_text"] == [{"text": "Shuttle buses", "language": None}]
    assert row["active_period"] == [{"start": 1683547200, "end": None}]
    assert [e["route_id"] for e in row["informed_entity"]] == ["Red", None]
    assert row["informed_entity"][0]["trip_id"] == "t1" and row["informed_entity"][1]["stop_id"] == "70061"
    assert row["alert_lifecycle"] is None
    mbta = {
        "id": "a2",
        "alert": {
            "cause": "UNKNOWN_CAUSE",
            "cause_detail": "ELEVATOR_ISSUE",
            "effect_detail": "ELEVATOR_CLOSURE",
            "severity": 3,
            "alert_lifecycle": "NEW",
            "created_timestamp": MS,
            "informed_entity": [
                {"stop_id": "place-pktrm", "activities": ["USING_WHEELCHAIR"], "facility_id": "804"}
            ],
        },
    }
    decoded = decode_realtime(
        feed_builder.json(feed_builder.json_feed([mbta])), "x", use_accelerator=use_accelerator
    )
    (row,) = decoded.tables["alerts"].to_pylist()
    assert row["cause_detail"] == [{"text": "ELEVATOR_ISSUE", "language": None}]
    assert row["effect_detail"] == [{"text": "ELEVATOR_CLOSURE", "language": None}]
    assert (row["severity"], row["alert_lifecycle"], row["created_timestamp"]) == (3, "NEW", 1683547200)
    assert row["has_millisecond_timestamp"] is True
    assert row["informed_entity"][0]["activities"] == ["USING_WHEELCHAIR"]
    assert row["informed_entity"][0]["facility_id"] == "804"


@paths
def test_header_only_and_blank_entities(feed_builder: Any, use_accelerator: bool) -> None:
    decoded = decode_realtime(
        feed_builder.protobuf(feed_builder.message()), "x", use_accelerator=use_accelerator
    )
    assert (decoded.feed_kind, decoded.entity_count, decoded.tables) == ("empty", 0, {})
    assert decoded.header_timestamp == 1683547200 and decoded.gtfs_realtime_version == "2.0"
    feed = feed_builder.message()
    feed.entity.add(id="nothing")
    feed.entity.add(id="v").vehicle.vehicle.id = "1"
    decoded = decode_realtime(feed_builder.protobuf(feed), "x", use_accelerator=use_accelerator)
    assert decoded.entity_count == 2
    assert decoded.tables["vehicle_positions"].column("entity_index").to_pylist() == [1]


@paths
def test_header_after_the_entities_still_stamps_every_row(feed_builder: Any, use_accelerator: bool) -> None:
    # MBTA's enhanced JSON writes "entity" before "header"; a millisecond header flags every row.
    feed = {
        "entity": [{"id": "v", "vehicle": {"timestamp": 1683547190}}],
        "header": {"gtfs_realtime_version": "2.0", "timestamp": MS},
    }
    decoded = decode_realtime(feed_builder.json(feed), "x", use_accelerator=use_accelerator)
    (row,) = decoded.tables["vehicle_positions"].to_pylist()
    assert (row["feed_timestamp"], row["has_millisecond_timestamp"], row["vehicle_timestamp"]) == (
        1683547200,
        True,
        1683547190,
    )
    assert decoded.incrementality is None
    feed["header"] = {"gtfs_realtime_version": "2.0"}
    (row,) = (
        decode_realtime(feed_builder.json(feed), "x", use_accelerator=use_accelerator)
        .tables["vehicle_positions"]
        .to_pylist()
    )
    assert row["feed_timestamp"] is None and row["has_millisecond_timestamp"] is False


@paths
def test_json_key_order_does_not_matter(feed_builder: Any, use_accelerator: bool) -> None:
    # Producers order keys freely: payload before the id, is_deleted last, stop updates before the trip.
    stops = [{"stop_id": "a", "arrival": {"time": 1683547300}}, {"stop_id": "b"}]
    entities = [
        {"trip_update": {"stop_time_update": stops, "trip": {"trip_id": "t1"}, "timestamp": MS}, "id": "e1"},
        {"id": "e2", "vehicle": {"vehicle": {"label": "0713"}}, "is_deleted": True},
        {"id": "e3", "trip_update": {"stop_time_update": [], "trip": {"trip_id": "t3"}}, "is_deleted": False},
    ]
    decoded = decode_realtime(
        feed_builder.json(feed_builder.json_feed(entities)), "x", use_accelerator=use_accelerator
    )
    rows = decoded.tables["trip_updates"].to_pylist()
    assert [(r["entity_id"], r["trip_id"], r["stop_id"], r["is_deleted"]) for r in rows] == [
        ("e1", "t1", "a", None),
        ("e1", "t1", "b", None),
        ("e3", "t3", None, False),
    ]
    assert [r["has_millisecond_timestamp"] for r in rows] == [True, True, False]
    assert rows[0]["trip_update_timestamp"] == 1683547200 and rows[0]["arrival_time"] == 1683547300
    (vp,) = decoded.tables["vehicle_positions"].to_pylist()
    assert (vp["entity_id"], vp["vehicle_label"], vp["is_deleted"]) == ("e2", "0713", True)
    assert decoded.feed_kind == "mixed"
    assert len(decoded.warnings) == 1 and decoded.warnings[0].startswith("1 entities")
