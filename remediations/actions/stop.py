"""Stop (quarantine) a resource after its grace period, only where the rule says
``remediation.stop_after_grace: true``. The plan lists it; ``apply`` carries it out only when the
person named by ``--approved-by`` is one of the item's approvers, and only for types a writer can
stop (AWS EC2 instances)."""

from __future__ import annotations

from typing import ClassVar

from tagwarden.remediations.actions.interface import ActionContext, Finding, Proposal
from tagwarden.remediations.plan_model import PlannedStop

STOPPABLE_TYPES = frozenset({("aws", "ec2:instance")})


class Stop:
    name: ClassVar[str] = "stop"

    def propose(self, finding: Finding, context: ActionContext) -> Proposal | None:
        if finding.rule.remediation.get("stop_after_grace") is not True:
            return None
        deadline = context.deadline()
        if deadline is None or deadline >= context.as_of:
            return None
        resource = context.resource
        if (resource.provider, resource.type) not in STOPPABLE_TYPES:
            return Proposal(why_not=f"past its deadline, but tagwarden cannot stop a {resource.type}")
        return Proposal(stop=PlannedStop(finding.rule.id, deadline.isoformat()))
