"""One extract run over small real and hand-built inputs: routing, the ledger, duplicates, the quarantine.

The full two-hour sample and the kill-and-rerun tests are in test_pipeline_sample.py and
test_pipeline_kill.py.
"""

from __future__ import annotations

import gzip
import io
import shutil
import zipfile
from pathlib import Path

import duckdb
import orjson
import pytest
from google.protobuf import text_format
from google.transit import gtfs_realtime_pb2 as rt

from extract.lake import committed_data_files, list_tables
from extract.ledger import read_ledger
from extract.pipeline import ExtractReport, extract

VP_PB = "2024-11-20T18:52:05Z_https_cdn.mbta.com_realtime_VehiclePositions.pb"
ALERTS_PB = "2024-11-20T18:51:40Z_https_cdn.mbta.com_realtime_Alerts.pb"
TU_JSON = "2022-05-08T06:04:57Z_https_cdn.mbta.com_realtime_TripUpdates_enhanced.json.gz"
PARKING = "2022-02-01T09:55:23Z_https_mbta_integration.mybluemix.net_vehicleCount.gz"


def feed_message(timestamp: int = 1683547202, vehicles: int = 2, header: bool = True) -> rt.FeedMessage:
    message = rt.FeedMessage()
    if header:
        message.header.gtfs_realtime_version = "2.0"
        message.header.timestamp = timestamp
    for index in range(vehicles):
        entity = message.entity.add()
        entity.id = f"veh-{index}"
        entity.vehicle.vehicle.id = f"O-5480{index}"
        entity.vehicle.vehicle.label = "0713"
        entity.vehicle.trip.trip_id = "55458882"
        entity.vehicle.trip.route_id = "Red"
        entity.vehicle.position.latitude = 42.35
        entity.vehicle.position.longitude = -71.06
        entity.vehicle.timestamp = timestamp - 3
    return message


def lake_rows(lake: Path, table: str) -> int:
    files = [f.path for f in committed_data_files(str(lake), table)]
    if not files:
        return 0
    return int(duckdb.sql(f"select count(*) from read_parquet({files!r})").fetchall()[0][0])


def ledger_rows(lake: Path) -> list[dict[str, object]]:
    return read_ledger(str(lake)).to_pylist()


