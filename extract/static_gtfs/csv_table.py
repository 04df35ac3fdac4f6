"""One GTFS .txt file (CSV bytes) → one typed pyarrow table.

pyarrow.csv does the parsing (no Python row loop: MBTA's trips.txt is 7 MB, a full stop_times.txt is
far larger). Every column is read as text first, then the known numeric columns are cast with vectorised
compute functions, so a value that is not a number (route_type "x") becomes NULL with a warning instead
of failing the whole feed.

Header names (GTFS names are lower case; some exports capitalise them, and DuckDB compares identifiers
case-insensitively, so ``Route_ID`` next to ``route_id`` would break the warehouse load for good):

- each name is trimmed (whitespace, a stray byte order mark) and lower-cased, so ``Route_ID`` is the
  standard ``route_id`` and an extension column ``My_Extra`` lands as ``my_extra``; a warning names the
  file and the names whose case changed;
- a name the lake reserves (``feed_key``, ``lake_batch_id``: columns.RESERVED_COLUMNS) lands prefixed
  ``extra_``, with a warning;
- when two names are equal after that (``route_id,Route_Id``, or ``stop_name`` twice), the FIRST column is
  kept and each later one is dropped with a warning naming it. Dropping (rather than rejecting the feed, or
  landing ``stop_name__3``) keeps every landed table's columns unique case-insensitively and its shape
  predictable, without costing the feed its other files;
- a file that lacks a column of columns.REQUIRED_COLUMNS gets a warning naming file and column; routes.txt
  without route_id is rejected (``static_missing_required_column``).
"""

from __future__ import annotations

import csv
import io
import re

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from extract.errors import RejectedInput
from extract.static_gtfs.columns import (
    FLOAT,
    INTEGER,
    KNOWN_COLUMNS,
    REJECT_WITHOUT,
    REQUIRED_COLUMNS,
    RESERVED_COLUMNS,
    RESERVED_PREFIX,
    STRING,
)

UTF8_BOM = b"\xef\xbb\xbf"
# No GTFS value (a name, a headsign, a description) comes near this; a value this long is broken CSV.
MAX_VALUE_BYTES = 64 * 1024
BLANK = re.compile(rb"\s*\Z")
LEADING_WHITESPACE = re.compile(rb"\s*")
LINE_BREAK = re.compile(rb"\r\n|\r|\n")
# At most 18 digits, so every accepted value fits in int64.
INTEGER_PATTERN = r"^[+-]?[0-9]{1,18}$"
FLOAT_PATTERN = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"
# Around a header name: whitespace and byte order marks (a BOM left after a blank first line, or doubled).
HEADER_PADDING = re.compile(r"^[\s\ufeff]+|[\s\ufeff]+$")
MAX_LISTED_NAMES = 10  # in one warning; a broken header can have thousands


def read_gtfs_csv(file_name: str, data: bytes) -> tuple[pa.Table, list[str]]:
    """Parse ``data`` (the bytes of ``file_name``, e.g. "routes.txt") into a table and warnings.

    Columns are matched by (trimmed, lower-cased) header name in any order. A known file's table has all
    its known columns in the documented order with their types (NULL when the file lacks a column),
    followed by the file's other columns as strings, in file order. Empty strings are NULL.
    Raises RejectedInput for a file that is not CSV, or routes.txt without route_id.
    """
    warnings: list[str] = []
    known = KNOWN_COLUMNS.get(file_name.removesuffix(".txt"), {})
    data = data.removeprefix(UTF8_BOM)  # copies only when there is a BOM
    leading_blank = LEADING_WHITESPACE.match(data)  # blank lines before the header are skipped
    header_start = leading_blank.end() if leading_blank else 0
    if header_start == len(data):
        return _empty_table(known), warnings
    header_line, body_start = _header_line(data, header_start)

    landed = _header_names(file_name, header_line, warnings)
    _check_required_columns(file_name, {name for name in landed if name is not None}, warnings)
    raw = _parse_as_text(file_name, data, body_start, landed, warnings)
    columns: dict[str, pa.ChunkedArray] = dict(zip(raw.column_names, raw.columns, strict=True))
    arrays: dict[str, pa.ChunkedArray] = {}
    for name, data_type in known.items():
        if name not in columns:
            arrays[name] = pa.chunked_array([pa.nulls(raw.num_rows, data_type)])
        elif data_type == STRING:
            arrays[name] = columns[name]
        else:
            arrays[name] = _cast_numbers(file_name, name, columns[name], data_type, warnings)
    for name in raw.column_names:
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


