"""The interface of a value source: one kind of ``{placeholder}`` in ``remediation.default``.

A source answers the placeholders that start with its ``prefix`` (``account.tags``, ``owner_map``,
``creator``...) from what the scan recorded about the resource (its ``context``) and from inputs the
plan was given (the owner map, Terraform state). It never talks to a cloud: everything it reads was
collected before the plan was made, so that a plan can be reviewed and made again the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from tagwarden.engine.resources import Resource

if TYPE_CHECKING:
    from tagwarden.engine.evaluation.shadow import ManagedInventory
    from tagwarden.remediations.values.owner_map import OwnerMap


@dataclass(frozen=True)
class ValueInputs:
    """What sources may read besides the resource: given once per plan."""

    owner_map: OwnerMap | None = None
    iac: ManagedInventory | None = None
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Resolved:
    """A value and where it came from (``source`` names the module, ``detail`` the placeholder)."""

    value: str
    source: str
    detail: str


class ValueSource(Protocol):
    @property
    def name(self) -> str:
        """account_tags | resource_group_tags | project_labels | owner_map | creator | iac | tags"""
        ...

    @property
    def prefix(self) -> str:
        """The placeholder's first words: "account.tags", "owner_map", "creator"."""
        ...

    def resolve(self, argument: str | None, resource: Resource, inputs: ValueInputs) -> str | None:
        """The value for ``{prefix.argument}`` (argument None for ``{prefix}``), or None when unknown."""
        ...
