"""Tell the owner (level 0) about a finding in its grace period, through the policy's ``notify.owner``:
a channel and a recipient template (``{tags.Owner}``, ``{owner_map.owner}``, or an address)."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from tagwarden.remediations.actions.interface import ActionContext, Finding, Proposal
from tagwarden.remediations.actions.mark_deadline import grace_days
from tagwarden.remediations.plan_model import PlannedNotice
from tagwarden.remediations.values.interface import Resolved
from tagwarden.remediations.values.registry import resolve_template


class NotifyOwner:
    name: ClassVar[str] = "notify_owner"

    def propose(self, finding: Finding, context: ActionContext) -> Proposal | None:
        days = grace_days(finding)
        owner = (context.notify or {}).get("owner")
        if days is None or not owner:
            return None
        deadline = context.deadline()
        if deadline is not None and deadline < context.as_of:
            return None  # past the grace period: escalation's turn
        when = deadline or context.as_of + timedelta(days=days)
        recipient = resolve_template(str(owner["to"]), context.resource, context.inputs)
        if not isinstance(recipient, Resolved):
            return Proposal(why_not=f"no owner to notify: {{{recipient.placeholder}}} has no value")
        notice = PlannedNotice(
            0, str(owner["channel"]), recipient.value, (finding.rule.id,), (finding.result.message,), when.isoformat()
        )
        return Proposal(notice=notice)
