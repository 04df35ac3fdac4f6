"""Static GTFS reader hardening: header names, reserved columns, size caps, odd versions, required columns,
duplicate zip members and Windows-1252 text. Every feed is built here, in memory or in tmp_path."""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from extract.errors import RejectedInput
from extract.pipeline import extract
from extract.static_gtfs import container, read_static_feed
from extract.static_gtfs.columns import RESERVED_COLUMNS
from extract.static_gtfs.version import _utc_stamp
from extract.warehouse import WarehouseTarget, load
from extract.warehouse.raw_tables import BATCH_COLUMN, FEED_KEY_COLUMN

ROUTES = "route_id,agency_id,route_long_name,route_type\nRed,A,Red Line,1\n"
FEED: dict[str, str] = {
    "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\n"
    "A,Agency,https://a.example,America/New_York\n",
    "routes.txt": ROUTES,
    "stops.txt": "stop_id,stop_name\n0713,Platform\n",
    "trips.txt": "route_id,service_id,trip_id\nRed,WKD,0550\n",
    "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
    "0550,25:10:00,25:10:30,0713,1\n",
    "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
    "start_date,end_date\n"
    "WKD,1,1,1,1,1,0,0,20230417,20230701\n",
    "feed_info.txt": "feed_publisher_name,feed_publisher_url,feed_lang,feed_start_date,feed_end_date,"
    "feed_version\n"
    "Agency,https://a.example,en,20230417,20230701,v1 2023-04-24T21:42:57+00:00\n",
}


def files(**changes: str | bytes | None) -> dict[str, bytes]:
    """FEED with files replaced (``routes="..."``, text or bytes) or removed (``routes=None``)."""
    merged: dict[str, str | bytes | None] = {name.removesuffix(".txt"): text for name, text in FEED.items()}
    merged |= changes
    return {
        f"{name}.txt": content if isinstance(content, bytes) else content.encode()
        for name, content in merged.items()
        if content is not None
    }


def as_zip(members: list[tuple[str, bytes]] | dict[str, bytes]) -> bytes:
    """A zip of (name, content) pairs; a list may name one member twice."""
    pairs = list(members.items()) if isinstance(members, dict) else members
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns about a duplicate name: intended
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in pairs:
                archive.writestr(name, content)
    return buffer.getvalue()


