"""Reference protobuf decoding: upb message → a dict in the enhanced-JSON shape → ``feed_dict`` rows.

Clear rather than fast (the C walker in ``_wire`` is the fast path and is tested to give exactly
these tables). What it settles:

- presence: only fields the feed set appear in the dict (``ListFields``), so unset is NULL, never 0;
- unknown enum numbers: upb moves an enum number the bindings do not know (proto2 closed enums) into
  the message's unknown fields and reads the field as unset; we take it back from there and keep the
  number, which lands as its decimal text;
- float32 fields (position) become the shortest decimal that reads back as the same float32, exactly
  what protobuf's JSON mapping prints, so 42.3543 lands as 42.3543 (not 42.354301452636719) and the
  protobuf and enhanced-JSON forms of a snapshot agree;
- proto2 strings with invalid UTF-8 (upb hands them over as bytes) are decoded with U+FFFD replacements.
"""

from __future__ import annotations

import math
import struct
from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import DecodeError, Message
from google.protobuf.unknown_fields import UnknownFieldSet
from google.transit import gtfs_realtime_pb2 as rt

from extract.errors import RejectedInput

_MESSAGE = FieldDescriptor.TYPE_MESSAGE
_ENUM = FieldDescriptor.TYPE_ENUM
_FLOAT = FieldDescriptor.TYPE_FLOAT
_VARINT = 0
_FLOAT32 = struct.Struct("<f")


def parse_feed_message(payload: bytes) -> rt.FeedMessage:
    message = rt.FeedMessage()
    try:
        message.ParseFromString(payload)
    except (DecodeError, RuntimeError, ValueError) as exc:
        raise RejectedInput(
            "protobuf_decode_error", f"The bytes do not decode as a GTFS-Realtime protobuf ({exc})."
        ) from exc
    return message


def shortest_float32(value: float) -> float:
    """The shortest decimal that reads back as the same float32 (protobuf's JSON printing rule)."""
    if not math.isfinite(value):
        return value
    for precision in range(6, 10):
        rounded = float(f"{value:.{precision}g}")
        if _FLOAT32.unpack(_FLOAT32.pack(rounded))[0] == value:
            return rounded
    return value


def _int32(varint: int) -> int:
    """An enum number as upb reads it from a varint: the low 32 bits, signed."""
    low = varint & 0xFFFFFFFF
    return low - (1 << 32) if low >= 1 << 31 else low


def _scalar(field: FieldDescriptor, value: Any) -> Any:
    if field.type == _FLOAT:
        return shortest_float32(value)
    if value.__class__ is bytes and field.type == FieldDescriptor.TYPE_STRING:
        return value.decode("utf-8", "replace")
    return value


def message_to_dict(message: Message) -> dict[str, Any]:
    """Every field the message sets, by proto field name, recursively (see the module doc)."""
    out: dict[str, Any] = {}
    for field, value in message.ListFields():
        if field.type == _MESSAGE:
            if field.is_repeated:
                out[field.name] = [message_to_dict(item) for item in value]
            else:
                out[field.name] = message_to_dict(value)
        elif field.is_repeated:
            out[field.name] = [_scalar(field, item) for item in value]
        else:
            out[field.name] = _scalar(field, value)
    fields_by_number = message.DESCRIPTOR.fields_by_number
    known = set(out)  # a known value wins; among unknown numbers the last one wins, as in protobuf
    for unknown in UnknownFieldSet(message):
        field = fields_by_number.get(unknown.field_number)
        if field is None or field.type != _ENUM or unknown.wire_type != _VARINT:
            continue
        number = _int32(unknown.data)
        if field.is_repeated:
            out.setdefault(field.name, []).append(number)
        elif field.name not in known:
            out[field.name] = number
    return out
