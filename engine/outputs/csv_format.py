"""CSV, one row per result, safe to open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to
Excel, LibreOffice and Google Sheets; such cells get a leading ``'`` (OWASP's advice), because a
tag value like ``=HYPERLINK(...)`` comes from whoever tagged the resource.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from tagwarden.engine.outputs import _common
from tagwarden.engine.results import Report, Result

COLUMNS: Sequence[str] = (
    "file", "line", "address", "type", "provider", "account", "region", "id",
    "rule", "severity", "status", "reason", "key", "value", "expected", "message", "depends_on",
)  # fmt: skip
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


@dataclass(frozen=True)
class CsvFormat:
    name = "csv"
    description = "one row per result, for spreadsheets"

    def render(self, report: Report, *, show_all: bool = False, root: str | None = None) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(row(result) for result in _common.listed(report, show_all))
        return buffer.getvalue()


def row(result: Result) -> list[str]:
    resource = result.resource
    cells = [
        resource.file, resource.line, resource.address, resource.type, resource.provider,
        resource.account, resource.region, resource.id, result.rule, result.severity,
        result.status.value, result.reason, result.key, result.value, result.expected,
        _common.message(result), ";".join(result.depends_on),
    ]  # fmt: skip
    return [neutralise("" if cell is None else str(cell)) for cell in cells]
