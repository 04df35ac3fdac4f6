"""Coercion of enhanced-JSON values to the lake's types.

Enhanced JSON writes numbers as numbers, but protobuf's canonical JSON writes 64-bit integers as
strings ("1683547200") and special floats as "NaN"/"Infinity"; enums come as names or numbers. Both
forms are accepted. JSON null means "not set" (NULL). A value of the wrong kind (an object where a
string belongs, text that is no number) rejects the feed with ``invalid_field_value``.

The hot loops test the common case inline (``value.__class__ is int``) and only call these helpers
for the rest; the helpers accept the common case too, so they are also the complete definition.
"""

from __future__ import annotations

import re
from typing import Any

from extract.errors import RejectedInput
from extract.realtime.enums import enum_text

_ENUM_NUMBER = re.compile(r"-?[0-9]+")


def invalid(what: str, value: Any) -> RejectedInput:
    shown = repr(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return RejectedInput("invalid_field_value", f"A feed field that should hold {what} holds {shown}.")


def as_str(value: Any) -> str | None:
    if value is None or value.__class__ is str:
        return value
    if value.__class__ is int:  # an id written as a JSON number: its digits are its text
        return str(value)
    raise invalid("a string", value)


def as_int(value: Any) -> int | None:
    if value is None or value.__class__ is int:
        return value
    if value.__class__ is str:
        try:
            return int(value.strip())
        except ValueError:
            raise invalid("an integer", value) from None
    if value.__class__ is float and value.is_integer():
        return int(value)
    raise invalid("an integer", value)


def as_float(value: Any) -> float | None:
    if value is None or value.__class__ is float:
        return value
    if value.__class__ is int:
        return float(value)
    if value.__class__ is str:
        try:
            return float(value)  # also "NaN", "Infinity", "-Infinity"
        except ValueError:
            raise invalid("a number", value) from None
    raise invalid("a number", value)


def as_bool(value: Any) -> bool | None:
    if value is None or value.__class__ is bool:
        return value
    if value in ("true", "false"):
        return bool(value == "true")
    raise invalid("a boolean", value)


def as_enum(value: Any, names: dict[int, str]) -> str | None:
    """An enum's name: a known number becomes its name, an unknown one its decimal text."""
    if value is None:
        return None
    if value.__class__ is str:
        if _ENUM_NUMBER.fullmatch(value):
            return enum_text(names, int(value))
        return value  # a name: kept as written, even one the bindings do not know
    if value.__class__ is int:
        return enum_text(names, value)
    raise invalid("an enum value", value)


def as_object(value: Any) -> dict[str, Any] | None:
    if value is None or value.__class__ is dict:
        return value
    raise invalid("an object", value)


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if value.__class__ is list:
        return value
    raise invalid("a list", value)
