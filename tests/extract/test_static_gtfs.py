"""Static GTFS landing (issue 2): the real MBTA and Caltrain feeds, and tiny feeds built per edge case."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest

from extract.errors import RejectedInput
from extract.static_gtfs import (
    FEED_VERSIONS_SCHEMA,
    container,
    is_static_gtfs_directory,
    is_static_gtfs_zip,
    read_static_feed,
    static_feed_content_sha256,
)

MBTA_FEED_VERSION = "Spring 2023, 2023-04-24T21:42:57+00:00, version D"
PATH_SAFE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")

# A minimal valid feed; tests replace or drop files to build each edge case.
MINIMAL_FEED: dict[str, str] = {
    "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nA,Agency,https://a.example,America/New_York\n",
    "routes.txt": "route_id,agency_id,route_short_name,route_long_name,route_type\nRed,A,,Red Line,1\n",
    "stops.txt": "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n"
    "0713,Platform,42.35,-71.06,0,place-x\nplace-x,Station,42.35,-71.06,1,\n",
    "trips.txt": "route_id,service_id,trip_id,direction_id\nRed,WKD,0550,0\n",
    "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
    "0550,25:10:00,25:10:30,0713,1\n",
    "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
    "start_date,end_date\n"
    "WKD,1,1,1,1,1,0,0,20230417,20230701\n",
    "feed_info.txt": "feed_publisher_name,feed_publisher_url,feed_lang,feed_start_date,feed_end_date,"
    "feed_version\n"
    "Agency,https://a.example,en,20230417,20230701,v1 2023-04-24T21:42:57+00:00\n",
}


def feed_files(**changes: str | None) -> dict[str, bytes]:
    """MINIMAL_FEED with files replaced (``routes="..."``) or removed (``routes=None``)."""
    files = {name.removesuffix(".txt"): text for name, text in MINIMAL_FEED.items()} | changes
    return {f"{name}.txt": text.encode() for name, text in files.items() if text is not None}


def as_zip(files: dict[str, bytes], folder: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(f"{folder}{name}", content)
    return buffer.getvalue()


def as_directory(files: dict[str, bytes], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (directory / name).write_bytes(content)
    return directory


def csv_record_count(content: bytes) -> int:
    """Data records by the standard library's CSV reader: an oracle independent of pyarrow."""
    text = content.decode("utf-8-sig")
    return sum(1 for record in csv.reader(io.StringIO(text)) if record) - 1


# --- the real feeds ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mbta_static_dir(mbta_day: Path) -> Path:
    return mbta_day / "static" / "MBTA_GTFS"


def test_mbta_directory_lands_every_file_with_exact_row_counts(mbta_static_dir: Path) -> None:
    feed = read_static_feed(mbta_static_dir)

    for path in mbta_static_dir.glob("*.txt"):
        assert feed.tables[path.stem].num_rows == csv_record_count(path.read_bytes()), path.name
    assert feed.tables["trips"].num_rows == 70_826
    assert feed.files == sorted(path.name for path in mbta_static_dir.glob("*.txt"))


def test_mbta_version_keys_follow_rules_0_3_and_3_2(mbta_static_dir: Path) -> None:
    feed = read_static_feed(mbta_static_dir)

    assert feed.feed_version == MBTA_FEED_VERSION
    assert feed.version_key == 1_682_372_577  # 2023-04-24T21:42:57Z
    assert feed.feed_active_date == "20230424"
    assert feed.feed_key == "20230424T214257Z_spring-2023-version-d"
    assert feed.agency_timezone == "America/New_York"  # no agency.txt: the default


def test_mbta_partial_feed_names_its_missing_files(mbta_static_dir: Path) -> None:
    feed = read_static_feed(mbta_static_dir)

    assert feed.missing_files == ["agency.txt", "stop_times.txt"]
    assert "stop_times" not in feed.tables
    assert any("stop_times.txt" in warning and "3.4" in warning for warning in feed.warnings)


