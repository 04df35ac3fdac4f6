"""One GTFS .txt file (CSV bytes) → one typed pyarrow table.

pyarrow.csv does the parsing (no Python row loop: MBTA's trips.txt is 7 MB, a full stop_times.txt is
far larger). Every column is read as text first, then the known numeric columns are cast with vectorised
compute functions, so a value that is not a number (route_type "x") becomes NULL with a warning instead
of failing the whole feed.
"""

from __future__ import annotations

import csv
import io
import re

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from extract.errors import RejectedInput
from extract.static_gtfs.columns import FLOAT, INTEGER, KNOWN_COLUMNS, STRING

UTF8_BOM = b"\xef\xbb\xbf"
# No GTFS value (a name, a headsign, a description) comes near this; a value this long is broken CSV.
MAX_VALUE_BYTES = 64 * 1024
BLANK = re.compile(rb"\s*\Z")
LEADING_WHITESPACE = re.compile(rb"\s*")
LINE_BREAK = re.compile(rb"\r\n|\r|\n")
# At most 18 digits, so every accepted value fits in int64.
INTEGER_PATTERN = r"^[+-]?[0-9]{1,18}$"
FLOAT_PATTERN = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"


def read_gtfs_csv(file_name: str, data: bytes) -> tuple[pa.Table, list[str]]:
    """Parse ``data`` (the bytes of ``file_name``, e.g. "routes.txt") into a table and warnings.

    Columns are matched by (whitespace-trimmed) header name in any order. A known file's table has all
    its known columns in the documented order with their types (NULL when the file lacks a column),
    followed by the file's other columns as strings, in file order. Empty strings are NULL.
    """
    warnings: list[str] = []
    known = KNOWN_COLUMNS.get(file_name.removesuffix(".txt"), {})
    data = data.removeprefix(UTF8_BOM)  # copies only when there is a BOM
    leading_blank = LEADING_WHITESPACE.match(data)  # blank lines before the header are skipped
    header_start = leading_blank.end() if leading_blank else 0
    if header_start == len(data):
        return _empty_table(known), warnings
    header_line, body_start = _header_line(data, header_start)

    header = _header_names(file_name, header_line, warnings)
    raw = _parse_as_text(file_name, data, body_start, header, warnings)
    columns: dict[str, pa.ChunkedArray] = dict(zip(raw.column_names, raw.columns, strict=True))
    arrays: dict[str, pa.ChunkedArray] = {}
    for name, data_type in known.items():
        if name not in columns:
            arrays[name] = pa.chunked_array([pa.nulls(raw.num_rows, data_type)])
        elif data_type == STRING:
            arrays[name] = columns[name]
        else:
            arrays[name] = _cast_numbers(file_name, name, columns[name], data_type, warnings)
    for name in header:
        if name not in known:
            arrays[name] = columns[name]
    return pa.table(arrays), warnings


def _empty_table(known: dict[str, pa.DataType]) -> pa.Table:
    return pa.schema([pa.field(name, data_type) for name, data_type in known.items()]).empty_table()


def _header_line(data: bytes, header_start: int) -> tuple[bytes, int]:
    """The header line (without its line break) and where the body starts.

    A line ends at LF, CRLF or a bare CR (files saved by classic Mac tools and some Excel exports), as
    for pyarrow's parser of the body.
    """
    line_break = LINE_BREAK.search(data, header_start)
    if line_break is None:
        return data[header_start:], len(data)
    return data[header_start : line_break.start()], line_break.end()


