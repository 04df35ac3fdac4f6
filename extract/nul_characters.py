"""NUL characters out of the lake's strings.

PostgreSQL cannot store U+0000 in text, text[] or jsonb: one such character makes the COPY of a whole lake
batch fail, and because the loader retries the same batch on every run, it would block every later batch
too. DuckDB accepts them, so the two warehouses would also disagree. The lake is the one place both read
from, so NULs are removed there, before a batch is written, and the inputs that carried them get a warning.

A NUL in a transit id or name is never meaningful (a producer's bug or a corrupted file), so removing it
keeps the rest of the value ("Ale\\x00wife" becomes "Alewife") rather than losing the row.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

NUL = "\x00"


@dataclass(frozen=True)
class NulCleaning:
    table: pa.Table
    cleaned_values: dict[str, int]  # column -> number of its rows that held at least one NUL
    affected_rows: pa.ChunkedArray | None  # bool per row of the table, None when nothing changed

    @property
    def changed(self) -> bool:
        return bool(self.cleaned_values)


def _is_string(data_type: pa.DataType) -> bool:
    return bool(pa.types.is_string(data_type) or pa.types.is_large_string(data_type))


def _is_list(data_type: pa.DataType) -> bool:
    return bool(pa.types.is_list(data_type) or pa.types.is_large_list(data_type))


def _may_hold_text(data_type: pa.DataType) -> bool:
    if _is_string(data_type):
        return True
    if _is_list(data_type):
        return _may_hold_text(data_type.value_type)
    if pa.types.is_struct(data_type):
        return any(_may_hold_text(field.type) for field in data_type)
    return False


def _rows_with_nul(array: pa.Array) -> pa.BooleanArray:
    """Which elements of ``array`` hold a NUL somewhere (in a string, or nested in a list or struct)."""
    data_type = array.type
    if _is_string(data_type):
        return pc.fill_null(pc.match_substring(array, NUL), False)
    if _is_list(data_type):
        in_values = _rows_with_nul(pc.list_flatten(array))
        if not pc.any(in_values).as_py():
            return pa.array([False] * len(array), pa.bool_())
        parents = pc.filter(pc.list_parent_indices(array), in_values)
        positions = pa.array(range(len(array)), parents.type)
        return pc.is_in(positions, value_set=pc.unique(parents))
    found = pa.array([False] * len(array), pa.bool_())
    if pa.types.is_struct(data_type):
        for child in array.flatten():  # flatten() applies the struct's offset and validity
            found = pc.or_(found, _rows_with_nul(child))
    return found


def _without_nul(array: pa.Array) -> pa.Array:
    data_type = array.type
    if _is_string(data_type):
        return pc.replace_substring(array, NUL, "")
    if _is_list(data_type):
        list_class = pa.LargeListArray if pa.types.is_large_list(data_type) else pa.ListArray
        # Rebuilt from zero-based offsets: Arrow cannot combine a validity mask with a sliced list's offsets.
        lengths = pc.fill_null(pc.list_value_length(array), 0)
        offset_type = pa.int64() if pa.types.is_large_list(data_type) else pa.int32()
        offsets = pa.concat_arrays([pa.array([0], offset_type), pc.cumulative_sum(lengths).cast(offset_type)])
        values = _without_nul(pc.list_flatten(array))
        return list_class.from_arrays(offsets, values, type=data_type, mask=array.is_null())
    if pa.types.is_struct(data_type):
        children = [_without_nul(child) for child in array.flatten()]
        return pa.StructArray.from_arrays(children, fields=list(data_type), mask=array.is_null())
    return array


def remove_nul_characters(table: pa.Table) -> NulCleaning:
    """``table`` with every NUL removed from its text, nested text included.

    One vectorised scan per text column of a whole batch; the common case (no NUL anywhere) returns the
    table unchanged.
    """
    cleaned: dict[str, int] = {}
    affected: pa.ChunkedArray | None = None
    for index, field in enumerate(table.schema):
        if not _may_hold_text(field.type):
            continue
        column = table.column(index)
        rows = pa.chunked_array([_rows_with_nul(chunk) for chunk in column.chunks], pa.bool_())
        count = pc.sum(rows).as_py() or 0
        if not count:
            continue
        cleaned[field.name] = count
        affected = rows if affected is None else pc.or_(affected, rows)
        replaced = pa.chunked_array([_without_nul(chunk) for chunk in column.chunks], type=field.type)
        table = table.set_column(index, field, replaced)
    return NulCleaning(table, cleaned, affected)


def describe(cleaning: NulCleaning) -> str:
    columns = ", ".join(
        f"{name} ({count:,} values)" for name, count in sorted(cleaning.cleaned_values.items())
    )
    return f"NUL characters removed from text (PostgreSQL cannot store them): {columns}"
