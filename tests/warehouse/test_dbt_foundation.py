"""`dbt build` of the warehouse foundation (staging, static intermediate models, alerts, seeds) over a lake
extracted from the real sample, on DuckDB and on real Postgres. The dbt data tests and unit tests of those
models run as part of the build, so a failing test fails this one.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from warehouse_helpers import query

from extract.lake import committed_data_files
from extract.warehouse import WarehouseTarget, load, run_dbt

FOUNDATION = [
    "staging",
    "intermediate.static",
    "fct_service_alerts",
    "agency_settings",
    "rail_branch_stops",
    "route_trunks",
]
VP_RECORD_COLUMNS = (
    "trip_id, route_id, direction_id, start_time, start_date, trip_schedule_relationship, "
    "trip_route_pattern_id, trip_tm_trip_id, trip_revenue, trip_last_trip, vehicle_id, vehicle_label, "
    "vehicle_license_plate, vehicle_wheelchair_accessible, vehicle_consist_labels, latitude, longitude, "
    "bearing, odometer, speed, current_stop_sequence, stop_id, current_status, vehicle_timestamp, "
    "congestion_level, occupancy_status, occupancy_percentage, multi_carriage_labels"
)


def distinct_vehicle_records_in_lake(lake: Path) -> int:
    """Distinct VP records, computed straight from the lake's parquet files (not through the warehouse)."""
    paths = [data_file.path for data_file in committed_data_files(str(lake), "gtfs_rt/vehicle_positions")]
    with duckdb.connect() as connection:
        row = connection.execute(
            f"SELECT count(*) FROM (SELECT DISTINCT {VP_RECORD_COLUMNS} FROM read_parquet(?))", [paths]
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_dbt_builds_the_foundation_over_the_real_sample(
    target: WarehouseTarget, sample_lake: Path, tmp_path: Path
) -> None:
    load(str(sample_lake), target)

    # cautious: leave out the tests that also read models outside the selection (the realtime marts)
    build = ["build", "--select", *FOUNDATION, "--indirect-selection", "cautious"]
    run_dbt(build, target, work_dir=tmp_path / "dbt")

    # Schemas are used verbatim (generate_schema_name), on both engines.
    assert query(target, "SELECT count(*) FROM marts.fct_service_alerts")[0][0] > 0

    # Rule 3.3: 2023-05-08 is in force of the MBTA Spring 2023 feed; 2023-11-08 of Caltrain's.
    versions = dict(
        query(
            target,
            "SELECT service_date, feed_key FROM intermediate.int_static__version_by_service_date "
            "WHERE service_date IN (20230508, 20231108)",
        )
    )
    assert versions[20230508].startswith("20230424T214257Z")
    assert versions[20231108] != versions[20230508]

    # Rule 3.5 on the real MBTA calendar: the Monday rapid-transit service runs, the Saturday one not.
    services = {
        row[0]
        for row in query(
            target,
            "SELECT service_id FROM intermediate.int_static__active_services "
            "WHERE service_date = 20230508 AND feed_key = ?",
            [versions[20230508]],
        )
    }
    assert "RTL223-1-Wdy-01" in services
    assert not any("Sa" in service.split("-") for service in services)

    # Rules 1.1, 12.1: subway and light rail are public; commuter rail is rail but not public.
    flags = dict(
        ((route, (rail, public)))
        for route, rail, public in query(
            target,
            "SELECT route_id, is_rail, is_public_subway FROM intermediate.int_static__routes "
            "WHERE feed_key = ?",
            [versions[20230508]],
        )
    )
    assert flags["Red"] == (True, True)
    assert flags["Mattapan"] == (True, True)
    assert flags["CR-Fairmount"] == (True, False)
    assert flags["1"] == (False, False)

    # Rule 4.2: a Red Line platform maps to its station.
    [(parent,)] = query(
        target,
        "SELECT parent_station FROM intermediate.int_static__stops WHERE feed_key = ? AND stop_id = '70085'",
        [versions[20230508]],
    )
    assert parent == "place-jfk"

    # Staging drops exact repeats only: as many rows as distinct records in the lake.
    staged = query(target, "SELECT count(*) FROM staging.stg_gtfs_rt__vehicle_positions")[0][0]
    raw = query(target, "SELECT count(*) FROM raw.gtfs_rt__vehicle_positions")[0][0]
    assert staged == distinct_vehicle_records_in_lake(sample_lake) < raw
