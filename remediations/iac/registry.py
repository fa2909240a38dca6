"""The IaC writers, one per file format, behind one small interface."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from tagwarden.engine.taggability.registry import TaggabilityRegistry
from tagwarden.remediations.iac.cloudformation import CloudFormationWriter
from tagwarden.remediations.iac.model import BlockFix, WriteOutcome
from tagwarden.remediations.iac.sources import Sources
from tagwarden.remediations.iac.terraform import TerraformWriter


class IacWriter(Protocol):
    """Writes the fixes of the blocks declared in the files it claims (names relative to the root)."""

    name: str

    def claims(self, file: str) -> bool: ...

    def write(self, sources: Sources, blocks: Sequence[BlockFix]) -> WriteOutcome: ...


def iac_writers(registry: TaggabilityRegistry) -> list[IacWriter]:
    writers: list[IacWriter] = [TerraformWriter(registry), CloudFormationWriter(registry)]
    names = [writer.name for writer in writers]
    if len(names) != len(set(names)):
        raise ValueError(f"duplicate IaC writer name in {names}")
    return writers
