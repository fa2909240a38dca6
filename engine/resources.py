"""The resource model that every source produces and every rule reads.

IaC loaders (Terraform, plan JSON, CloudFormation), live collectors and inventory files all turn
their input into :class:`Resource` objects. Evaluation never looks past this model.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value that cannot be known before deploy; ``depends_on`` names what it waits for."""

    depends_on: tuple[str, ...]

    def __str__(self) -> str:
        return "(known after apply: " + ", ".join(self.depends_on) + ")"


TagValue = str | Unknown


@dataclass(frozen=True, slots=True)
class TagSet:
    """The tags a resource carries.

    ``known`` maps each key that is certainly present to its value (which may itself be
    :class:`Unknown`). ``open_deps`` is non-empty when further keys may come from a source that
    cannot be known yet (``merge(var.tags, {...})`` with no value for ``var.tags``).
    """

    known: Mapping[str, TagValue] = field(default_factory=dict)
    open_deps: tuple[str, ...] = ()

    @property
    def is_open(self) -> bool:
        return bool(self.open_deps)


class Taggability(enum.Enum):
    TAGGABLE = "taggable"
    UNTAGGABLE = "untaggable"
    UNCLASSIFIED = "unclassified"


@dataclass(frozen=True, slots=True)
class Suppression:
    """An inline ``# tagwarden:ignore rule[,rule] reason`` comment found at a resource."""

    rules: tuple[str, ...]
    reason: str
    line: int


@dataclass(frozen=True, slots=True)
class Resource:
    """One resource, declared in IaC or found live.

    ``address`` is the Terraform address (module path, no instance key), the CloudFormation
    logical id, or the cloud id for live resources. ``file`` is relative to the checked folder.
    ``context`` holds account/resource-group/project tags and similar, for rules and remediation.
    """

    provider: str
    type: str
    address: str
    tags: TagSet
    taggability: Taggability = Taggability.TAGGABLE
    id: str | None = None
    name: str | None = None
    account: str | None = None
    region: str | None = None
    file: str | None = None
    line: int | None = None
    instance: str | None = None
    suppressions: tuple[Suppression, ...] = ()
    context: Mapping[str, Any] = field(default_factory=dict)

    @property
    def sort_key(self) -> tuple[str, int, str, str, str, str, str]:
        """IaC by file and line; live resources by provider, account, region and id."""
        return (
            self.file or "",
            self.line or 0,
            self.provider,
            self.account or "",
            self.region or "",
            self.address,
            self.instance or "",
        )


@dataclass(frozen=True, slots=True)
class SourceProblem:
    """Input that could not be read (a file that does not parse, a bad inventory line).

    It becomes a ``parse-error`` finding so the rest of the input is still checked.
    """

    file: str
    line: int
    message: str
    rule: str = "parse-error"
    severity: str = "high"