def _header_names(file_name: str, header_line: bytes, warnings: list[str]) -> list[str]:
    """The header's column names: trimmed, never empty, never duplicated (so columns map by name)."""
    text = _decode(header_line)
    try:
        raw_names = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error as error:
        raise RejectedInput(
            "static_malformed_csv", f"{file_name}: the header is not CSV ({error})"
        ) from error
    names: list[str] = []
    for position, raw_name in enumerate(raw_names, start=1):
        name = raw_name.strip()
        if not name:
            name = f"column_{position}"
            warnings.append(f"{file_name}: header column {position} has no name; landed as {name!r}")
        if name in names:
            renamed = f"{name}__{position}"
            warnings.append(f"{file_name}: duplicate column {name!r}; the later one landed as {renamed!r}")
            name = renamed
        names.append(name)
    return names


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _parse_as_text(
    file_name: str, data: bytes, body_start: int, header: list[str], warnings: list[str]
) -> pa.Table:
    """The rows from ``data[body_start:]`` (after the header), all columns as nullable strings.

    Rows whose field count differs from the header's are skipped and counted in a warning.
    The body is never copied: big files (a full stop_times.txt is over 100 MB) are parsed in place.
    """
    if BLANK.match(data, body_start):
        return pa.schema([pa.field(name, STRING) for name in header]).empty_table()
    body = pa.py_buffer(data).slice(body_start)
    # Only a quoted value can hold a newline, and pyarrow's parser is faster without that option.
    newlines_in_values = data.find(b'"', body_start) != -1
    skipped: list[int] = []

    def skip_invalid_row(row: pacsv.InvalidRow) -> str:
        skipped.append(row.number if row.number is not None else -1)
        return "skip"

    def parse(payload: pa.Buffer) -> pa.Table:
        return pacsv.read_csv(
            pa.BufferReader(payload),
            # One thread: the extractor is sized for one core, and on a busy 2-core machine pyarrow's
            # threaded CSV reader measured slower (and holds more blocks in memory).
            read_options=pacsv.ReadOptions(column_names=header, use_threads=False),
            parse_options=pacsv.ParseOptions(
                newlines_in_values=newlines_in_values, invalid_row_handler=skip_invalid_row
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(header, STRING),
                strings_can_be_null=True,
                null_values=[""],  # only the empty string: "NA" or "NULL" may be real names or ids
            ),
        )

    try:
        try:
            table = parse(body)
        except pa.ArrowInvalid as error:
            if "UTF8" not in str(error) and "UTF-8" not in str(error):
                raise
            # Some agencies publish Windows-1252 text; land it as UTF-8 rather than reject the feed.
            warnings.append(f"{file_name}: not valid UTF-8; decoded as Windows-1252")
            skipped.clear()
            table = parse(pa.py_buffer(body.to_pybytes().decode("cp1252", errors="replace").encode()))
    except pa.ArrowInvalid as error:
        raise RejectedInput("static_malformed_csv", f"{file_name} is not readable CSV: {error}") from error

    _reject_runaway_values(file_name, table)
    if skipped:
        warnings.append(
            f"{file_name}: {len(skipped)} row(s) skipped because their field count differs from the "
            f"header's {len(header)} (the first is data row {skipped[0]})"
        )
    return table


def _reject_runaway_values(file_name: str, table: pa.Table) -> None:
    """A quote that is never closed swallows the rest of the file into one value: refuse, never land it."""
    for name, column in zip(table.column_names, table.columns, strict=True):
        longest = pc.max(pc.binary_length(column)).as_py() if len(column) else None
        if longest is not None and longest > MAX_VALUE_BYTES:
            raise RejectedInput(
                "static_malformed_csv",
                f"{file_name}: column {name} holds a value of {longest:,} bytes (a quote never closed?)",
            )


def _cast_numbers(
    file_name: str, column: str, values: pa.ChunkedArray, data_type: pa.DataType, warnings: list[str]
) -> pa.ChunkedArray:
    """Cast text to ``data_type``; values that do not parse become NULL and are counted in a warning."""
    assert data_type in (INTEGER, FLOAT), data_type
    try:  # the fast path, taken by clean files
        numbers = pc.cast(values, data_type)
        # Arrow's cast also reads "nan" and "inf", which are not GTFS numbers: check those the slow way.
        if data_type == INTEGER or pc.all(pc.is_finite(numbers)).as_py() is not False:
            return numbers
    except pa.ArrowInvalid:
        pass
    pattern = INTEGER_PATTERN if data_type == INTEGER else FLOAT_PATTERN
    text = pc.utf8_trim_whitespace(values)
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, STRING), text)  # " " is as empty as ""
    parses = pc.fill_null(pc.match_substring_regex(text, pattern), False)
    invalid = pc.and_(pc.is_valid(text), pc.invert(parses))
    invalid_count = pc.sum(invalid).as_py() or 0
    if invalid_count:
        example = pc.filter(text, invalid)[0].as_py()
        kind = "integer" if data_type == INTEGER else "number"
        warnings.append(
            f"{file_name}: column {column}: {invalid_count} value(s) not a valid {kind} landed as NULL "
            f"(e.g. {example!r})"
        )
        text = pc.if_else(parses, text, pa.scalar(None, STRING))
    return pc.cast(text, data_type)