def as_directory(members: dict[str, bytes], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in members.items():
        (directory / name).write_bytes(content)
    return directory


def rejection(source: Path | bytes) -> RejectedInput:
    with pytest.raises(RejectedInput) as rejected:
        read_static_feed(source)
    return rejected.value


def assert_unique_case_insensitively(tables: dict[str, pa.Table]) -> None:
    for name, table in tables.items():
        columns = [column.lower() for column in table.column_names]
        assert len(columns) == len(set(columns)), (name, columns)


# --- 1. header names are matched case-insensitively ---------------------------------------------------


def test_capitalised_headers_map_to_the_standard_columns_with_a_warning() -> None:
    routes = "Route_ID,Agency_ID,Route_Long_Name,Route_Type\nRed,A,Red Line,1\n"
    feed = read_static_feed(as_zip(files(routes=routes)))
    table = feed.tables["routes"]

    assert table["route_id"].to_pylist() == ["Red"]
    assert table["route_type"].to_pylist() == [1]
    assert table["route_long_name"].to_pylist() == ["Red Line"]
    assert all(name == name.lower() for name in table.column_names)
    (warning,) = (w for w in feed.warnings if "case-insensitively" in w)
    assert warning.startswith("routes.txt:") and "'Route_ID' as 'route_id'" in warning


def test_extra_columns_land_in_lower_case_and_names_are_trimmed_of_space_and_bom() -> None:
    routes = "route_type, \ufeffROUTE_ID ,My_Extra\n1,Red,x\n"
    feed = read_static_feed(as_zip(files(routes=routes)))
    table = feed.tables["routes"]

    assert table["route_id"].to_pylist() == ["Red"]
    assert table.column_names[-1] == "my_extra" and table["my_extra"].to_pylist() == ["x"]


def test_headers_equal_after_normalisation_keep_the_first_and_name_the_dropped_one() -> None:
    routes = "route_id,Route_Id,route_type,ROUTE_TYPE,x,X\nRed,Blue,1,2,a,b\n"
    feed = read_static_feed(as_zip(files(routes=routes)))
    table = feed.tables["routes"]

    assert table["route_id"].to_pylist() == ["Red"]
    assert table["route_type"].to_pylist() == [1]
    assert table["x"].to_pylist() == ["a"]
    dropped = [w for w in feed.warnings if "duplicate column" in w]
    assert len(dropped) == 3
    assert "routes.txt: duplicate column 'Route_Id' (column 2) dropped" in dropped[0]
    assert_unique_case_insensitively(feed.tables)


def test_two_versions_whose_extra_columns_differ_in_case_land_the_same_column() -> None:
    one = read_static_feed(as_zip(files(routes="route_id,route_type,Line_Color\nRed,1,red\n")))
    two = read_static_feed(as_zip(files(routes="route_id,route_type,LINE_COLOR\nRed,1,red\n")))

    assert one.tables["routes"].column_names == two.tables["routes"].column_names
    assert one.tables["routes"].column_names[-1] == "line_color"


# --- 2. columns the lake adds are never file columns ----------------------------------------------------


def test_reserved_names_cover_the_columns_the_loader_adds() -> None:
    assert {BATCH_COLUMN, FEED_KEY_COLUMN} <= RESERVED_COLUMNS


def test_an_extra_column_named_like_a_lake_column_is_renamed_with_a_warning() -> None:
    routes = "route_id,route_type,lake_batch_id,Feed_Key,extra_other\nRed,1,b-1,k-1,o\n"
    feed = read_static_feed(as_zip(files(routes=routes)))
    table = feed.tables["routes"]

    assert not RESERVED_COLUMNS & set(table.column_names)
    assert table["extra_lake_batch_id"].to_pylist() == ["b-1"]
    assert table["extra_feed_key"].to_pylist() == ["k-1"]
    renamed = [w for w in feed.warnings if "the lake adds" in w]
    assert renamed == [
        "routes.txt: column 'lake_batch_id' has a name the lake adds to every static table; "
        "landed as 'extra_lake_batch_id'",
        "routes.txt: column 'Feed_Key' has a name the lake adds to every static table; "
        "landed as 'extra_feed_key'",
    ]


def test_a_renamed_reserved_column_that_meets_a_real_one_is_dropped() -> None:
    routes = "route_id,route_type,extra_feed_key,feed_key\nRed,1,first,second\n"
    feed = read_static_feed(as_zip(files(routes=routes)))

    assert feed.tables["routes"]["extra_feed_key"].to_pylist() == ["first"]
    assert any("duplicate column 'feed_key' (column 4) dropped" in w for w in feed.warnings)


# --- 1 and 2 end to end: land, then load into DuckDB ---------------------------------------------------


def land_and_load(tmp_path: Path, feeds: dict[str, bytes]) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, data in feeds.items():
        (inbox / name).write_bytes(data)
    report = extract(str(inbox), str(tmp_path / "lake"))
    assert report.rejected == 0, report.rejected_by_reason()
    assert len(report.static_feed_keys) == len(feeds)
    warehouse = tmp_path / "warehouse.duckdb"
    load(str(tmp_path / "lake"), WarehouseTarget.duckdb(warehouse))
    load(str(tmp_path / "lake"), WarehouseTarget.duckdb(warehouse))  # a second load still works
    return warehouse


def feed_info(version: str) -> str:
    return (
        f"feed_publisher_name,feed_publisher_url,feed_lang,feed_version\nA,https://a.example,en,{version}\n"
    )


def test_capitalised_and_case_colliding_headers_land_and_load(tmp_path: Path) -> None:
    first = files(
        routes="Route_ID,Agency_ID,Route_Long_Name,Route_Type,Line_Color\nRed,A,Red Line,1,red\n",
        feed_info=feed_info("v1 2023-04-24T21:42:57+00:00"),
    )
    second = files(
        routes="route_id,Route_Id,route_type,LINE_COLOR\nBlue,Ghost,1,blue\n",
        feed_info=feed_info("v2 2023-05-01T00:00:00+00:00"),
    )
    warehouse = land_and_load(tmp_path, {"one.zip": as_zip(first), "two.zip": as_zip(second)})

    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            "SELECT route_id, route_type, line_color FROM raw.gtfs_static__routes ORDER BY route_id"
        ).fetchall()
    assert rows == [("Blue", 1, "blue"), ("Red", 1, "red")]


def test_columns_named_like_lake_columns_land_and_load(tmp_path: Path) -> None:
    routes = "route_id,route_type,lake_batch_id,FEED_KEY\nRed,1,not-a-batch,not-a-key\n"
    warehouse = land_and_load(tmp_path, {"feed.zip": as_zip(files(routes=routes))})

    with duckdb.connect(str(warehouse), read_only=True) as connection:
        row = connection.execute(
            "SELECT route_id, feed_key, lake_batch_id, extra_lake_batch_id, extra_feed_key "
            "FROM raw.gtfs_static__routes"
        ).fetchone()
        (landed_key,) = connection.execute("SELECT feed_key FROM raw.gtfs_static__feed_versions").fetchone()
    assert row is not None
    route_id, feed_key, batch_id, extra_batch_id, extra_key = row
    assert route_id == "Red"
    assert feed_key == landed_key == "20230424T214257Z_v1"  # the partition's key, not the file's value
    assert batch_id != "not-a-batch"
    assert (extra_batch_id, extra_key) == ("not-a-batch", "not-a-key")