def test_mbta_types_extensions_and_leading_zeros(mbta_static_dir: Path) -> None:
    feed = read_static_feed(mbta_static_dir)
    trips, stops, routes = feed.tables["trips"], feed.tables["stops"], feed.tables["routes"]

    assert routes.schema.field("route_type").type == pa.int64()
    assert routes.filter(pa.compute.equal(routes["route_id"], "Red"))["route_type"].to_pylist() == [1]
    assert trips.schema.field("direction_id").type == pa.int64()
    assert stops.schema.field("stop_lat").type == pa.float64()
    assert "070139" in trips["shape_id"].to_pylist()  # an id with a leading zero stays text
    assert "083" in trips["trip_short_name"].to_pylist()
    # MBTA extension files and columns
    directions = feed.tables["directions"]
    assert directions.column_names == ["route_id", "direction_id", "direction", "direction_destination"]
    assert feed.tables["route_patterns"]["representative_trip_id"].null_count == 0
    assert stops["municipality"].null_count < stops.num_rows
    assert stops["vehicle_type"].type == pa.int64() and stops["vehicle_type"].null_count < stops.num_rows
    assert trips["route_pattern_id"].null_count == 0
    # "" in the source is NULL (route_pattern_time_desc is quoted empty for most patterns)
    assert feed.tables["route_patterns"]["route_pattern_time_desc"].null_count > 0


def test_caltrain_zip_is_a_full_feed_in_its_own_timezone(sample_data: Path) -> None:
    path = sample_data / "other" / "caltrain-2023-11-08" / "caltrain_gtfs.zip"
    feed = read_static_feed(path.read_bytes())

    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            table = feed.tables[name.removesuffix(".txt")]
            assert table.num_rows == csv_record_count(archive.read(name)), name
    assert feed.missing_files == []
    assert feed.agency_timezone == "America/Los_Angeles"
    # feed_version "20230922" has no timestamp: the key falls back to feed_start_date's local midnight
    assert feed.feed_active_date == "20230923"
    assert feed.version_key == 1_695_452_400  # 2023-09-23T00:00:00-07:00
    assert feed.feed_key == "20230923T070000Z_20230922"
    stop_times = feed.tables["stop_times"]
    assert stop_times["arrival_time"][0].as_py() == "5:00:00"
    assert stop_times.schema.field("stop_sequence").type == pa.int64()
    assert feed.tables["shapes"].schema.field("shape_dist_traveled").type == pa.float64()
    # header-only file without a final newline → an empty table with its columns
    assert feed.tables["rider_categories"].num_rows == 0
    assert feed.tables["rider_categories"].column_names == ["rider_category_id", "rider_category_description"]


# --- CSV edge cases -----------------------------------------------------------------------------------


def test_byte_order_mark_is_stripped() -> None:
    feed = read_static_feed(as_zip(feed_files(routes="\ufeff" + MINIMAL_FEED["routes.txt"])))

    assert feed.tables["routes"]["route_id"].to_pylist() == ["Red"]


def test_quoted_fields_keep_commas_newlines_and_quotes() -> None:
    stops = "".join(
        [
            "stop_id,stop_name,stop_desc\n",
            '"1","Park St, Red Line","line one\nline two"\n',
            '"2","Say ""hi""",\n',
        ]
    )
    table = read_static_feed(as_zip(feed_files(stops=stops))).tables["stops"]

    assert table["stop_name"].to_pylist() == ["Park St, Red Line", 'Say "hi"']
    assert table["stop_desc"].to_pylist() == ["line one\nline two", None]


def test_columns_are_mapped_by_name_with_extra_columns_kept_as_text() -> None:
    routes = " route_type , my_extra ,route_id,route_long_name\n3,007,Bus-1,One\n"
    table = read_static_feed(as_zip(feed_files(routes=routes))).tables["routes"]

    assert table["route_type"].to_pylist() == [3]
    assert table["route_id"].to_pylist() == ["Bus-1"]
    assert table.column_names[-1] == "my_extra"  # after the known columns
    assert table["my_extra"].to_pylist() == ["007"]
    assert table["route_color"].to_pylist() == [None]  # a known column the file lacks is NULL


