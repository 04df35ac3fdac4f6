"""A gzip "bomb": a few hundred KB on disk that inflate to hundreds of MB (issue 2: peak memory < 1 GB).

Measured on the current code (/tmp/redteam/bomb.py): a 1.5 MB file of 24 gzip members, each 64 MiB of
zeros, takes 55 s and 3.1 GB of peak RSS before it is rejected as ``protobuf_decode_error``; a few more
members and the extractor is killed by the OOM killer, with the whole batch lost. extract/detect.py
``gunzip`` inflates every member with no cap on the output (and then joins the pieces: 2x the memory).
Expected: refuse the stream as soon as its inflated size passes a limit far above any real feed
(the biggest real snapshot inflates to a few MB), with its own reason code.
"""

from __future__ import annotations

import gzip

import pytest

from extract.errors import RejectedInput
from extract.realtime import decode_realtime

MEMBER = gzip.compress(b"\x00" * (64 * 1024 * 1024), 9)  # ~65 KB that inflate to 64 MiB


def test_a_gzip_stream_inflating_to_256_mib_is_refused_as_too_large_not_inflated_whole() -> None:
    bomb = MEMBER * 4  # ~260 KB on disk, 256 MiB inflated: ~840 MB of peak RSS and ~5 s today
    assert len(bomb) < 300_000
    with pytest.raises(RejectedInput) as rejection:
        decode_realtime(bomb, "bomb")
    assert rejection.value.reason_code != "protobuf_decode_error", (
        "the bomb was inflated whole and only then failed to parse"
    )
