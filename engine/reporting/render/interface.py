"""The contract every report renderer keeps.

A renderer turns the report dict (see ``tagwarden.engine.reporting.build``) into the text of one
or more files. It computes nothing and touches no file system: the CLI writes what it returns.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

ReportDict = Mapping[str, Any]


class RenderError(Exception):
    """An unknown renderer was asked for, or the report dict lacks what a renderer needs."""


class ReportRenderer(Protocol):
    name: str
    description: str

    @property
    def files(self) -> tuple[str, ...]:
        """The file names ``render`` returns, the main one first (the one ``-o -`` prints)."""
        ...

    def render(self, report: ReportDict) -> dict[str, str]:
        """Return file name -> whole text, for every name in ``files``."""
        ...