def test_blank_lines_before_the_header_and_between_rows_are_ignored() -> None:
    trips = "\n\r\nroute_id,service_id,trip_id\nRed,WKD,1\n\nRed,WKD,2\n"
    feed = read_static_feed(as_zip(feed_files(trips=trips)))

    assert feed.tables["trips"]["trip_id"].to_pylist() == ["1", "2"]
    assert feed.warnings == []


def test_crlf_line_endings() -> None:
    files = {name: content.replace(b"\n", b"\r\n") for name, content in feed_files().items()}
    feed = read_static_feed(as_zip(files))

    assert feed.tables["trips"].to_pylist()[0]["trip_id"] == "0550"
    assert feed.tables["routes"]["route_type"].to_pylist() == [1]
    assert feed.tables["calendar"]["end_date"].to_pylist() == ["20230701"]


def test_ids_dates_and_times_stay_text_and_empty_strings_are_null() -> None:
    feed = read_static_feed(as_zip(feed_files()))
    stop_times, stops = feed.tables["stop_times"], feed.tables["stops"]

    assert stop_times["trip_id"].to_pylist() == ["0550"]
    assert stop_times["stop_id"].to_pylist() == ["0713"]
    assert stop_times["arrival_time"].to_pylist() == ["25:10:00"]
    assert stop_times["stop_sequence"].to_pylist() == [1]
    assert stops["parent_station"].to_pylist() == ["place-x", None]
    assert stops["location_type"].to_pylist() == [0, 1]


def test_na_and_null_words_are_values_not_nulls() -> None:
    stops = "stop_id,stop_name\nNA,NULL\n"
    table = read_static_feed(as_zip(feed_files(stops=stops))).tables["stops"]

    assert table.select(["stop_id", "stop_name"]).to_pylist() == [{"stop_id": "NA", "stop_name": "NULL"}]


def test_value_that_is_not_a_number_becomes_null_with_a_warning() -> None:
    routes = "route_id,route_type,route_sort_order\nA,x,1\nB, 2 ,\nC,3,1.5\n"
    feed = read_static_feed(as_zip(feed_files(routes=routes)))

    assert feed.tables["routes"]["route_type"].to_pylist() == [None, 2, 3]
    assert feed.tables["routes"]["route_sort_order"].to_pylist() == [1, None, None]
    expected = "routes.txt: column route_type: 1 value(s) not a valid integer landed as NULL (e.g. 'x')"
    assert expected in feed.warnings
    assert any("routes.txt: column route_sort_order: 1 value(s)" in warning for warning in feed.warnings)


def test_bad_coordinate_becomes_null_with_a_warning() -> None:
    stops = "stop_id,stop_lat,stop_lon\n1,42.5,-71\n2,north,1e1\n3, 42 ,nan\n"
    feed = read_static_feed(as_zip(feed_files(stops=stops)))

    assert feed.tables["stops"]["stop_lat"].to_pylist() == [42.5, None, 42.0]
    assert feed.tables["stops"]["stop_lon"].to_pylist() == [-71.0, 10.0, None]
    assert any("stops.txt: column stop_lat: 1 value(s) not a valid number" in w for w in feed.warnings)
    assert any("stops.txt: column stop_lon: 1 value(s) not a valid number" in w for w in feed.warnings)


def test_rows_with_a_wrong_field_count_are_skipped_with_a_warning() -> None:
    trips = "route_id,service_id,trip_id\nRed,WKD,1\nRed,WKD\nRed,WKD,3,surplus\nRed,WKD,4\n"
    feed = read_static_feed(as_zip(feed_files(trips=trips)))

    assert feed.tables["trips"]["trip_id"].to_pylist() == ["1", "4"]
    assert any("trips.txt: 2 row(s) skipped" in warning for warning in feed.warnings)


