"""GTFS-Realtime decoding: protobuf or MBTA enhanced JSON bytes → the lake's Arrow tables.

``decode_realtime(data, source_file_id)`` is the one entry point (contract: docs/architecture.md).

How it is built:

- ``extract.detect.sniff`` decides from the bytes what they are (gzip, zip, JSON, protobuf, or a
  rejection such as an HTML page or text-format protobuf); the file name is never consulted.
- The reference path is plain Python and defines every rule: ``protobuf_reference`` turns a upb
  message into a dict of the fields the feed set (recovering enum numbers upb does not know), and
  ``feed_dict`` turns such a dict, or parsed enhanced JSON, into rows; ``tables`` makes Arrow tables.
  One set of row rules for both formats is why a snapshot lands the same rows in either format.
- The C accelerator (``_wire.c``, optional, built by setup.py) walks protobuf bytes or enhanced-JSON
  text straight into the VehiclePositions / TripUpdates tables. It declines whatever it is not sure
  of (alerts, malformed or unusual input) and the reference path decides; the tests compare both on
  every real file and on fuzzed input.

Rules worth knowing (see the modules for details):

- unset is NULL, never 0 or '' (presence: protobuf ``ListFields``, JSON key present and not null);
- enums land as names; an unknown number as its decimal text ("7"); an unknown name as written;
- epoch values >= 1e11 are sub-second units: divided by 1000 until below, row flagged
  ``has_millisecond_timestamp`` and the feed warned (``timestamps``);
- an entity epoch value still outside 1990–2100 after that (a wrapped -5, 2**63-1) lands as NULL, counted
  per field in a warning; exactly 0 stays 0 (``timestamps``);
- protobuf float32 fields land as the shortest decimal that reads back as the same float32 (what
  protobuf's JSON mapping prints), so 42.3543 lands as 42.3543 in both formats;
- alerts are one row per alert with nested lists (periods, informed entities, translations); MBTA's
  plain-string ``cause_detail``/``effect_detail`` become one translation with a NULL language.
"""

from extract.realtime.decode import DecodedFeed, decode_realtime

__all__ = ["DecodedFeed", "decode_realtime"]
