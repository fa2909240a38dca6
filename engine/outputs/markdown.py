"""A pull-request comment or job summary: headline, summary table, then failures by file.

Tag values, addresses and file names come from whoever opened the pull request, so everything
from the input is escaped: code spans for names and values, backslash escapes for messages, and
``@`` kept from becoming a mention (a mention would notify whoever the value names).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import groupby

from tagwarden.engine.outputs import _common
from tagwarden.engine.outputs._common import printable
from tagwarden.engine.results import Report, Result

DEFAULT_MAX_ROWS = 50

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>|~&$])")
_WORD_JOINER = "\u2060"


def escape(text: str) -> str:
    """Prose that renders as itself, in a table cell or a paragraph."""
    text = _MARKDOWN_SPECIALS.sub(r"\\\1", printable(text))
    return text.replace("@", "@" + _WORD_JOINER)


def code(text: str, *, in_table: bool = True) -> str:
    """A code span that holds ``text`` literally, whatever backticks it contains."""
    text = printable(text)
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") or not text.strip() else text
    span = f"{fence}{padded}{fence}"
    # GitHub splits table rows on ``|`` before it reads code spans; ``\|`` is its escape there.
    return span.replace("|", "\\|") if in_table else span


TABLE_HEAD = ("| Line | Severity | Rule | Resource | Tag | Message |", "| ---: | --- | --- | --- | --- | --- |")


@dataclass(frozen=True)
class MarkdownFormat:
    max_rows: int = DEFAULT_MAX_ROWS
    name = "markdown"
    description = "a pull-request comment: summary table, then failures by file"

    def __post_init__(self) -> None:
        if self.max_rows < 1:
            raise ValueError(f"max_rows must be at least 1, not {self.max_rows}")

    def render(self, report: Report, *, show_all: bool = False, root: str | None = None) -> str:
        failed = _common.failures(report)
        parts = [headline(len(failed)), summary_table(report), policy_line(report)]
        if failed:
            parts.append(self._failure_tables(failed, root))
        if report.notes:
            parts.append("\n".join(f"- {escape(note)}" for note in report.notes))
        return "\n\n".join(parts) + "\n"

    def _failure_tables(self, failed: list[Result], root: str | None) -> str:
        shown = failed[: self.max_rows]
        sections = ["#### Failures"]
        for place, members in groupby(shown, key=lambda r: _common.place(r.resource, root)):
            rows = [failure_row(result) for result in members]
            sections.append("\n".join([f"**{code(place, in_table=False)}**", "", *TABLE_HEAD, *rows]))
        if len(failed) > len(shown):
            sections.append(f"…and {_common.plural(len(failed) - len(shown), 'more failure')}.")
        return "\n\n".join(sections)


def headline(failed: int) -> str:
    if failed:
        return f"### ❌ tagwarden: {_common.plural(failed, 'failure')}"
    return "### ✅ tagwarden: no failures"


def summary_table(report: Report) -> str:
    s = report.summary
    return "\n".join(
        [
            "| Resources | Evaluated | Compliant | Failed | Unknown | Exempt | Unclassified | Score |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            f"| {s.resources} | {s.evaluated} | {s.compliant} | {s.failed} | {s.unknown} | {s.exempt} "
            f"| {s.unclassified} | {s.score:.1f}% |",
        ]
    )


def policy_line(report: Report) -> str:
    policy = report.policy
    return f"Policy {code(policy.name, in_table=False)} ({code(policy.digest, in_table=False)})"


def failure_row(result: Result) -> str:
    resource = result.resource
    cells = [
        str(resource.line) if resource.file and resource.line else "",
        result.severity,
        code(result.rule),
        code(_common.resource_label(resource)),
        code(result.key) if result.key else "",
        escape(_common.message(result)),
    ]
    return "| " + " | ".join(cells) + " |"
