"""Add a missing tag (or fill an empty one) with the value ``remediation.default`` derives."""

from __future__ import annotations

from typing import ClassVar

from tagwarden.engine.evaluation.keys import expected_spelling
from tagwarden.remediations.actions.interface import ActionContext, Finding, Proposal
from tagwarden.remediations.plan_model import PlannedChange
from tagwarden.remediations.targets import TagEdit
from tagwarden.remediations.values.interface import Resolved
from tagwarden.remediations.values.registry import resolve_template


class AddTag:
    name: ClassVar[str] = "add_tag"
    reasons = ("missing", "empty_value")

    def propose(self, finding: Finding, context: ActionContext) -> Proposal | None:
        rule, result = finding.rule, finding.result
        if result.reason not in self.reasons or rule.require is None:
            return None
        template = rule.remediation.get("default")
        if not template:
            return Proposal(why_not="the rule has no remediation.default to take a value from")
        resolved = resolve_template(str(template), context.resource, context.inputs)
        if not isinstance(resolved, Resolved):
            return Proposal(why_not=f"{{{resolved.placeholder}}} has no value for this resource")
        if result.reason == "empty_value":
            key = result.key or rule.require
            before = context.tag(key)
        else:
            key = expected_spelling(rule.require, context.policy.keys.get(rule.require), context.resource.provider)
            before = None
        edit = TagEdit(key, before, resolved.value)
        change = PlannedChange(self.name, rule.id, result.reason or "", (edit,), resolved.source, resolved.detail)
        return Proposal(change=change)
