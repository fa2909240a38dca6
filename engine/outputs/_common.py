"""Helpers the formats share: which results to show, in what order, and how to name places."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Sequence

from tagwarden.engine.resources import Resource
from tagwarden.engine.results import Report, Result, Status, severity_rank

# Tag values come from whoever wrote the IaC or tagged the resource: an escape sequence or a
# bidirectional override in one must not rewrite the reader's terminal.
_UNPRINTABLE = {
    **{code: f"\\x{code:02x}" for code in [*range(0x20), *range(0x7F, 0xA0)]},
    **{code: f"\\u{code:04x}" for code in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]},
    ord("\n"): "\\n",
    ord("\r"): "\\r",
    ord("\t"): "\\t",
}


def printable(text: str) -> str:
    """Control characters (newlines included) and bidi overrides spelled out as escapes."""
    return text.translate(_UNPRINTABLE)


def ordered(results: Iterable[Result]) -> list[Result]:
    """Results by file, line, rule (then address), as every format lists them."""
    return sorted(results, key=lambda result: result.sort_key)


def listed(report: Report, show_all: bool) -> list[Result]:
    """The results a row-by-row format lists: all but passes, or everything with ``show_all``."""
    return ordered(r for r in report.results if show_all or r.status is not Status.PASS)


def failures(report: Report) -> list[Result]:
    return ordered(r for r in report.results if report.is_failure(r))


def at_least(severity: str, floor: str) -> bool:
    return severity_rank(severity) >= severity_rank(floor)


def repo_path(file: str, root: str | None) -> str:
    """``file`` (relative to the checked folder) as a path from the repository root, with ``/``."""
    path = file.replace("\\", "/")
    if root:
        path = posixpath.join(root.replace("\\", "/"), path)
    return posixpath.normpath(path)


def resource_label(resource: Resource) -> str:
    """The address, with the ``count``/``for_each`` instance key when there is one."""
    if not resource.instance:
        return resource.address
    instance = resource.instance
    return resource.address + (instance if instance.startswith("[") else f"[{instance}]")


def place(resource: Resource, root: str | None) -> str:
    """Where a resource lives: its file from the repository root, or provider/account/region."""
    if resource.file:
        return repo_path(resource.file, root)
    parts: Sequence[str | None] = (resource.provider, resource.account, resource.region)
    return " ".join(part for part in parts if part)


def location(resource: Resource, root: str | None) -> str:
    """``file:line`` (or just the file) for IaC resources; the address for live ones."""
    if not resource.file:
        return resource.address
    path = repo_path(resource.file, root)
    return f"{path}:{resource.line}" if resource.line else path


def message(result: Result) -> str:
    """The result's message, or a plain one built from its fields when the rule gave none."""
    if result.message:
        return result.message
    return f"{result.key or result.rule}: {result.reason or result.status.value}"


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
