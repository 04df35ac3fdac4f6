"""The C walker (extract/realtime/_wire.c) gives exactly the reference path's result, and never crashes.

"Result" is the whole DecodedFeed (tables, header values, warnings) or the rejection reason.
"""

from __future__ import annotations

import copy
import gzip
import json
import random
from pathlib import Path
from typing import Any

import orjson
import pytest

from extract.errors import RejectedInput
from extract.realtime import decode_realtime, wire


def _outcome(data: bytes, use_accelerator: bool) -> Any:
    try:
        return decode_realtime(data, "fuzz", use_accelerator=use_accelerator)
    except RejectedInput as rejected:
        return ("rejected", rejected.reason_code)


def _assert_same(data: bytes) -> Any:
    fast, reference = _outcome(data, True), _outcome(data, False)
    assert fast == reference
    return fast


def test_the_accelerator_is_built() -> None:
    # setup.py builds it on install; without it decoding still works, only slower. Here (CI and
    # development) it must exist, or the equivalence tests below would compare the reference to itself.
    assert wire.AVAILABLE


def test_both_paths_agree_on_single_feed_files(sample_data: Path) -> None:
    files = sorted((sample_data / "mbta" / "feeds").iterdir()) + sorted(
        (sample_data / "other" / "caltrain-2023-11-08").glob("*.pb")
    )
    for path in files:
        _assert_same(path.read_bytes())


def test_both_paths_agree_on_a_sample_of_snapshots(raw_day: Path) -> None:
    for path in sorted(raw_day.rglob("*.*"))[::47]:
        outcome = _assert_same(path.read_bytes())
        assert not isinstance(outcome, tuple), path  # real snapshots are never rejected


@pytest.mark.slow
def test_both_paths_agree_on_every_snapshot(raw_day: Path) -> None:
    """Every file of the two-hour sample: same result both ways, and the README's row counts."""
    totals: dict[tuple[str, str], int] = {}
    files = sorted(raw_day.rglob("*.*"))
    for path in files:
        decoded = _assert_same(path.read_bytes())
        for table, arrow in decoded.tables.items():
            totals[(table, decoded.format)] = totals.get((table, decoded.format), 0) + arrow.num_rows
    assert len(files) == 4693
    assert totals == {
        ("vehicle_positions", "protobuf"): 155_166,
        ("trip_updates", "protobuf"): 1_098_953,
        ("vehicle_positions", "enhanced_json"): 171_101,
        ("trip_updates", "enhanced_json"): 1_089_927,
    }


def _mutations(data: bytes, rng: random.Random, count: int) -> list[bytes]:
    out = [b"", data[:1], data[:2], data[: len(data) // 2]]
    for _ in range(count):
        buffer = bytearray(data)
        kind = rng.randrange(4)
        if kind == 0:  # truncate
            buffer = buffer[: rng.randrange(len(buffer))]
        elif kind == 1:  # flip bytes
            for _ in range(rng.randint(1, 4)):
                buffer[rng.randrange(len(buffer))] = rng.randrange(256)
        elif kind == 2:  # insert random bytes
            at = rng.randrange(len(buffer))
            buffer[at:at] = rng.randbytes(rng.randint(1, 8))
        else:  # delete a run
            at = rng.randrange(len(buffer))
            del buffer[at : at + rng.randint(1, 16)]
        out.append(bytes(buffer))
    return out


def test_fuzzed_protobuf_bytes(sample_data: Path, mbta_feeds: Path) -> None:
    rng = random.Random(20230508)
    seeds = [
        (sample_data / "other" / "caltrain-2023-11-08" / "ct-vehicle-positions.pb").read_bytes(),
        (sample_data / "other" / "caltrain-2023-11-08" / "ct-trip-updates.pb").read_bytes(),
    ]
    outcomes = set()
    for seed in seeds:
        for data in _mutations(seed, rng, 250):
            outcome = _assert_same(data)
            outcomes.add(outcome if isinstance(outcome, tuple) else "decoded")
    for _ in range(200):
        _assert_same(rng.randbytes(rng.randint(1, 64)))
    assert "decoded" in outcomes and ("rejected", "protobuf_decode_error") in outcomes


_ODD_VALUES: list[Any] = [
    None,
    0,
    -1,
    2**40,
    2**70,
    -(2**70),
    1.5,
    float("nan"),
    "NaN",
    "12",
    "x",
    "",
    True,
    False,
    [],
    [1],
    {},
    {"a": 1},
    "STOPPED_AT",
    7,
    "-2",
    "０",
]


def _mutate_json(feed: Any, rng: random.Random) -> Any:
    """Replace one random value somewhere in the feed by an odd one."""
    node = feed
    while True:
        if isinstance(node, dict) and node:
            key = rng.choice(list(node))
            if rng.random() < 0.3 or not isinstance(node[key], (dict, list)) or not node[key]:
                node[key] = rng.choice(_ODD_VALUES)
                return feed
            node = node[key]
        elif isinstance(node, list) and node:
            index = rng.randrange(len(node))
            if rng.random() < 0.3 or not isinstance(node[index], (dict, list)) or not node[index]:
                node[index] = rng.choice(_ODD_VALUES)
                return feed
            node = node[index]
        else:
            return feed


def test_fuzzed_enhanced_json_values(raw_day: Path, mbta_feeds: Path) -> None:
    rng = random.Random(8)
    vp = sorted(raw_day.glob("VehiclePositions/*.json.gz"))[0]
    originals = [
        orjson.loads(gzip.decompress(path.read_bytes()))
        for path in (
            vp,
            mbta_feeds / "2022-05-08T06:04:57Z_https_cdn.mbta.com_realtime_TripUpdates_enhanced.json.gz",
        )
    ]
    for original in originals:
        original["entity"] = original["entity"][:12]  # small, so each mutation hits rows that matter
        for _ in range(300):
            mutated = _mutate_json(copy.deepcopy(original), rng)
            _assert_same(json.dumps(mutated).encode())


def test_fuzzed_json_bytes(mbta_feeds: Path) -> None:
    rng = random.Random(11)
    seed = gzip.decompress((mbta_feeds / "one_blank_record.json.gz").read_bytes())
    for data in _mutations(seed, rng, 150):
        _assert_same(data)


def test_fuzzed_enhanced_json_text(raw_day: Path) -> None:
    """Byte-level damage to real enhanced-JSON text: the C text walker must decline or agree."""
    rng = random.Random(5)
    seeds = []
    for pattern in ("TripUpdates/*.json.gz", "VehiclePositions/*.json.gz"):
        feed = orjson.loads(gzip.decompress(sorted(raw_day.glob(pattern))[3].read_bytes()))
        feed["entity"] = feed["entity"][:5]
        seeds += [orjson.dumps(feed), json.dumps(feed, indent=2).encode()]
    tokens = [
        b'"',
        b"{",
        b"}",
        b"[",
        b"]",
        b",",
        b":",
        b"null",
        b"1e5",
        b"\\",
        b"\\u00e9",
        b"\xff",
        b"1683547200123",
    ]
    outcomes = set()
    for _ in range(800):
        text = bytearray(rng.choice(seeds))
        at = rng.randrange(len(text))
        kind = rng.randrange(3)
        if kind == 0:
            text[at] = rng.randrange(256)
        elif kind == 1:
            text[at:at] = rng.choice(tokens)
        else:
            del text[at : at + rng.randint(1, 12)]
        outcome = _assert_same(bytes(text))
        outcomes.add(outcome if isinstance(outcome, tuple) else "decoded")
    assert "decoded" in outcomes and ("rejected", "invalid_json") in outcomes