def test_duplicate_and_blank_header_names_do_not_collide() -> None:
    stops = "stop_id,stop_name,stop_name,\n1,A,B,C\n"
    feed = read_static_feed(as_zip(feed_files(stops=stops)))
    table = feed.tables["stops"]

    assert table["stop_name"].to_pylist() == ["A"]
    assert "stop_name__3" not in table.column_names  # the later duplicate is dropped, with a warning
    assert table["column_4"].to_pylist() == ["C"]
    assert len(feed.warnings) == 2


def test_windows_1252_text_is_decoded_with_a_warning() -> None:
    files = feed_files() | {"stops.txt": "stop_id,stop_name\n1,Caf\xe9\n".encode("cp1252")}
    feed = read_static_feed(as_zip(files))

    assert feed.tables["stops"]["stop_name"].to_pylist() == ["Café"]
    assert any("stops.txt: not valid UTF-8" in warning for warning in feed.warnings)


@pytest.mark.parametrize("content", ["", "\ufeff", "\n", "route_id,direction_id,direction\n"])
def test_empty_optional_file_is_an_empty_table_with_known_columns(content: str) -> None:
    table = read_static_feed(as_zip(feed_files(directions=content))).tables["directions"]

    assert table.num_rows == 0
    assert table.schema.field("direction_id").type == pa.int64()
    assert {"route_id", "direction_id", "direction", "direction_destination"} <= set(table.column_names)


# A quote never closed swallows the rest of the file (here 80 KB) into one value.
UNCLOSED_QUOTE = 'stop_id,stop_name\n1,"never closed\n' + "2,b\n" * 20_000


def test_broken_gtfs_file_rejects_the_feed() -> None:
    with pytest.raises(RejectedInput) as rejected:
        read_static_feed(as_zip(feed_files(stops=UNCLOSED_QUOTE)))

    assert rejected.value.reason_code == "static_malformed_csv"
    assert "stops.txt" in rejected.value.message


def test_stray_text_files_do_not_cost_the_feed() -> None:
    extras = {
        "readme.txt": UNCLOSED_QUOTE.encode(),  # not CSV
        "notes (copy).txt": b"a,b\n1,2\n",  # a name that cannot be a lake table
        "feed_versions.txt": b"a\n1\n",  # our own table's name
        "checkpoints.txt": b"checkpoint_id,checkpoint_name\nalfcl,Alewife\n",  # an agency extension
    }
    feed = read_static_feed(as_zip(feed_files() | extras))

    assert feed.tables["checkpoints"].to_pylist() == [
        {"checkpoint_id": "alfcl", "checkpoint_name": "Alewife"}
    ]
    assert not {"readme", "notes (copy)"} & set(feed.tables)
    assert feed.tables["feed_versions"].schema.equals(FEED_VERSIONS_SCHEMA)
    skipped = sorted(warning.split(" skipped")[0] for warning in feed.warnings if " skipped" in warning)
    assert skipped == ["feed_versions.txt", "notes (copy).txt", "readme.txt"]
    assert "checkpoints.txt" in feed.files and "readme.txt" not in feed.files


def test_zip_file_path_reads_like_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "gtfs.zip"
    path.write_bytes(as_zip(feed_files()))

    assert read_static_feed(path).content_sha256 == read_static_feed(path.read_bytes()).content_sha256


# --- feed-level rules ---------------------------------------------------------------------------------


def test_feed_without_routes_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(RejectedInput) as from_zip:
        read_static_feed(as_zip(feed_files(routes=None)))
    with pytest.raises(RejectedInput) as from_directory:
        read_static_feed(as_directory(feed_files(routes=None), tmp_path / "feed"))

    assert from_zip.value.reason_code == from_directory.value.reason_code == "static_missing_routes"
    assert "routes.txt" in from_zip.value.message


def test_missing_standard_files_are_named_in_a_warning() -> None:
    feed = read_static_feed(as_zip(feed_files(stop_times=None, stops=None, calendar=None)))

    assert feed.missing_files == ["stops.txt", "stop_times.txt", "calendar.txt", "calendar_dates.txt"]
    (warning,) = (w for w in feed.warnings if "missing" in w)
    assert "stops.txt, stop_times.txt, calendar.txt, calendar_dates.txt" in warning
    assert feed.tables["feed_versions"]["missing_files"].to_pylist() == [feed.missing_files]


