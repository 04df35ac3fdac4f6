"""NUL characters in feed text (extract/nul_characters.py): removed in the lake with a warning, so the
Postgres load (which cannot store U+0000) never blocks, and both warehouses hold the same values."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest
from warehouse_helpers import query

from extract.nul_characters import remove_nul_characters
from extract.pipeline import extract
from extract.warehouse import WarehouseTarget, load

HEADER_TIME = 1683547200


def vehicle_feed(entity_id: str, stop_id: str, labels: list[str | None]) -> bytes:
    entity = {
        "id": entity_id,
        "vehicle": {
            "timestamp": HEADER_TIME - 5,
            "current_status": "STOPPED_AT",
            "stop_id": stop_id,
            "current_stop_sequence": 3,
            "trip": {"trip_id": "T1", "route_id": "Red", "direction_id": 0},
            "vehicle": {"id": "R-1", "label": "1800"},
            "consist": [{"label": label} for label in labels],
        },
    }
    header = {"gtfs_realtime_version": "2.0", "incrementality": "FULL_DATASET", "timestamp": HEADER_TIME}
    return json.dumps({"header": header, "entity": [entity]}).encode()


def test_nuls_are_removed_from_flat_and_nested_text_and_the_rows_are_named() -> None:
    translation = pa.struct([("text", pa.string()), ("language", pa.string())])
    table = pa.table(
        {
            "id": ["a\x00b", None, "ok"],
            "number": [1, 2, 3],
            "labels": pa.array([["x\x00"], None, ["y"]]),
            "header_text": pa.array(
                [[{"text": "fine", "language": None}], [{"text": "bad\x00", "language": "en"}], []],
                pa.list_(translation),
            ),
        }
    )
    # a sliced batch: offsets that do not start at zero must still be handled
    table = pa.concat_tables([table, table.slice(1, 2)])

    cleaning = remove_nul_characters(table)

    assert cleaning.cleaned_values == {"id": 1, "labels": 1, "header_text": 2}
    assert cleaning.affected_rows is not None
    assert cleaning.affected_rows.to_pylist() == [True, True, False, True, False]
    rows = cleaning.table.to_pylist()
    assert [row["id"] for row in rows] == ["ab", None, "ok", None, "ok"]
    assert [row["labels"] for row in rows] == [["x"], None, ["y"], None, ["y"]]
    assert rows[1]["header_text"] == [{"text": "bad", "language": "en"}]
    assert cleaning.table.schema == table.schema


def test_a_table_without_nuls_is_returned_unchanged() -> None:
    table = pa.table({"id": ["a", None], "n": [1, 2]})
    cleaning = remove_nul_characters(table)
    assert not cleaning.changed
    assert cleaning.table is table


@pytest.mark.parametrize("engine", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_feed_with_nuls_lands_cleaned_and_every_later_batch_still_loads(
    engine: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "poisoned.json").write_bytes(vehicle_feed("a\x00b", "Ale\x00wife", ["18\x0001", None]))
    lake = str(tmp_path / "lake")

    first = extract(str(inbox), lake)

    assert first.landed == 1 and first.rejected == 0
    assert any("NUL characters removed" in warning and "stop_id" in warning for warning in first.warnings)
    if engine == "duckdb":
        target = WarehouseTarget.duckdb(tmp_path / "warehouse.duckdb")
    else:
        target = WarehouseTarget.postgres_database(request.getfixturevalue("postgres_database"))
    load(lake, target)
    # a later, clean file lands in its own batch and loads behind the cleaned one
    (inbox / "clean.json").write_bytes(vehicle_feed("c", "70061", ["1801"]))
    assert extract(str(inbox), lake).landed == 1
    load(lake, target)

    rows = query(
        target,
        "SELECT entity_id, stop_id FROM raw.gtfs_rt__vehicle_positions ORDER BY entity_id",
    )
    assert rows == [("ab", "Alewife"), ("c", "70061")]
