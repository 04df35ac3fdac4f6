"""Hostile GTFS-Realtime bytes: the C fast path and the pure-Python reference must agree or both reject,
and neither may crash the process (a segfault in extract/realtime/_wire.c would take the run down).

Also pins the value rules on odd inputs: NULL never 0 or '', leading zeros kept, unknown enum numbers kept
as their number, millisecond timestamps corrected and flagged, int64 overflow rejected (never wrapped).
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from extract.errors import RejectedInput
from extract.realtime import decode_realtime

HEADER = {"gtfs_realtime_version": "2.0", "timestamp": 1683547200}


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | 0x80 if value else byte)
        if not value:
            return bytes(out)


def _tag(number: int, wire_type: int) -> bytes:
    return _varint(number << 3 | wire_type)


def _ld(number: int, payload: bytes) -> bytes:
    return _tag(number, 2) + _varint(len(payload)) + payload


def _vi(number: int, value: int) -> bytes:
    return _tag(number, 0) + _varint(value)


_PB_HEADER = _ld(1, _ld(1, b"2.0") + _vi(3, 1683547200))
_TRIP = _ld(1, _ld(1, b"0713") + _ld(5, b"Red"))


def _vp(body: bytes) -> bytes:
    return _PB_HEADER + _ld(2, _ld(1, b"e1") + _ld(4, _TRIP + body))


def _json_vp(vehicle: str) -> bytes:
    return (
        b'{"header":' + orjson.dumps(HEADER) + b',"entity":[{"id":"e1","vehicle":' + vehicle.encode() + b"}]}"
    )


PROTOBUF_CASES = {
    "unknown_fields": _vp(_ld(1000, b"x") + _vi(2000, 5)),
    "wrong_wire_type_for_timestamp": _vp(_ld(5, b"\x01\x02")),
    "wrong_wire_type_for_trip": _PB_HEADER + _ld(2, _ld(1, b"e") + _ld(4, _vi(1, 5))),
    "fixed32_for_varint": _vp(_tag(3, 5) + b"\x01\x00\x00\x00"),
    "group_wire_type": _vp(_tag(50, 3) + _tag(50, 4)),
    "unmatched_end_group": _vp(_tag(50, 4)),
    "wire_type_7": _vp(_tag(3, 7)),
    "field_number_0": _vp(_vi(0, 1)),
    "negative_enum": _vp(_vi(4, -1)),
    "unknown_enum_99": _vp(_vi(4, 99)),
    "enum_beyond_int32": _vp(_vi(4, (1 << 32) + 1)),
    "negative_uint32": _vp(_vi(3, -1)),
    "negative_uint64_timestamp": _vp(_vi(5, -1)),
    "overlong_varint_11_bytes": _vp(_tag(3, 0) + b"\x85" + b"\x80" * 9 + b"\x00"),
    "overlong_varint_10_bytes": _vp(_tag(3, 0) + b"\x85" + b"\x80" * 8 + b"\x00"),
    "overlong_tag": _vp(b"\x98\x80\x80\x00\x05"),
    "length_past_end": _vp(_tag(7, 2) + b"\xff\xff\xff\xff\x0f" + b"abc"),
    "negative_length": _vp(_tag(7, 2) + _varint(-1) + b"abc"),
    "truncated_varint": _vp(b"") + b"\x80",
    "invalid_utf8_stop_id": _vp(_ld(7, b"70\xff61")),
    "nul_in_stop_id": _vp(_ld(7, b"a\x00b")),
    "repeated_singular_message": _vp(_ld(1, _ld(5, b"Blue"))),
    "header_after_entity": _ld(2, _ld(1, b"e") + _ld(4, _TRIP)) + _PB_HEADER,
    "no_version": _ld(1, _vi(3, 1683547200)) + _ld(2, _ld(1, b"e") + _ld(4, _TRIP)),
    "empty_version": _ld(1, _ld(1, b"") + _vi(3, 1683547200)),
    "millisecond_header": _ld(1, _ld(1, b"2.0") + _vi(3, 1683547200123)),
    "nan_and_inf_position": _vp(_ld(2, _tag(1, 5) + b"\x00\x00\xc0\x7f" + _tag(2, 5) + b"\x00\x00\x80\x7f")),
    "deeply_nested_unknown": _vp(_ld(900, _ld(900, _ld(900, _ld(900, b""))))),
    "deep_groups": _vp(_tag(900, 3) * 200 + _tag(900, 4) * 200),
    "many_stop_time_updates": _PB_HEADER + _ld(2, _ld(1, b"e") + _ld(3, _TRIP + _ld(2, _vi(1, 1)) * 3000)),
    "alert_with_unknown_enums": _PB_HEADER + _ld(2, _ld(1, b"a") + _ld(5, _vi(6, 99) + _vi(7, 1 << 33))),
    "all_zero_bytes": b"\x00" * 64,
    "utf16_text_format": 'header { gtfs_realtime_version: "2.0" }'.encode("utf-16"),
}

JSON_CASES = {
    "duplicate_keys": _json_vp('{"vehicle":{"id":"A","id":"B"}}'),
    "lone_surrogate": _json_vp('{"vehicle":{"id":"\\ud800x"}}'),
    "escaped_nul": _json_vp('{"vehicle":{"id":"a\\u0000b"}}'),
    "escaped_key": _json_vp('{"stop\\u005fid":"0713"}'),
    "float_for_int": _json_vp('{"trip":{"direction_id":1.0}}'),
    "fractional_int": _json_vp('{"trip":{"direction_id":1.5}}'),
    "int_above_int64": _json_vp('{"current_stop_sequence":9223372036854775808}'),
    "string_int_above_int64": _json_vp('{"current_stop_sequence":"99999999999999999999"}'),
    "huge_float_for_int": _json_vp('{"current_stop_sequence":1e300}'),
    "negative_timestamp_below_int64": _json_vp('{"timestamp":-9223372036854775809}'),
    "millisecond_timestamp": _json_vp('{"timestamp":1683547200123}'),
    "string_nan": _json_vp('{"position":{"latitude":"NaN"}}'),
    "bare_nan": _json_vp('{"position":{"latitude":NaN}}'),
    "infinite_number": _json_vp('{"position":{"latitude":1e400}}'),
    "boolean_for_int": _json_vp('{"current_stop_sequence":true}'),
    "boolean_for_string": _json_vp('{"stop_id":true}'),
    "int_for_boolean": _json_vp('{"trip":{"revenue":1}}'),
    "string_for_boolean": _json_vp('{"trip":{"revenue":"yes"}}'),
    "number_for_id": _json_vp('{"stop_id":713}'),
    "float_for_id": _json_vp('{"stop_id":7.5}'),
    "nulls_everywhere": _json_vp('{"trip":null,"vehicle":null,"position":null,"stop_id":null}'),
    "unknown_enum_number": _json_vp('{"current_status":-1}'),
    "unknown_enum_name": _json_vp('{"current_status":"FLYING"}'),
    "float_enum": _json_vp('{"current_status":1.0}'),
    "list_for_object": _json_vp("[1,2]"),
    "object_for_list": b'{"header":' + orjson.dumps(HEADER) + b',"entity":{"id":"a"}}',
    "null_stop_time_update": b'{"header":'
    + orjson.dumps(HEADER)
    + b',"entity":[{"id":"a","trip_update":{"stop_time_update":[null]}}]}',
    "int32_overflow_delay": b'{"header":'
    + orjson.dumps(HEADER)
    + b',"entity":[{"id":"a","trip_update":{"delay":2147483648}}]}',
    "deeply_nested": _json_vp('{"x":' + "[" * 5000 + "]" * 5000 + "}"),
    "deeply_nested_camel_case": b'{"header":{"gtfsRealtimeVersion":"2.0"},"entity":[{"id":"a","x":'
    + b"[" * 2000
    + b"]" * 2000
    + b"}]}",
    "byte_order_mark": b"\xef\xbb\xbf" + _json_vp("{}"),
    "two_documents": _json_vp("{}") + _json_vp("{}"),
    "top_level_array": b'[{"header":{}}]',
    "header_is_list": b'{"header":[],"entity":[]}',
}


def _outcome(data: bytes, accelerated: bool) -> tuple[Any, ...]:
    try:
        feed = decode_realtime(data, "source", use_accelerator=accelerated)
    except RejectedInput as rejection:
        return ("rejected", rejection.reason_code)
    tables = {
        name: [{key: _comparable(value) for key, value in row.items()} for row in table.to_pylist()]
        for name, table in feed.tables.items()
    }
    return (
        "ok",
        feed.format,
        feed.feed_kind,
        feed.header_timestamp,
        feed.entity_count,
        tables,
        feed.warnings,
    )


def _comparable(value: Any) -> Any:
    return "NaN" if isinstance(value, float) and math.isnan(value) else value


@pytest.mark.parametrize("name", sorted(PROTOBUF_CASES) + sorted(JSON_CASES))
def test_the_fast_path_and_the_reference_agree_on_hostile_input(name: str) -> None:
    data = PROTOBUF_CASES.get(name, JSON_CASES.get(name))
    assert data is not None
    assert _outcome(data, True) == _outcome(data, False)


def _only_row(data: bytes, accelerated: bool) -> dict[str, Any]:
    feed = decode_realtime(data, "source", use_accelerator=accelerated)
    (table,) = feed.tables.values()
    (row,) = table.to_pylist()
    return row


@pytest.mark.parametrize("accelerated", [True, False], ids=["fast", "reference"])
def test_value_rules_hold_on_odd_values(accelerated: bool) -> None:
    row = _only_row(PROTOBUF_CASES["negative_enum"], accelerated)
    assert row["current_status"] == "-1"  # unknown enum kept as its number
    assert row["trip_id"] == "0713"  # leading zero kept
    assert row["stop_id"] is None and row["current_stop_sequence"] is None  # unset is NULL, not '' or 0
    row = _only_row(JSON_CASES["millisecond_timestamp"], accelerated)
    assert (row["vehicle_timestamp"], row["has_millisecond_timestamp"]) == (1683547200, True)
    with pytest.raises(RejectedInput) as rejection:
        decode_realtime(JSON_CASES["int_above_int64"], "source", use_accelerator=accelerated)
    assert rejection.value.reason_code == "invalid_field_value"


FUZZ_SCRIPT = Path(__file__).with_name("fuzz_realtime.py")


def test_a_seeded_mutation_fuzz_never_crashes_and_both_paths_agree(mbta_feeds: Path, tmp_path: Path) -> None:
    """Run in a child process so that a segfault in _wire.c fails this test instead of killing pytest.
    The long version of this fuzzer ran 170,000 mutations of the shared feeds without a difference."""
    result = subprocess.run(
        [sys.executable, str(FUZZ_SCRIPT), str(mbta_feeds), "2026", "3"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,  # disagreeing inputs are written there
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert result.returncode == 0, f"fuzzer died (signal?) rc={result.returncode}\n{result.stderr[-2000:]}"
    assert "disagreements 0" in result.stdout, result.stdout
