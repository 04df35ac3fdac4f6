"""Seeded mutation fuzzer for ``decode_realtime``: accelerated vs reference (run as a child process).

Usage: python fuzz_realtime.py <feeds dir> <seed> <seconds>. Prints "iterations N disagreements D";
writes each disagreeing input next to the working directory as fuzz_disagreement_<n>.bin.
"""

from __future__ import annotations

import gzip
import math
import random
import sys
import time
from pathlib import Path
from typing import Any

from extract.errors import RejectedInput
from extract.realtime import decode_realtime

INTERESTING = [
    b"\x00",
    b"\xff",
    b"\x80" * 10 + b"\x01",
    b"\x7f",
    b'"',
    b"null",
    b"-1",
    b"1e400",
    b"true",
    b"{}",
    b"[]",
]


def _seeds(feeds: Path) -> list[bytes]:
    seeds = []
    for path in sorted(feeds.iterdir()):
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        if len(data) < 80_000:
            seeds.append(data)
    return seeds


def _mutate(data: bytes, rnd: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rnd.randint(1, 5)):
        if not out:
            return bytes(rnd.randbytes(8))
        at = rnd.randrange(len(out))
        operation = rnd.randrange(5)
        if operation == 0:
            out[at] ^= 1 << rnd.randrange(8)
        elif operation == 1:
            del out[at : at + rnd.randint(1, 16)]
        elif operation == 2:
            out[at:at] = rnd.choice(INTERESTING)
        elif operation == 3:
            out = out[:at]
        else:
            source = rnd.randrange(len(out))
            out[at:at] = out[source : source + rnd.randint(1, 48)]
    return bytes(out)


def _outcome(data: bytes, accelerated: bool) -> Any:
    try:
        feed = decode_realtime(data, "fuzz", use_accelerator=accelerated)
    except RejectedInput as rejection:
        return ("rejected", rejection.reason_code)
    except Exception as error:  # anything but RejectedInput is a bug
        return ("raised", type(error).__name__)
    tables = {
        name: [
            tuple(
                "NaN" if isinstance(value, float) and math.isnan(value) else value for value in row.values()
            )
            for row in table.to_pylist()
        ]
        for name, table in feed.tables.items()
    }
    return (feed.format, feed.feed_kind, feed.header_timestamp, feed.entity_count, tables, feed.warnings)


def main() -> None:
    feeds, seed, seconds = Path(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    rnd = random.Random(seed)
    seeds = _seeds(feeds)
    iterations = disagreements = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        data = _mutate(rnd.choice(seeds), rnd)
        fast, reference = _outcome(data, True), _outcome(data, False)
        iterations += 1
        if fast != reference or fast[0] == "raised":
            disagreements += 1
            Path(f"fuzz_disagreement_{disagreements}.bin").write_bytes(data)
    print(f"iterations {iterations} disagreements {disagreements}")


if __name__ == "__main__":
    main()
