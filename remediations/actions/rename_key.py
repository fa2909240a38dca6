"""Rename a misspelt or mis-cased key to the policy's spelling, keeping its value (reason ``key_case``).

The finding names the spelling found (``key``) and the expected one (``expected``). The new key is
written before the old one is removed, so a failure half-way never loses the value.
"""

from __future__ import annotations

from typing import ClassVar

from tagwarden.remediations.actions.interface import ActionContext, Finding, Proposal
from tagwarden.remediations.plan_model import PlannedChange
from tagwarden.remediations.targets import TagEdit


class RenameKey:
    name: ClassVar[str] = "rename_key"

    def propose(self, finding: Finding, context: ActionContext) -> Proposal | None:
        result = finding.result
        if result.reason != "key_case" or not result.key or not result.expected:
            return None
        value = context.tag(result.key)
        if value is None:
            return Proposal(why_not=f"the value of '{result.key}' is not known")
        if result.expected in context.resource.tags.known:
            return Proposal(why_not=f"both '{result.key}' and '{result.expected}' are present")
        edits = (TagEdit(result.expected, None, value), TagEdit(result.key, value, None))
        detail = f"'{result.key}' -> '{result.expected}'"
        return Proposal(change=PlannedChange(self.name, finding.rule.id, "key_case", edits, "finding", detail))