def _header_names(file_name: str, header_line: bytes, warnings: list[str]) -> list[str | None]:
    """The name each header field lands as, in file order; None for a dropped duplicate.

    The names are never empty and unique case-insensitively (see the module doc), so columns map by
    name and no warehouse (DuckDB compares identifiers case-insensitively) sees two of one name.
    """
    landed: list[str | None] = []
    first_position: dict[str, int] = {}  # landed name → the header field that took it
    recased: list[str] = []
    for position, raw_name in enumerate(_split_header(file_name, header_line, warnings), start=1):
        cleaned = HEADER_PADDING.sub("", raw_name)
        name = _landed_name(file_name, position, cleaned, warnings)
        if name in first_position:
            warnings.append(
                f"{file_name}: duplicate column {cleaned or name!r} (column {position}) dropped; "
                f"column {first_position[name]} is kept as {name!r}"
            )
            landed.append(None)
            continue
        if cleaned != cleaned.lower():
            recased.append(f"{cleaned!r} as {name!r}")
        first_position[name] = position
        landed.append(name)
    if recased:
        warnings.append(
            f"{file_name}: column names not in lower case were matched case-insensitively: "
            f"{_listing(recased)}"
        )
    return landed


def _split_header(file_name: str, header_line: bytes, warnings: list[str]) -> list[str]:
    try:
        return next(csv.reader(io.StringIO(_decode(file_name, header_line, warnings), newline="")), [])
    except csv.Error as error:
        raise RejectedInput(
            "static_malformed_csv", f"{file_name}: the header is not CSV ({error})"
        ) from error


def _landed_name(file_name: str, position: int, cleaned: str, warnings: list[str]) -> str:
    """The lower-case name a (trimmed) header name lands as: GTFS names are lower case."""
    if not cleaned:
        name = f"column_{position}"
        warnings.append(f"{file_name}: header column {position} has no name; landed as {name!r}")
        return name
    name = cleaned.lower()
    if name in RESERVED_COLUMNS:
        renamed = RESERVED_PREFIX + name
        warnings.append(
            f"{file_name}: column {cleaned!r} has a name the lake adds to every static table; "
            f"landed as {renamed!r}"
        )
        return renamed
    return name


def _check_required_columns(file_name: str, names: set[str], warnings: list[str]) -> None:
    """Warn about a required column the header lacks (its values land as NULL); reject when vital."""
    table_name = file_name.removesuffix(".txt")
    for column in REJECT_WITHOUT.get(table_name, ()):
        if column not in names:
            raise RejectedInput(
                "static_missing_required_column",
                f"{file_name} has no {column} column, so none of its rows can be used "
                f"(its columns: {_listing(sorted(names)) or 'none'})",
            )
    for column in REQUIRED_COLUMNS.get(table_name, ()):
        if column not in names:
            warnings.append(
                f"{file_name}: required column {column} is missing; it lands as NULL in every row"
            )


def _listing(items: list[str]) -> str:
    shown = ", ".join(items[:MAX_LISTED_NAMES])
    hidden = len(items) - MAX_LISTED_NAMES
    return f"{shown} and {hidden} more" if hidden > 0 else shown


def _decode(file_name: str, data: bytes, warnings: list[str]) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        _warn_windows_1252(file_name, warnings)
        return data.decode("cp1252", errors="replace")


def _warn_windows_1252(file_name: str, warnings: list[str]) -> None:
    """One warning per file, whether its header, its body or both needed the fallback."""
    warning = f"{file_name}: not valid UTF-8; decoded as Windows-1252"
    if warning not in warnings:
        warnings.append(warning)


def _parse_as_text(
    file_name: str, data: bytes, body_start: int, landed: list[str | None], warnings: list[str]
) -> pa.Table:
    """The rows from ``data[body_start:]`` (after the header), the kept columns as nullable strings.

    ``landed`` is the header's landed names (None: a dropped column, never converted). Rows whose field
    count differs from the header's are skipped and counted in a warning.
    The body is never copied: big files (a full stop_times.txt is over 100 MB) are parsed in place.
    """
    # The parser gets positional names, unique whatever the header says; the kept ones are renamed after.
    parse_names = [f"field_{position}" for position in range(len(landed))]
    kept = [(parse_name, name) for parse_name, name in zip(parse_names, landed, strict=True) if name]
    if BLANK.match(data, body_start):
        return pa.schema([pa.field(name, STRING) for _, name in kept]).empty_table()
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
            read_options=pacsv.ReadOptions(column_names=parse_names, use_threads=False),
            parse_options=pacsv.ParseOptions(
                newlines_in_values=newlines_in_values, invalid_row_handler=skip_invalid_row
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={parse_name: STRING for parse_name, _ in kept},
                include_columns=[parse_name for parse_name, _ in kept],
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
            _warn_windows_1252(file_name, warnings)
            skipped.clear()
            table = parse(pa.py_buffer(body.to_pybytes().decode("cp1252", errors="replace").encode()))
    except pa.ArrowInvalid as error:
        raise RejectedInput("static_malformed_csv", f"{file_name} is not readable CSV: {error}") from error

    table = table.rename_columns([name for _, name in kept])
    _reject_runaway_values(file_name, table)
    if skipped:
        warnings.append(
            f"{file_name}: {len(skipped)} row(s) skipped because their field count differs from the "
            f"header's {len(landed)} (the first is data row {skipped[0]})"
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
