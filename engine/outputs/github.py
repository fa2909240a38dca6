"""GitHub Actions workflow commands: one annotation per failure or unknown, on its file and line.

Levels: failures at ``medium`` or above are errors, ``low`` failures and unknowns warnings,
``info`` failures notices. Passes and exemptions are not annotated.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from tagwarden.engine.outputs import _common
from tagwarden.engine.results import Report, Result, Status


def escape_data(text: str) -> str:
    """As GitHub's toolkit escapes a command's message; a raw newline would end the command and
    let a tag value issue commands of its own."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


@dataclass(frozen=True)
class GithubFormat:
    name = "github"
    description = "GitHub Actions annotations (::error file=...,line=...::) on the changed lines"
    separator = ""

    def render(self, report: Report, *, show_all: bool = False, root: str | None = None) -> str:
        return "".join(self.items(report, _common.ordered(report.results), show_all=show_all, root=root))

    def items(self, report: Report, results: Iterable[Result], *, show_all: bool, root: str | None) -> Iterator[str]:
        for result in results:
            command = level(report, result)
            if command:
                yield annotation(command, result, root) + "\n"

    def frame(self, report: Report, count: int, *, show_all: bool, root: str | None) -> tuple[str, str]:
        return "", ""


def level(report: Report, result: Result) -> str | None:
    if report.is_failure(result):
        if _common.at_least(result.severity, "medium"):
            return "error"
        return "warning" if result.severity == "low" else "notice"
    return "warning" if result.status is Status.UNKNOWN else None


def annotation(command: str, result: Result, root: str | None) -> str:
    resource = result.resource
    properties: dict[str, str] = {}
    if resource.file:
        properties["file"] = _common.repo_path(resource.file, root)
        if resource.line:
            properties["line"] = str(resource.line)
    properties["title"] = f"tagwarden {result.rule} ({result.severity}, {result.status.value})"
    rendered = ",".join(f"{name}={escape_property(value)}" for name, value in properties.items())
    text = f"{_common.resource_label(resource)}: {_common.message(result)}"
    return f"::{command} {rendered}::{escape_data(text)}"
