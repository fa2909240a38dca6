"""Normalise a value's case to the allowed spelling (reason ``value_case``), or map it through the
rule's ``remediation.value_map`` (``{Prod: prod}``; also for ``not_allowed`` and ``pattern``)."""

from __future__ import annotations

from typing import ClassVar

from tagwarden.engine.policy.model import Rule
from tagwarden.remediations.actions.interface import ActionContext, Finding, Proposal
from tagwarden.remediations.plan_model import PlannedChange
from tagwarden.remediations.targets import TagEdit

REASONS = ("value_case", "not_allowed", "pattern")


class NormaliseValue:
    name: ClassVar[str] = "normalise_value"

    def propose(self, finding: Finding, context: ActionContext) -> Proposal | None:
        rule, result = finding.rule, finding.result
        if result.reason not in REASONS or result.key is None or result.value is None:
            return None
        value = result.value
        mapped = mapped_value(rule, value)
        if mapped is not None:
            source, after = "value_map", mapped
        elif result.reason == "value_case":
            allowed = allowed_spelling(rule, value)
            if allowed is None:
                return Proposal(why_not=f"no single allowed value matches '{value}' in another case")
            source, after = "allowed", allowed
        else:
            return None
        if after == value:
            return None
        edit = TagEdit(result.key, value, after)
        detail = f"'{value}' -> '{after}'"
        return Proposal(change=PlannedChange(self.name, rule.id, result.reason or "", (edit,), source, detail))


def mapped_value(rule: Rule, value: str) -> str | None:
    value_map = rule.remediation.get("value_map") or {}
    if value in value_map:
        return str(value_map[value])
    return None


def allowed_spelling(rule: Rule, value: str) -> str | None:
    literals = {item for item in rule.allowed or () if not any(char in item for char in "*?[")}
    matches = sorted(item for item in literals if item.casefold() == value.casefold())
    return matches[0] if len(matches) == 1 else None
