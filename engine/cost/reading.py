"""How DuckDB reads a billing file: which kind it is, what its header says, and the SQL that reads it.

CSV (plain or gzip) is read with the columns a format needs typed by the reader itself, so that a
value that does not parse rejects its row into DuckDB's rejects table, with its line number, and the
rest of the file goes on. JSON Lines is read as one text column per line (so that a broken line is a
rejected line with a number, not a failed import) and taken apart with DuckDB's JSON functions.
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from tagwarden.engine.cost.formats.interface import BillingFormatError, ReadType, SourceHeader, SourceKind
from tagwarden.engine.cost.formats.sql import JSON_LINE_COLUMN, quote_literal
from tagwarden.engine.cost.storage import MONEY

JSON_HEADER_SAMPLE = 1000
HEADER_MAX_CHARS = 16 << 20  # a header line longer than this is not a billing export's
NULL_SPELLINGS = "['', 'NULL']"
REJECTS_TABLE = "tagwarden_reject_errors"
REJECTS_SCAN = "tagwarden_reject_scans"
_READ_TYPES: Mapping[ReadType, str] = {"money": MONEY, "timestamp": "TIMESTAMP WITH TIME ZONE"}
_GZIP_MAGIC = b"\x1f\x8b"
_PARQUET_MAGIC = b"PAR1"
_JSON_LINE_SEPARATOR = "\\x1f"  # never in valid JSON (control characters are escaped there): one column per line


@dataclass(frozen=True)
class SourceRelation:
    """``FROM`` text yielding the source's columns plus ``__line`` (the row's line, 1-based)."""

    from_sql: str
    header: SourceHeader  # with the types the reader gives
    counts_rejects: bool  # whether the reader writes rejected lines to REJECTS_TABLE
    row_filter: str = "TRUE"
    # __line is NULL in the scan: the importer numbers the inserted rows from their row ids instead,
    # starting at this line. row_number() would keep the CSV reader to one thread.
    first_line_from_row_ids: int | None = None


def detect_kind(path: Path) -> SourceKind:
    with path.open("rb") as stream:
        start = stream.read(4096)
    if start.startswith(_PARQUET_MAGIC):
        return "parquet"
    if start.startswith(_GZIP_MAGIC):
        with gzip.open(path, "rb") as stream:
            start = stream.read(4096)
    return "json" if start.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") else "csv"


def read_header(conn: duckdb.DuckDBPyConnection, path: Path, kind: SourceKind) -> SourceHeader:
    if kind == "json":
        return SourceHeader("json", tuple(_json_header_paths(path)))
    if kind == "csv":
        return _csv_header(path)
    try:
        described = conn.execute(f"DESCRIBE SELECT * FROM read_parquet({quote_literal(str(path))})").fetchall()
    except duckdb.Error as error:
        raise BillingFormatError(f"{path}: cannot read it as {kind.upper()}: {_first_line(error)}") from error
    return SourceHeader(kind, tuple(str(row[0]) for row in described), {str(row[0]): str(row[1]) for row in described})


def relation(path: Path, header: SourceHeader, read_types: Mapping[str, ReadType]) -> SourceRelation:
    location = quote_literal(str(path))
    if header.kind == "parquet":
        return SourceRelation(
            f"(SELECT *, file_row_number + 1 AS __line FROM read_parquet({location}, file_row_number = true))",
            header,
            counts_rejects=False,
        )
    rejects = f"store_rejects = true, rejects_table = '{REJECTS_TABLE}', rejects_scan = '{REJECTS_SCAN}'"
    if header.kind == "json":
        reader = (
            f"read_csv({location}, columns = {{'{JSON_LINE_COLUMN}': 'VARCHAR'}}, header = false, auto_detect = false,"
            f" delim = '{_JSON_LINE_SEPARATOR}', quote = '', escape = '', {rejects},"
            # told, not guessed: DuckDB guesses compression from the name, and an export may lack ".gz"
            f" compression = '{'gzip' if _is_gzip(path) else 'none'}')"
        )
        return SourceRelation(
            f"(SELECT *, row_number() OVER () AS __line FROM {reader})",
            header,
            counts_rejects=True,
            # CASE, not AND: json_type raises on text that is not JSON, and AND evaluates both sides
            row_filter=f"CASE WHEN json_valid({JSON_LINE_COLUMN}) THEN json_type({JSON_LINE_COLUMN}) = 'OBJECT' END",
        )
    types = {
        column: _READ_TYPES[read_types[column]] if column in read_types else "VARCHAR" for column in header.columns
    }
    columns_sql = ", ".join(
        f"{quote_literal(header.sql_name(column))}: {quote_literal(sql_type)}" for column, sql_type in types.items()
    )
    dialect = ", ".join(f"{option} = {value}" for option, value in header.reader_options.items())
    # no sniffing: the header and dialect are known, and a sniffer gives up on the very files with bad rows
    reader = (
        f"read_csv({location}, header = true, auto_detect = false, columns = {{{columns_sql}}}, {dialect},"
        f" nullstr = {NULL_SPELLINGS}, {rejects})"
    )
    # the header is line 1; rejected lines are put back afterwards
    return SourceRelation(
        f"(SELECT *, CAST(NULL AS BIGINT) AS __line FROM {reader})",
        SourceHeader("csv", header.columns, types, header.reader_options),
        counts_rejects=True,
        first_line_from_row_ids=2,
    )


def _csv_header(path: Path) -> SourceHeader:
    """The header line and dialect, read with Python's csv module from the file's first line (whole: a legacy CUR
    with thousands of tag keys has a header far longer than any fixed block)."""
    compressed = _is_gzip(path)
    opener: Any = gzip.open if compressed else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as stream:
            sample = stream.readline(HEADER_MAX_CHARS)
            while sample.count('"') % 2 and len(sample) < HEADER_MAX_CHARS:  # a quoted name holding a line break
                more = stream.readline(HEADER_MAX_CHARS)
                if not more:
                    break
                sample += more
    except (OSError, UnicodeDecodeError, EOFError) as error:
        raise BillingFormatError(f"{path}: cannot read it as CSV: {error}") from error
    try:
        delimiter = csv.Sniffer().sniff(sample.split("\n", 1)[0], delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    first = next(csv.reader(io.StringIO(sample), delimiter=delimiter), None)
    if not first or not any(name.strip() for name in first):
        raise BillingFormatError(f"{path}: the file has no header line")
    repeated = sorted({name for name in first if first.count(name) > 1})
    if repeated:
        raise BillingFormatError(f"{path}:1: the header names a column more than once: {', '.join(repeated)}")
    options = {
        "delim": quote_literal(delimiter),
        "quote": "'\"'",
        "escape": "'\"'",
        "compression": "'gzip'" if compressed else "'none'",
    }
    return SourceHeader("csv", tuple(first), {name: "VARCHAR" for name in first}, options)


def _json_header_paths(path: Path) -> list[str]:
    """Field paths seen in the first records (an export leaves out null fields, so one record is not enough)."""
    opener: Any = gzip.open if _is_gzip(path) else open
    paths: dict[str, None] = {}
    with opener(path, "rt", encoding="utf-8-sig") as stream:
        for line in itertools.islice(stream, JSON_HEADER_SAMPLE):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue  # the import rejects this line with its number
            if isinstance(record, dict):  # any other JSON value: the import rejects its line with its number
                paths.update(dict.fromkeys(_json_paths(record)))
    if not paths:
        raise BillingFormatError(f"{path}: no JSON record in its first {JSON_HEADER_SAMPLE} lines")
    return list(paths)


def _is_gzip(path: Path) -> bool:
    with path.open("rb") as stream:
        return stream.read(2) == _GZIP_MAGIC


def _json_paths(record: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Field paths of one record: nested objects are walked (``service.description``), lists are leaves."""
    paths: list[str] = []
    for key, value in record.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            paths.extend(_json_paths(value, path + "."))
        else:
            paths.append(path)
    return paths


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