def test_calendar_dates_alone_is_enough() -> None:
    dates = "service_id,date,exception_type\nWKD,20230508,1\n"
    feed = read_static_feed(as_zip(feed_files(calendar=None, calendar_dates=dates)))

    assert feed.missing_files == []


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: data[:4] + b"\0" * 40, id="garbage-after-magic"),
        # inside agency.txt's compressed bytes: the listing is intact, the content is not
        pytest.param(lambda data: data[:60] + bytes(b ^ 0xFF for b in data[60:90]) + data[90:], id="data"),
    ],
)
def test_corrupt_zip_is_rejected(damage: Callable[[bytes], bytes]) -> None:
    corrupt = damage(as_zip(feed_files()))

    assert is_static_gtfs_zip(corrupt)  # detected as a (damaged) feed, so it gets the precise reason
    with pytest.raises(RejectedInput) as rejected:
        read_static_feed(corrupt)
    assert rejected.value.reason_code == "corrupt_zip"


def test_feed_inside_one_folder_or_a_nested_zip() -> None:
    in_folder_files = {f"google_transit/{name}": content for name, content in feed_files().items()}
    in_folder = as_zip(in_folder_files | {"readme.txt": b"about this feed"})  # the readme is no feed
    nested = as_zip({"google_transit.zip": as_zip(feed_files()), "README.md": b"hello"})
    direct = read_static_feed(as_zip(feed_files()))

    for data in (in_folder, nested):
        assert is_static_gtfs_zip(data)
        feed = read_static_feed(data)
        assert feed.feed_key == direct.feed_key
        assert feed.tables["trips"].equals(direct.tables["trips"])


def test_zip_with_two_feeds_in_two_folders_is_rejected() -> None:
    data = as_zip(feed_files(), folder="a/")
    two = as_zip({f"{folder}/{name}": data for folder in "ab" for name, data in feed_files().items()})

    assert read_static_feed(data).tables["routes"].num_rows == 1
    with pytest.raises(RejectedInput) as rejected:
        read_static_feed(two)
    assert rejected.value.reason_code == "static_ambiguous_zip"


def test_feed_without_feed_info_gets_a_content_hash_key(tmp_path: Path) -> None:
    files = feed_files(feed_info=None)
    from_zip = read_static_feed(as_zip(files))
    from_directory = read_static_feed(as_directory(files, tmp_path / "feed"))
    more_trips = MINIMAL_FEED["trips.txt"] + "Red,WKD,2,1\n"
    changed = read_static_feed(as_zip(feed_files(feed_info=None, trips=more_trips)))

    assert from_zip.feed_key == f"content-{from_zip.content_sha256[:20]}"
    assert from_zip.feed_key == from_directory.feed_key  # same content → same key, zipped or not
    assert from_zip.content_sha256 == static_feed_content_sha256(tmp_path / "feed")
    assert changed.feed_key != from_zip.feed_key
    # no feed_info: version_key falls back to the earliest calendar date's local midnight
    assert from_zip.version_key == 1_681_704_000  # 2023-04-17T00:00:00-04:00
    assert from_zip.feed_active_date is None


def test_same_version_gives_the_same_key_across_packagings(tmp_path: Path) -> None:
    one = read_static_feed(as_zip(feed_files()))
    again = read_static_feed(as_zip(dict(reversed(feed_files().items()))))
    unpacked = read_static_feed(as_directory(feed_files(), tmp_path / "feed"))

    assert one.feed_key == again.feed_key == unpacked.feed_key
    assert one.content_sha256 == again.content_sha256 == unpacked.content_sha256
    assert PATH_SAFE_KEY.match(one.feed_key)