# --- 3. a directory has the zip's size cap ---------------------------------------------------------------


def test_directory_over_the_size_limit_is_refused_like_the_zip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    members = files()
    limit = sum(len(content) for content in members.values()) - 1
    monkeypatch.setattr(container, "MAX_UNCOMPRESSED_BYTES", limit)

    from_directory = rejection(as_directory(members, tmp_path / "feed"))
    from_zip = rejection(as_zip(members))

    assert from_directory.reason_code == from_zip.reason_code == "static_too_large"
    assert f"over the limit of {limit:,} bytes" in from_directory.message


def test_directory_at_the_size_limit_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    members = files() | {"readme.txt": b"not counted? it is: every .txt file is read\n"}
    monkeypatch.setattr(container, "MAX_UNCOMPRESSED_BYTES", sum(len(c) for c in members.values()))

    assert read_static_feed(as_directory(members, tmp_path / "feed")).tables["routes"].num_rows == 1


def test_a_file_holding_more_than_its_size_says_is_cut_off_at_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proc_file = Path("/proc/self/status")  # a regular file whose reported size is 0
    if not proc_file.is_file() or proc_file.stat().st_size != 0:
        pytest.skip("needs Linux /proc")
    directory = as_directory(files(), tmp_path / "feed")
    (directory / "status.txt").symlink_to(proc_file)
    monkeypatch.setattr(container, "MAX_UNCOMPRESSED_BYTES", sum(len(c) for c in files().values()) + 10)

    assert rejection(directory).reason_code == "static_too_large"


def test_pipeline_rejects_an_oversized_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox = tmp_path / "inbox"
    as_directory(files(), inbox / "feed")
    monkeypatch.setattr(container, "MAX_UNCOMPRESSED_BYTES", 100)

    report = extract(str(inbox), str(tmp_path / "lake"))

    assert report.rejected_by_reason() == {"static_too_large": 1}


# --- 4. odd feed_version times and feed dates ----------------------------------------------------------


@pytest.mark.parametrize(
    "feed_version", ["v 0001-01-01T00:00:00+01:00", "v 9999-12-31T23:00:00-05:00", "v 1899-12-31T12:00:00Z"]
)
def test_a_feed_version_time_out_of_range_falls_back_to_feed_start_date(feed_version: str) -> None:
    info = f"feed_start_date,feed_end_date,feed_version\n20230417,20230701,{feed_version}\n"
    feed = read_static_feed(as_zip(files(feed_info=info)))

    assert feed.feed_active_date == "20230417"  # rule 3.2: no usable timestamp → feed_start_date
    assert feed.version_key == 1_681_704_000  # 2023-04-17 local midnight
    assert feed.feed_key == "20230417T040000Z_v"
    assert feed.tables["feed_versions"]["version_key_source"].to_pylist() == ["feed_start_date"]
    assert any("feed_version timestamp" in w and "outside the years 1900–2199" in w for w in feed.warnings)


def test_a_feed_version_time_that_is_not_a_time_warns() -> None:
    info = "feed_start_date,feed_version\n20230417,v 2023-02-30T00:00:00Z\n"
    feed = read_static_feed(as_zip(files(feed_info=info)))

    assert feed.feed_active_date == "20230417"
    assert any("'2023-02-30T00:00:00Z' is not a real time" in w for w in feed.warnings)


def test_a_feed_start_date_before_1900_is_ignored_with_a_warning() -> None:
    info = "feed_start_date,feed_version\n00010101,nots\n"
    feed = read_static_feed(as_zip(files(feed_info=info, calendar=None)))

    assert feed.feed_key == "19700101T000000Z_nots"  # no usable date at all: version_key 0
    assert re.fullmatch(r"\d{8}T\d{6}Z_nots", feed.feed_key)
    assert feed.feed_active_date is None
    assert any("feed_start_date '00010101' is not a date" in w for w in feed.warnings)


def test_a_feed_start_date_before_1900_falls_back_to_the_calendar() -> None:
    feed = read_static_feed(as_zip(files(feed_info="feed_start_date,feed_version\n00010101,v\n")))

    assert feed.version_key == 1_681_704_000  # calendar.txt's start_date 20230417, local midnight
    assert feed.feed_key == "20230417T040000Z_v"


