"""SQL building blocks the formats share: column references by source kind, exact money, UTC times, tags."""

from __future__ import annotations

from tagwarden.engine.cost.formats.interface import SourceHeader
from tagwarden.engine.cost.storage import MONEY

JSON_LINE_COLUMN = "j"  # a JSON Lines file is read as one VARCHAR column of this name, one record per line
EMPTY_TAGS = "CAST(MAP {} AS MAP(VARCHAR, VARCHAR))"
_FLOATS = ("FLOAT", "DOUBLE", "REAL")
_TEXTS = ("VARCHAR", "JSON")


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def json_path(dotted: str) -> str:
    return "$" + "".join("." + quote_identifier(part) for part in dotted.split("."))


class SqlColumns:
    """:class:`~tagwarden.engine.cost.formats.interface.Columns` for CSV, Parquet and JSON Lines sources."""

    def __init__(self, header: SourceHeader) -> None:
        self.header = header
        # source column -> SQL true when its text is there but is not a date: such a row is rejected, not
        # stored without the date (a typed CSV reader rejects these itself; text dates are parsed in SQL)
        self.unparsed_dates: dict[str, str] = {}

    def _find(self, candidates: tuple[str, ...]) -> str | None:
        found = self.header.find(*candidates)
        if found is None and self.header.kind == "json" and candidates:
            return candidates[0]  # an export leaves out null fields: a path not seen so far may come later
        return found

    def _identifier(self, column: str) -> str:
        return quote_identifier(self.header.sql_name(column))

    def raw(self, *candidates: str) -> str:
        column = self._find(candidates)
        if column is None:
            return "NULL"
        if self.header.kind == "json":
            return f"json_extract({JSON_LINE_COLUMN}, {quote_literal(json_path(column))})"
        return self._identifier(column)

    def text(self, *candidates: str) -> str:
        column = self._find(candidates)
        if column is None:
            return "CAST(NULL AS VARCHAR)"
        if self.header.kind == "json":
            return f"json_extract_string({JSON_LINE_COLUMN}, {quote_literal(json_path(column))})"
        reference = self._identifier(column)
        return reference if self.header.type_of(column) == "VARCHAR" else f"CAST({reference} AS VARCHAR)"

    def money(self, *candidates: str) -> str:
        column = self._find(candidates)
        if column is None:
            return f"CAST(NULL AS {MONEY})"
        source_type = self.header.type_of(column) if self.header.kind != "json" else "VARCHAR"
        if source_type == MONEY:
            return self._identifier(column)
        if source_type.startswith(_TEXTS) or source_type.startswith(_FLOATS):
            # through the shortest decimal text: a float's binary expansion is not the amount that was billed
            return f"TRY_CAST(trim({self.text(column)}) AS {MONEY})"
        return f"TRY_CAST({self._identifier(column)} AS {MONEY})"

    def timestamp(self, *candidates: str, formats: tuple[str, ...] = ()) -> str:
        column = self._find(candidates)
        if column is None:
            return "CAST(NULL AS TIMESTAMP)"
        source_type = self.header.type_of(column) if self.header.kind != "json" else "VARCHAR"
        if not source_type.startswith(_TEXTS):
            # TIMESTAMPTZ -> TIMESTAMP converts to the session's time zone, which open_billing sets to UTC
            return f"TRY_CAST({self._identifier(column)} AS TIMESTAMP)"
        value = f"trim({self.text(column)})"
        attempts = [f"try_strptime({value}, {quote_literal(pattern)})" for pattern in formats]
        attempts.append(f"TRY_CAST(TRY_CAST({value} AS TIMESTAMPTZ) AS TIMESTAMP)")
        parsed = f"coalesce({', '.join(attempts)})" if len(attempts) > 1 else attempts[0]
        self.unparsed_dates.setdefault(column, f"({value} <> '' AND {parsed} IS NULL)")
        return parsed

    def json(self, *candidates: str) -> str:
        column = self._find(candidates)
        if column is None:
            return "CAST(NULL AS JSON)"
        if self.header.kind == "json":
            return f"json_extract({JSON_LINE_COLUMN}, {quote_literal(json_path(column))})"
        source_type = self.header.type_of(column)
        if source_type.startswith(_TEXTS):
            return f"TRY_CAST({self._identifier(column)} AS JSON)"
        return f"to_json({self._identifier(column)})"


def tags_from_json_object(json_text: str) -> str:
    """A JSON object (as text) -> MAP; no value or an empty one -> empty map; anything else -> NULL (rejected).

    Keys and values are kept exactly (``" org"`` stays ``" org"``); a non-string value keeps its JSON text.
    """
    return (
        f"CASE WHEN {json_text} IS NULL OR trim({json_text}) = '' THEN {EMPTY_TAGS} "
        f"ELSE TRY(CAST(CAST({json_text} AS JSON) AS MAP(VARCHAR, VARCHAR))) END"
    )


def tags_from_key_value_records(records_json: str) -> str:
    """``[{"key": k, "value": v}, ...]`` (JSON) -> MAP; a repeated key or another shape -> NULL (rejected)."""
    return (
        f"CASE WHEN {records_json} IS NULL THEN {EMPTY_TAGS} "
        f"ELSE TRY(map_from_entries(CAST({records_json} AS STRUCT(key VARCHAR, value VARCHAR)[]))) END"
    )


def case_map(expression: str, mapping: dict[str, str], default: str) -> str:
    """``CASE expression WHEN 'a' THEN 'b' ... ELSE default END`` (``default`` is SQL)."""
    branches = " ".join(f"WHEN {quote_literal(k)} THEN {quote_literal(v)}" for k, v in mapping.items())
    return f"CASE {expression} {branches} ELSE {default} END"