def test_feed_active_date_uses_the_agency_timezone() -> None:
    # 02:30 UTC on 25 April is still the 24th in Boston, already the 25th in Tokyo.
    feed_info = "feed_start_date,feed_end_date,feed_version\n20230417,20230701,v 2023-04-25T02:30:00Z\n"
    agency = MINIMAL_FEED["agency.txt"].replace("America/New_York", "Asia/Tokyo")
    without_agency = as_zip(feed_files(feed_info=feed_info, agency=None))
    boston = read_static_feed(without_agency)
    chosen = read_static_feed(without_agency, default_timezone="Asia/Tokyo")
    tokyo = read_static_feed(as_zip(feed_files(feed_info=feed_info, agency=agency)))

    assert boston.feed_active_date == "20230424"
    assert tokyo.feed_active_date == chosen.feed_active_date == "20230425"
    assert boston.version_key == tokyo.version_key == 1_682_389_800
    assert tokyo.agency_timezone == "Asia/Tokyo"


def test_unknown_agency_timezone_falls_back_to_the_default_with_a_warning() -> None:
    agency = MINIMAL_FEED["agency.txt"].replace("America/New_York", "Mars/Olympus")
    feed = read_static_feed(as_zip(feed_files(agency=agency)))

    assert feed.agency_timezone == "America/New_York"
    assert any("Mars/Olympus" in warning for warning in feed.warnings)


def test_feed_version_without_timestamp_uses_feed_start_date() -> None:
    feed_info = "feed_start_date,feed_end_date,feed_version\n20230417,20230701,Spring/2023 (B)\n"
    feed = read_static_feed(as_zip(feed_files(feed_info=feed_info)))

    assert feed.version_key == 1_681_704_000  # 2023-04-17 local midnight, America/New_York
    assert feed.feed_active_date == "20230417"
    assert feed.feed_key == "20230417T040000Z_spring-2023-b"
    assert feed.tables["feed_versions"]["version_key_source"].to_pylist() == ["feed_start_date"]


def test_feed_versions_row() -> None:
    feed = read_static_feed(as_zip(feed_files()))
    table = feed.tables["feed_versions"]

    assert table.schema.equals(FEED_VERSIONS_SCHEMA)
    (row,) = table.to_pylist()
    assert row == {
        "feed_key": feed.feed_key,
        "version_key": 1_682_372_577,
        "version_key_source": "feed_version_timestamp",
        "feed_version": "v1 2023-04-24T21:42:57+00:00",
        "feed_publisher_name": "Agency",
        "feed_start_date": "20230417",
        "feed_end_date": "20230701",
        "feed_active_date": "20230424",
        "agency_timezone": "America/New_York",
        "content_sha256": feed.content_sha256,
        "files": sorted(MINIMAL_FEED),
        "missing_files": [],
    }
    assert feed.feed_key == "20230424T214257Z_v1"


# --- detection --------------------------------------------------------------------------------------


def test_zip_detection() -> None:
    assert is_static_gtfs_zip(as_zip(feed_files()))
    assert is_static_gtfs_zip(as_zip({"stops.txt": b"stop_id\n1\n"}))  # a feed, if a poor one
    assert not is_static_gtfs_zip(as_zip({"notes.txt": b"hello", "data.csv": b"a,b\n"}))
    assert not is_static_gtfs_zip(b"\x1f\x8b\x08\x00")  # gzip
    assert not is_static_gtfs_zip(b"")


def test_directory_detection(tmp_path: Path, mbta_static_dir: Path) -> None:
    assert is_static_gtfs_directory(mbta_static_dir)
    assert is_static_gtfs_directory(as_directory({"agency.txt": b"agency_id\n"}, tmp_path / "feed"))
    assert not is_static_gtfs_directory(as_directory({"readme.txt": b"hello"}, tmp_path / "other"))
    assert not is_static_gtfs_directory(tmp_path / "absent")


def test_zip_that_unpacks_past_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(container, "MAX_UNCOMPRESSED_BYTES", 100)  # the real limit is 384 MiB

    with pytest.raises(RejectedInput) as rejected:
        read_static_feed(as_zip(feed_files()))
    assert rejected.value.reason_code == "static_too_large"
