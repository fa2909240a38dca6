"""The interface every cloud's tag writer implements.

A writer reads the current tags of targets (so that ``apply`` can refuse a plan whose resources
changed, and ``undo`` can check what it restores) and writes edits in as few calls as the cloud
allows. It never raises for one resource's failure: that is a ``WriteOutcome`` with ``ok=False``.
Only a writer that cannot run at all (no credentials, a bad endpoint) raises ``WriterError``.
Cloud SDKs are imported inside the writer modules, never at import of this package.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

from tagwarden.remediations.targets import TagWrite, Target, WriteOutcome


class WriterError(Exception):
    """The writer cannot run at all; the message carries the cloud's own reason."""


@dataclass(frozen=True)
class WriterOptions:
    endpoint: str | None = None  # --endpoint: sovereign clouds, private endpoints, emulators, test servers
    anonymous: bool = False  # gcp: no credentials (emulators and test servers)
    environ: Mapping[str, str] = field(default_factory=dict)  # AWS_*, TAGWARDEN_AZURE_TOKEN, ...


@dataclass
class WriterStats:
    api_calls: Counter[str] = field(default_factory=Counter)  # by "service.Operation"
    throttles: int = 0
    retries: int = 0
    # resource_id -> why its tags could not be read (403, a type the writer cannot read): such a
    # target is left out of current_tags() like a deleted one, and this says it was not deleted
    read_failures: dict[str, str] = field(default_factory=dict)

    @property
    def total_calls(self) -> int:
        return sum(self.api_calls.values())


class TagWriter(Protocol):
    provider: ClassVar[str]  # aws | azure | gcp

    def current_tags(self, targets: Sequence[Target]) -> dict[str, dict[str, str]]:
        """Tags now on each target, by ``resource_id``; a target that no longer exists is left out."""
        ...

    def write(self, writes: Sequence[TagWrite]) -> list[WriteOutcome]:
        """Make the edits; one outcome per write, in order."""
        ...
