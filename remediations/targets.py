"""What a remediation changes: a live resource (``Target``) and the tag edits to make on it.

Every cloud writer and every plan speaks in these types, so that a plan made from an AWS scan and one
made from an Azure scan are applied, journaled and undone by the same code.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Target:
    """A live resource, named the way its cloud names it."""

    provider: str  # aws | azure | gcp
    resource_id: str  # ARN, Azure resource id, GCP full resource name
    type: str  # the collector's type ("ec2:instance", "Microsoft.Compute/virtualMachines", ...)
    account: str | None = None  # AWS account id, Azure subscription id, GCP project id
    region: str | None = None


@dataclass(frozen=True, slots=True)
class TagEdit:
    """Set ``key`` from ``before`` to ``after``; ``None`` means absent (``after=None`` removes the key)."""

    key: str
    before: str | None
    after: str | None

    def inverse(self) -> TagEdit:
        return TagEdit(self.key, self.after, self.before)


@dataclass(frozen=True, slots=True)
class TagWrite:
    """All the edits to make on one resource, applied together."""

    target: Target
    edits: tuple[TagEdit, ...]


@dataclass(frozen=True, slots=True)
class WriteOutcome:
    """What happened to one ``TagWrite``: ``error`` carries the cloud's own reason when it failed."""

    target: Target
    ok: bool
    error: str | None = None
