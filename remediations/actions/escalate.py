"""After the grace period (the deadline tag is in the past), notify the next escalation level.

The level grows by one for every further grace period that passes (level 1 on the day after the
deadline, level 2 one grace period later...), up to the last level of ``notify.escalation``: the
level follows from the deadline and the plan's date, so no extra state is kept on the resource.
"""

from __future__ import annotations

from typing import ClassVar

from tagwarden.remediations.actions.interface import ActionContext, Finding, Proposal
from tagwarden.remediations.actions.mark_deadline import grace_days
from tagwarden.remediations.plan_model import PlannedNotice


class Escalate:
    name: ClassVar[str] = "escalate"

    def propose(self, finding: Finding, context: ActionContext) -> Proposal | None:
        days = grace_days(finding)
        levels = (context.notify or {}).get("escalation") or []
        deadline = context.deadline()
        if days is None or not levels or deadline is None or deadline >= context.as_of:
            return None
        overdue = (context.as_of - deadline).days
        level = min(1 + (overdue - 1) // max(days, 1), len(levels))
        target = levels[level - 1]
        notice = PlannedNotice(
            level,
            str(target["channel"]),
            str(target["to"]),
            (finding.rule.id,),
            (finding.result.message,),
            deadline.isoformat(),
        )
        return Proposal(notice=notice)
