"""The contract every output format keeps.

A format turns a finished report into text. It never evaluates anything and never touches the
file system: the CLI writes what ``render`` returns to stdout or ``-o FILE``.

``show_all`` (``--all``) adds the passing results to the formats that list results row by row
(text, json, csv). sarif, markdown and github report failures (and github unknowns) whatever it
says, and junit always lists every result, since passing test cases are part of its point.

``root`` is the path of the checked folder relative to the repository root (``infra/prod``), or
``None`` when they are the same. Formats read by a code host (sarif, github, markdown, junit) and
the text format join it to each result's ``file`` so locations resolve from the repository root;
json and csv keep ``file`` relative to the checked folder, as the JSON contract says.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol

from tagwarden.engine.results import Report, Result


class OutputError(Exception):
    """A format was asked for that does not exist, or with options it cannot take."""


class OutputFormat(Protocol):
    name: str
    description: str

    def render(self, report: Report, *, show_all: bool = False, root: str | None = None) -> str:
        """Return the whole output, ending with a newline."""
        ...


class StreamedFormat(OutputFormat, Protocol):
    """A format whose results are rendered one by one, so that a scan of millions writes them as they
    come (to a spool on disk) and never holds them all: json, csv and github.

    ``items`` renders the results it lists (it filters as ``render`` does) in the order given;
    ``frame`` gives the text before and after them once the summary is final, and ``separator`` goes
    between items. ``render`` is exactly ``head + separator.join(items) + tail``.
    """

    separator: str

    def items(self, report: Report, results: Iterable[Result], *, show_all: bool, root: str | None) -> Iterator[str]:
        ...

    def frame(self, report: Report, count: int, *, show_all: bool, root: str | None) -> tuple[str, str]:
        ...
