"""Mark a resource for action: a ``tagwarden:deadline=YYYY-MM-DD`` tag, ``remediation.grace_days``
after the plan's date, on resources whose finding no automatic change fixes. An existing deadline is
kept (it is what escalation counts from)."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from tagwarden.remediations.actions.interface import ActionContext, Finding, Proposal, deadline_key
from tagwarden.remediations.plan_model import PlannedChange
from tagwarden.remediations.targets import TagEdit


def grace_days(finding: Finding) -> int | None:
    days = finding.rule.remediation.get("grace_days")
    return int(days) if isinstance(days, int) else None


class MarkDeadline:
    name: ClassVar[str] = "mark_deadline"

    def propose(self, finding: Finding, context: ActionContext) -> Proposal | None:
        days = grace_days(finding)
        if days is None:
            return None
        key = deadline_key(context.resource.provider)
        if context.tag(key) is not None:
            return None
        deadline = (context.as_of + timedelta(days=days)).isoformat()
        edit = TagEdit(key, None, deadline)
        detail = f"grace period of {days} days"
        change = PlannedChange(self.name, finding.rule.id, finding.result.reason or "", (edit,), "grace", detail)
        return Proposal(change=change)