def test_real_feeds_of_each_kind_land_in_their_tables(tmp_path: Path, mbta_feeds: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in (VP_PB, ALERTS_PB, TU_JSON, "empty.json.gz", "one_blank_record.json.gz"):
        shutil.copy(mbta_feeds / name, inbox / name)
    lake = tmp_path / "lake"

    report = extract(str(inbox), str(lake))

    assert (report.landed, report.duplicate, report.rejected) == (5, 0, 0)
    assert report.rows_per_table["gtfs_rt/vehicle_positions"] == 650  # the README's entity count
    assert report.rows_per_table["gtfs_rt/alerts"] == 94
    assert lake_rows(lake, "gtfs_rt/vehicle_positions") == 650
    assert lake_rows(lake, "gtfs_rt/alerts") == 94
    assert "gtfs_rt/vehicle_positions/date=2024-11-20/hour=18" in report.partitions
    by_name = {row["name"]: row for row in ledger_rows(lake)}
    vp = by_name[VP_PB]
    assert (vp["format"], vp["compression"], vp["feed_kind"], vp["entity_count"]) == (
        "protobuf",
        None,
        "vehicle_positions",
        650,
    )
    assert vp["table_rows"] == [("gtfs_rt/vehicle_positions", 650)]
    assert by_name[TU_JSON]["format"] == "enhanced_json" and by_name[TU_JSON]["compression"] == "gzip"
    # header-only and blank-entity feeds are valid input, not errors
    assert by_name["empty.json.gz"]["outcome"] == "landed" and by_name["empty.json.gz"]["entity_count"] == 0
    assert by_name["one_blank_record.json.gz"]["outcome"] == "landed"
    # every row carries the id of its source file: the sha256 the ledger recorded
    files = [f.path for f in committed_data_files(str(lake), "gtfs_rt/vehicle_positions")]
    ids = duckdb.sql(f"select distinct source_file_id from read_parquet({files!r})").fetchall()
    assert ids == [(vp["sha256"],)]


def test_running_twice_lands_nothing_new(tmp_path: Path, mbta_feeds: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in (VP_PB, TU_JSON, PARKING):
        shutil.copy(mbta_feeds / name, inbox / name)
    lake = tmp_path / "lake"
    first = extract(str(inbox), str(lake))
    files_before = sorted(p.relative_to(lake) for p in lake.rglob("*") if p.is_file())

    second = extract(str(inbox), str(lake))

    assert (first.landed, first.rejected) == (2, 1)
    assert (second.landed, second.duplicate, second.rejected, second.skipped) == (0, 0, 0, 3)
    assert second.batches == [] and second.rows_per_table == {}
    assert sorted(p.relative_to(lake) for p in lake.rglob("*") if p.is_file()) == files_before
    assert len(ledger_rows(lake)) == 3  # every input recorded once


def test_same_bytes_under_another_name_are_a_duplicate(tmp_path: Path, mbta_feeds: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(mbta_feeds / VP_PB, inbox / "a.pb")
    shutil.copy(mbta_feeds / VP_PB, inbox / "b.pb")  # same run
    shutil.copy(mbta_feeds / PARKING, inbox / "bad.gz")
    lake = tmp_path / "lake"
    first = extract(str(inbox), str(lake))
    later = tmp_path / "later"
    later.mkdir()
    shutil.copy(mbta_feeds / VP_PB, later / "c.pb")  # a later run
    shutil.copy(mbta_feeds / PARKING, later / "bad-again.gz")  # rejected bytes are not decoded again

    second = extract(str(later), str(lake))

    assert (first.landed, first.duplicate, first.rejected) == (1, 1, 1)
    assert (second.landed, second.duplicate, second.rejected) == (0, 2, 0)
    assert lake_rows(lake, "gtfs_rt/vehicle_positions") == 650
    rows = {row["name"]: row for row in ledger_rows(lake)}
    assert rows["b.pb"]["outcome"] == "duplicate" and rows["b.pb"]["duplicate_of"] == str(inbox / "a.pb")
    assert rows["c.pb"]["outcome"] == "duplicate" and rows["c.pb"]["duplicate_of"] == str(inbox / "a.pb")
    assert rows["bad-again.gz"]["outcome"] == "duplicate"
    assert rows["bad-again.gz"]["reason_code"] == rows["bad.gz"]["reason_code"] == "not_gtfs_realtime"


def _truncated_gzip(path: Path) -> bytes:
    data = path.read_bytes()
    return data[: len(data) // 2]


def _bad_inputs(mbta_feeds: Path) -> dict[str, tuple[bytes, str]]:
    """name → (bytes, expected reason_code): every bad-input kind of issue 2."""
    good = feed_message()
    no_header = feed_message(header=False)
    routes_less = io.BytesIO()
    with zipfile.ZipFile(routes_less, "w") as archive:
        archive.writestr("stops.txt", "stop_id,stop_name\n70061,Alewife\n")
    return {
        "zero.pb": (b"", "empty_file"),
        "cut.json.gz": (_truncated_gzip(mbta_feeds / TU_JSON), "truncated_gzip"),
        "parking.gz": ((mbta_feeds / PARKING).read_bytes(), "not_gtfs_realtime"),
        "text.pb": (text_format.MessageToString(good).encode(), "text_format_protobuf"),
        "error.pb": (
            b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head></html>",
            "html_error_page",
        ),
        "error.json": (orjson.dumps({"error": "Service Unavailable", "status": 503}), "json_error_page"),
        "broken.pb": (good.SerializeToString()[:-7], "protobuf_decode_error"),
        "headless.pb": (no_header.SerializePartialToString(), "missing_header"),
        "no_routes.zip": (routes_less.getvalue(), "static_missing_routes"),
    }


def test_each_bad_input_is_quarantined_with_its_reason_and_the_good_ones_land(
    tmp_path: Path, mbta_feeds: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    bad = _bad_inputs(mbta_feeds)
    for name, (data, _) in bad.items():
        (inbox / name).write_bytes(data)
    shutil.copy(mbta_feeds / VP_PB, inbox / VP_PB)
    shutil.copy(mbta_feeds / "empty.json.gz", inbox / "empty.json.gz")
    (inbox / "ok.pb.gz").write_bytes(gzip.compress(feed_message(vehicles=3).SerializeToString()))
    lake = tmp_path / "lake"

    report = extract(str(inbox), str(lake))

    assert report.rejected == len(bad)
    assert {item.name: item.reason_code for item in report.rejected_files} == {
        name: reason for name, (_, reason) in bad.items()
    }
    assert report.landed == 3
    assert lake_rows(lake, "gtfs_rt/vehicle_positions") == 650 + 3
    ledger = {row["name"]: row for row in ledger_rows(lake)}
    for name, (data, reason) in bad.items():
        assert ledger[name]["outcome"] == "rejected" and ledger[name]["reason_code"] == reason
        assert ledger[name]["message"]
        folder = lake / "_quarantine" / str(ledger[name]["sha256"])
        assert (folder / name).read_bytes() == data  # the raw bytes are kept
        kept = orjson.loads((folder / "reason.json").read_bytes())
        assert (kept["reason_code"], kept["source"]) == (reason, str(inbox / name))


def test_millisecond_timestamps_are_corrected_and_flagged(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "ms.pb").write_bytes(feed_message(timestamp=1683547202000).SerializeToString())
    lake = tmp_path / "lake"

    report = extract(str(inbox), str(lake))

    assert report.landed == 1
    assert report.partitions == {"gtfs_rt/vehicle_positions/date=2023-05-08/hour=12"}
    (row,) = ledger_rows(lake)
    assert row["header_timestamp"] == 1683547202 and row["warnings"]
    files = [f.path for f in committed_data_files(str(lake), "gtfs_rt/vehicle_positions")]
    assert duckdb.sql(
        f"select distinct feed_timestamp, has_millisecond_timestamp from read_parquet({files!r})"
    ).fetchall() == [(1683547202, True)]


def test_batches_split_by_rows_and_each_writes_one_file_per_partition(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for minute in range(6):  # 12:50 .. 13:15 UTC: two hour partitions
        timestamp = 1683550200 + minute * 300
        (inbox / f"vp-{minute}.pb").write_bytes(feed_message(timestamp, vehicles=10).SerializeToString())
    lake = tmp_path / "lake"

    report = extract(str(inbox), str(lake), batch_rows=20)

    assert len(report.batches) == 3  # 20 rows per batch
    files = committed_data_files(str(lake), "gtfs_rt/vehicle_positions")
    assert sorted({f.partition["hour"] for f in files}) == ["12", "13"]
    assert len(files) == len({(f.batch_id, f.partition["hour"]) for f in files})
    assert lake_rows(lake, "gtfs_rt/vehicle_positions") == 60
    assert list_tables(str(lake)) == ["gtfs_rt/vehicle_positions"]


def test_static_feed_lands_once_whether_directory_or_zip(tmp_path: Path, mbta_day: Path) -> None:
    static = mbta_day / "static" / "MBTA_GTFS"
    inbox = tmp_path / "inbox"
    shutil.copytree(static, inbox / "MBTA_GTFS")
    with zipfile.ZipFile(inbox / "MBTA_GTFS.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(static.iterdir()):
            archive.write(path, path.name)
    lake = tmp_path / "lake"

    report: ExtractReport = extract(str(inbox), str(lake))

    assert report.inputs == 2  # the directory is one input, not eight
    assert (report.landed, report.duplicate) == (1, 1)
    assert report.static_feed_keys == ["20230424T214257Z_spring-2023-version-d"]
    assert lake_rows(lake, "gtfs_static/routes") == 219
    assert lake_rows(lake, "gtfs_static/feed_versions") == 1
    (feed_file,) = committed_data_files(str(lake), "gtfs_static/trips")
    assert feed_file.partition == {"feed_key": "20230424T214257Z_spring-2023-version-d"}
    rows = {row["name"]: row for row in ledger_rows(lake)}
    assert rows["MBTA_GTFS"]["format"] == "static_gtfs_dir"
    assert any("stop_times.txt" in warning for warning in rows["MBTA_GTFS"]["warnings"])  # rule 3.4
    assert rows["MBTA_GTFS.zip"]["outcome"] == "duplicate"
    assert report.warnings and any("stop_times.txt" in warning for warning in report.warnings)


def test_a_static_directory_without_routes_is_quarantined_whole(tmp_path: Path, mbta_feeds: Path) -> None:
    feed = tmp_path / "inbox" / "partial_gtfs"
    feed.mkdir(parents=True)
    (feed / "stops.txt").write_text("stop_id,stop_name\n70061,Alewife\n")
    (feed / "trips.txt").write_text("route_id,service_id,trip_id\nRed,wk,1\n")
    shutil.copy(mbta_feeds / VP_PB, tmp_path / "inbox" / VP_PB)
    lake = tmp_path / "lake"

    report = extract(str(tmp_path / "inbox"), str(lake))

    assert report.landed == 1
    assert [(item.name, item.reason_code) for item in report.rejected_files] == [
        ("partial_gtfs", "static_missing_routes")
    ]
    (row,) = [row for row in ledger_rows(lake) if row["outcome"] == "rejected"]
    folder = lake / "_quarantine" / str(row["sha256"])
    assert (folder / "partial_gtfs" / "stops.txt").read_text() == (feed / "stops.txt").read_text()
    assert (folder / "partial_gtfs" / "trips.txt").exists() and (folder / "reason.json").exists()


def test_a_missing_source_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        extract(str(tmp_path / "nowhere"), str(tmp_path / "lake"))
