"""`lamp export`: LAMP's public daily files (rule 12) and their index.csv."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from lamp_cli_helpers import LampRun, Workspace, run_lamp

from extract.export import (
    SUBWAY_PERFORMANCE_SCHEMA,
    daily_file_name,
    in_public_order,
    index_rows,
    parse_service_date,
    write_daily_file,
)

# Rule 12.3, spelled out independently of the code: name, type, in order.
RULE_12_3 = [
    ("stop_sequence", "int16"), ("stop_id", "string"), ("parent_station", "string"),
    ("move_timestamp", "int64"), ("stop_timestamp", "int64"), ("travel_time_seconds", "int64"),
    ("dwell_time_seconds", "int64"), ("headway_trunk_seconds", "int64"), ("headway_branch_seconds", "int64"),
    ("service_date", "int64"), ("route_id", "string"), ("direction_id", "bool"), ("start_time", "int64"),
    ("vehicle_id", "string"), ("branch_route_id", "string"), ("trunk_route_id", "string"),
    ("stop_count", "int16"), ("trip_id", "string"), ("vehicle_label", "string"),
    ("vehicle_consist", "string"), ("direction", "string"), ("direction_destination", "string"),
    ("scheduled_arrival_time", "int64"), ("scheduled_departure_time", "int64"),
    ("scheduled_travel_time", "int64"), ("scheduled_headway_branch", "int64"),
    ("scheduled_headway_trunk", "int64"),
]  # fmt: skip


def test_the_public_schema_is_rule_12_3() -> None:
    assert [(field.name, str(field.type)) for field in SUBWAY_PERFORMANCE_SCHEMA] == RULE_12_3


def test_file_names_follow_lamp() -> None:
    assert daily_file_name(dt.date(2023, 5, 8)) == "2023-05-08-subway-on-time-performance-v1.parquet"
    assert parse_service_date("20230508") == parse_service_date("2023-05-08") == dt.date(2023, 5, 8)


def rows(**columns: list[object]) -> pa.Table:
    length = len(next(iter(columns.values())))
    arrays = [
        pa.array(columns.get(field.name, [None] * length), type=field.type)
        for field in SUBWAY_PERFORMANCE_SCHEMA
    ]
    return pa.Table.from_arrays(arrays, schema=SUBWAY_PERFORMANCE_SCHEMA)


def test_rows_are_in_the_order_of_rule_12_4() -> None:
    table = rows(
        move_timestamp=[None, 200, 100, 100, None],
        stop_timestamp=[150, 260, 160, 160, None],  # the last: no time at all → last (NULLs sort last)
        route_id=["Red", "Red", "Red", "Blue", "Red"],
        trip_id=["t3", "t1", "t2", "t9", "t0"],
        parent_station=["p", "p", "p", "p", "p"],
    )
    ordered = in_public_order(table)
    # first-seen times: 150, 200, 100, 100, NULL → 100 (Blue before Red: byte order), 100, 150, 200, NULL
    assert ordered["trip_id"].to_pylist() == ["t9", "t2", "t3", "t1", "t0"]


def test_a_table_without_the_public_schema_is_refused(tmp_path: Path) -> None:
    wrong = rows(route_id=["Red"]).drop_columns(["vehicle_consist"])
    with pytest.raises(ValueError, match=r"rule 12\.3"):
        write_daily_file(wrong, dt.date(2023, 5, 8), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_index_lists_only_daily_files(tmp_path: Path) -> None:
    write_daily_file(rows(route_id=["Red"]), dt.date(2023, 5, 9), tmp_path)
    write_daily_file(rows(route_id=["Red", "Blue"]), dt.date(2023, 5, 8), tmp_path)
    (tmp_path / "notes.txt").write_text("not a daily file")
    listed = index_rows(tmp_path)
    assert [row["service_date"] for row in listed] == ["2023-05-08", "2023-05-09"]
    assert listed[0]["file_url"].endswith("/2023-05-08-subway-on-time-performance-v1.parquet")
    assert int(listed[0]["size_bytes"]) == (tmp_path / daily_file_name(dt.date(2023, 5, 8))).stat().st_size


@pytest.mark.slow
def test_lamp_export_writes_the_day_of_the_sample(
    sample_run: tuple[Workspace, LampRun], tmp_path: Path
) -> None:
    workspace, _ = sample_run
    out = tmp_path / "exports"
    result = run_lamp(["export", "--date", "2023-05-08", "--out", str(out)], workspace.environment())
    assert result.returncode == 0, result.stdout + result.stderr
    written = pq.read_table(out / "2023-05-08-subway-on-time-performance-v1.parquet")
    assert [(field.name, str(field.type)) for field in written.schema] == RULE_12_3
    with duckdb.connect(str(workspace.duckdb_path), read_only=True) as con:
        expected = con.execute(
            "select count(*) from marts.subway_performance where service_date = 20230508"
        ).fetchone()
    assert expected is not None and written.num_rows == expected[0] > 1000
    assert set(written["trunk_route_id"].to_pylist()) == {"Blue", "Green", "Mattapan", "Orange", "Red"}
    first_seen = [
        m if m is not None else s
        for m, s in zip(
            written["move_timestamp"].to_pylist(), written["stop_timestamp"].to_pylist(), strict=True
        )
    ]
    assert first_seen == sorted(first_seen)  # rule 12.4
    with open(out / "index.csv", newline="") as handle:
        index = list(csv.DictReader(handle))
    assert [row["service_date"] for row in index] == ["2023-05-08"]

    nothing = run_lamp(["export", "--date", "2023-05-09", "--out", str(out)], workspace.environment())
    assert nothing.returncode == 1
    assert "No rows in marts.subway_performance for: 2023-05-09" in nothing.stdout
