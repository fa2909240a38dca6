"""The contract every billing format keeps: recognise a header, name what is missing, map onto FOCUS.

A format never reads data itself. It answers from the file's header (CSV header, Parquet schema, or the
dotted field paths of the first JSON record) and returns SQL expressions that DuckDB evaluates over the
whole file in one ``INSERT ... SELECT``; the importer does the reading, checking and storing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

SourceKind = Literal["csv", "parquet", "json"]
ReadType = Literal["money", "timestamp"]


class BillingFormatError(Exception):
    """The file cannot be imported at all (unknown format, missing columns, unreadable)."""


@dataclass(frozen=True)
class SourceHeader:
    """What a file offers: its column names (as written) and the DuckDB type each is read as."""

    kind: SourceKind
    columns: tuple[str, ...]
    types: Mapping[str, str] = field(default_factory=dict)
    reader_options: Mapping[str, str] = field(default_factory=dict)  # how to read it again (CSV dialect)

    def find(self, *candidates: str) -> str | None:
        """The first candidate present: exact spelling first, then ignoring case and ``.`` versus ``_``."""
        present = set(self.columns)
        for candidate in candidates:
            if candidate in present:
                return candidate
        folded = {_fold(column): column for column in reversed(self.columns)}
        for candidate in candidates:
            found = folded.get(_fold(candidate))
            if found is not None:
                return found
        return None

    def has(self, *candidates: str) -> bool:
        return self.find(*candidates) is not None

    def type_of(self, column: str) -> str:
        return self.types.get(column, "VARCHAR").upper()

    def sql_name(self, column: str) -> str:
        """The name DuckDB knows ``column`` by. DuckDB identifiers ignore case, yet a legacy CUR has one column
        per tag key and AWS tag keys are case-sensitive (``resourceTags/user:Env`` and ``.../user:env``): a
        column whose name repeats an earlier one but for case is read under ``name~position``."""
        index = self.columns.index(column)
        folded = column.lower()
        if any(other.lower() == folded for other in self.columns[:index]):
            return f"{column}~{index + 1}"
        return column


class Columns(Protocol):
    """SQL expressions over the source's columns; each takes candidate names, the first present wins,
    and gives ``NULL`` (of the right type) when none is."""

    header: SourceHeader

    def raw(self, *candidates: str) -> str:
        """The column as read, whatever its type (a Parquet MAP, say); ``NULL`` when absent."""
        ...

    def text(self, *candidates: str) -> str: ...

    def money(self, *candidates: str) -> str:
        """DECIMAL(38,10), exact: decimal text is never routed through a float."""
        ...

    def timestamp(self, *candidates: str, formats: tuple[str, ...] = ()) -> str:
        """TIMESTAMP in UTC; ``formats`` are strptime patterns tried before ISO 8601 (e.g. ``%m/%d/%Y``)."""
        ...

    def json(self, *candidates: str) -> str:
        """The value as DuckDB JSON (a JSON text column, a nested Parquet/JSON value), for tags and lists."""
        ...


class BillingFormat(Protocol):
    name: str  # the --format value
    title: str  # what the summary says was detected

    def matches(self, header: SourceHeader) -> bool:
        """Whether this header looks like this format (detection tries formats in registry order)."""
        ...

    def missing_columns(self, header: SourceHeader) -> list[str]:
        """Required columns the header lacks, named as the format's documentation names them."""
        ...

    def read_types(self, header: SourceHeader) -> dict[str, ReadType]:
        """Columns a CSV reader should type while reading, so a bad value rejects its row with a line number."""
        ...

    def tag_source_columns(self, header: SourceHeader) -> tuple[str, ...]:
        """The source columns the ``Tags`` expression reads (the importer may evaluate it once per distinct value)."""
        ...

    def projection(self, columns: Columns) -> dict[str, str]:
        """FOCUS column of the ``billing`` table -> SQL expression. Absent entries are stored as NULL;
        ``Tags`` must be a MAP(VARCHAR, VARCHAR): empty for no tags, NULL when the source value is unusable."""
        ...


def _fold(name: str) -> str:
    return name.strip().lower().replace(".", "_").replace(" ", "_")