def test_key_stamps_have_a_four_digit_year() -> None:
    assert _utc_stamp(-62_135_596_800) == "00010101T000000Z"  # glibc's %Y would write "10101..."
    assert _utc_stamp(1_682_372_577) == "20230424T214257Z"


# --- 5. required columns and empty files -------------------------------------------------------------


def test_routes_without_route_id_is_rejected() -> None:
    rejected = rejection(as_zip(files(routes="agency_id,route_long_name,route_type\nA,Red Line,1\n")))

    assert rejected.reason_code == "static_missing_required_column"
    assert "routes.txt has no route_id column" in rejected.message


def test_header_only_routes_without_route_id_is_still_rejected_but_an_empty_file_is_not() -> None:
    assert rejection(as_zip(files(routes="route_type\n"))).reason_code == "static_missing_required_column"
    assert "routes.txt has no rows" in read_static_feed(as_zip(files(routes=""))).warnings


@pytest.mark.parametrize(
    ("changes", "file_name", "column"),
    [
        ({"routes": "route_id\nRed\n"}, "routes.txt", "route_type"),
        ({"stops": "stop_name\nPlatform\n"}, "stops.txt", "stop_id"),
        ({"trips": "route_id,service_id\nRed,WKD\n"}, "trips.txt", "trip_id"),
        ({"stop_times": "trip_id,stop_id\n0550,0713\n"}, "stop_times.txt", "stop_sequence"),
        ({"stop_times": "trip_id,stop_sequence\n0550,1\n"}, "stop_times.txt", "stop_id"),
        ({"stop_times": "stop_id,stop_sequence\n0713,1\n"}, "stop_times.txt", "trip_id"),
    ],
)
def test_a_missing_required_column_is_a_warning_naming_file_and_column(
    changes: dict[str, str], file_name: str, column: str
) -> None:
    feed = read_static_feed(as_zip(files(**changes)))

    expected = f"{file_name}: required column {column} is missing; it lands as NULL in every row"
    assert expected in feed.warnings
    assert feed.tables[file_name.removesuffix(".txt")][column].null_count == 1


def test_a_complete_feed_has_no_warnings() -> None:
    assert read_static_feed(as_zip(files())).warnings == []


def test_header_only_stops_gets_the_no_rows_warning() -> None:
    feed = read_static_feed(as_zip(files(stops="stop_id,stop_name\n")))

    assert "stops.txt has no rows" in feed.warnings
    assert feed.tables["stops"].num_rows == 0


# --- 6. one file twice ------------------------------------------------------------------------------------


def test_a_zip_with_routes_twice_is_rejected() -> None:
    members = [*files().items(), ("routes.txt", b"route_id,route_type\nOther,3\n")]
    rejected = rejection(as_zip(members))

    assert rejected.reason_code == "static_ambiguous_zip"
    assert "routes.txt 2 times" in rejected.message


def test_a_zip_with_routes_in_two_spellings_is_rejected() -> None:
    members = [*files().items(), ("Routes.txt", b"route_id,route_type\nOther,3\n")]
    rejected = rejection(as_zip(members))

    assert rejected.reason_code == "static_ambiguous_zip"
    assert "routes.txt 2 times (as Routes.txt, routes.txt)" in rejected.message


def test_a_directory_with_routes_in_two_spellings_is_rejected(tmp_path: Path) -> None:
    directory = as_directory(files(), tmp_path / "feed")
    (directory / "ROUTES.TXT").write_bytes(b"route_id,route_type\nOther,3\n")
    if len(list(directory.iterdir())) == len(files()):
        pytest.skip("case-insensitive file system")

    rejected = rejection(directory)
    assert rejected.reason_code == "static_ambiguous_zip"
    assert "ROUTES.TXT" in rejected.message


# --- 7. Windows-1252 text ------------------------------------------------------------------------------


def test_a_windows_1252_header_alone_is_decoded_with_a_warning() -> None:
    stops = "stop_id,stop_name,d\xe9tail\n1,Park,x\n".encode("cp1252")
    feed = read_static_feed(as_zip(files(stops=stops)))

    assert "stops.txt: not valid UTF-8; decoded as Windows-1252" in feed.warnings
    assert feed.tables["stops"]["détail"].to_pylist() == ["x"]


def test_a_windows_1252_header_and_body_get_one_warning() -> None:
    stops = "stop_id,stop_name,d\xe9tail\n1,Caf\xe9,x\n".encode("cp1252")
    feed = read_static_feed(as_zip(files(stops=stops)))

    assert feed.warnings.count("stops.txt: not valid UTF-8; decoded as Windows-1252") == 1
    assert feed.tables["stops"]["stop_name"].to_pylist() == ["Café"]
