"""Rename a misspelt or mis-cased key to the policy's spelling, keeping its value (reason ``key_case``).

The finding names the spelling found (``key``) and the expected one (``expected``). The new key is
written before the old one is removed, so a failure half-way never loses the value. A value the rule
would refuse next (``environment: PROD`` under ``allowed: [prod]``) is fixed in the same change, as
``normalise_value`` would fix it (``value_map``, or the one allowed value differing only in case).
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import ClassVar

from tagwarden.engine.policy.model import Rule
from tagwarden.remediations.actions.interface import ActionContext, Finding, Proposal
from tagwarden.remediations.actions.normalise_value import allowed_spelling, mapped_value
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
        fixed = _value_fix(finding.rule, value)
        edits = (TagEdit(result.expected, None, fixed or value), TagEdit(result.key, value, None))
        detail = f"'{result.key}' -> '{result.expected}'" + (f", '{value}' -> '{fixed}'" if fixed else "")
        return Proposal(change=PlannedChange(self.name, finding.rule.id, "key_case", edits, "finding", detail))


def _value_fix(rule: Rule, value: str) -> str | None:
    mapped = mapped_value(rule, value)
    if mapped is not None:
        return None if mapped == value else mapped
    if rule.value_case != "exact" or not rule.allowed or any(fnmatchcase(value, item) for item in rule.allowed):
        return None
    spelled = allowed_spelling(rule, value)
    return None if spelled == value else spelled
