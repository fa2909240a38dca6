"""CSV, one row per result, safe to open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to
Excel, LibreOffice and Google Sheets; such cells get a leading ``'`` (OWASP's advice), because a
tag value like ``=HYPERLINK(...)`` comes from whoever tagged the resource.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from tagwarden.engine.outputs import _common
from tagwarden.engine.results import Report, Result, Status

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
    separator = ""

    def render(self, report: Report, *, show_all: bool = False, root: str | None = None) -> str:
        rows = list(self.items(report, _common.listed(report, show_all), show_all=show_all, root=root))
        head, tail = self.frame(report, len(rows), show_all=show_all, root=root)
        return head + "".join(rows) + tail

    def items(self, report: Report, results: Iterable[Result], *, show_all: bool, root: str | None) -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for result in results:
            if show_all or result.status is not Status.PASS:
                writer.writerow(row(result))
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()

    def frame(self, report: Report, count: int, *, show_all: bool, root: str | None) -> tuple[str, str]:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(COLUMNS)
        return buffer.getvalue(), ""


def row(result: Result) -> list[str]:
    resource = result.resource
    cells = [
        resource.file, resource.line, resource.address, resource.type, resource.provider,
        resource.account, resource.region, resource.id, result.rule, result.severity,
        result.status.value, result.reason, result.key, result.value, result.expected,
        _common.message(result), ";".join(result.depends_on),
    ]  # fmt: skip
    return [neutralise("" if cell is None else str(cell)) for cell in cells]
