"""Plain text for a terminal: results grouped by file, ``file:line`` first, then a summary line."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from tagwarden.engine.outputs import _common
from tagwarden.engine.outputs._common import printable
from tagwarden.engine.results import Report, Result, Status

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_SEVERITY_COLOURS = {
    "critical": "\x1b[1;31m",
    "high": "\x1b[31m",
    "medium": "\x1b[33m",
    "low": "\x1b[36m",
    "info": "\x1b[2m",
}
_STATUS_COLOURS = {
    Status.FAIL: "\x1b[31m",
    Status.UNKNOWN: "\x1b[33m",
    Status.EXEMPT: "\x1b[2m",
    Status.PASS: "\x1b[32m",
}


@dataclass(frozen=True)
class TextFormat:
    """``color`` is passed by the CLI (a terminal, and no ``NO_COLOR``); output never guesses."""

    color: bool = False
    name = "text"
    description = "grouped by file with file:line, for a terminal (the default there)"

    def render(self, report: Report, *, show_all: bool = False, root: str | None = None) -> str:
        results = _common.listed(report, show_all)
        lines: list[str] = []
        for group, members in groupby(results, key=lambda r: _common.place(r.resource, root)):
            lines.append(self._paint(_BOLD, printable(group or "(no location)")))
            lines.extend(self._line(result, root) for result in members)
            lines.append("")
        if not results:
            lines.extend(["No findings.", ""])
        lines.extend(f"note: {printable(note)}" for note in report.notes)
        lines.append(summary_line(report))
        return "\n".join(lines) + "\n"

    def _line(self, result: Result, root: str | None) -> str:
        status = self._paint(_STATUS_COLOURS[result.status], result.status.value.upper())
        severity = self._paint(_SEVERITY_COLOURS.get(result.severity, ""), result.severity)
        where = _common.location(result.resource, root)
        text = _common.message(result)
        if result.resource.file:  # live resources are already named by their location
            text = f"{_common.resource_label(result.resource)}: {text}"
        if result.note:
            text += f" (note: {result.note})"
        return f"  {printable(where)}: {status} {severity} {printable(result.rule)} {printable(text)}"

    def _paint(self, colour: str, text: str) -> str:
        return f"{colour}{text}{_RESET}" if self.color and colour else text


def summary_line(report: Report) -> str:
    s = report.summary
    return (
        f"{s.failed} failed, {s.unknown} unknown, {s.exempt} exempt, {s.compliant} compliant "
        f"of {s.evaluated} evaluated ({_common.plural(s.resources, 'resource')}, "
        f"{s.unclassified} unclassified); score {s.score:.1f}%; "
        f"policy {printable(report.policy.name)} ({printable(report.policy.digest)})"
    )
