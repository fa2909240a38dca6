"""A plan rendered for review (``remediate plan --format text``). Values are shown quoted, as data."""

from __future__ import annotations

from tagwarden.remediations.plan_model import Plan, PlanItem


def _value(value: str | None) -> str:
    return "(absent)" if value is None else repr(value)


def render_plan_text(plan: Plan) -> str:
    lines = [
        f"Remediation plan for policy {plan.policy.get('name')} ({plan.policy.get('digest')}), "
        f"scan {plan.scan.get('id')} ({plan.scan.get('source')}), as of {plan.as_of}",
        f"{len(plan.items)} resources, {plan.change_count} tag changes, "
        f"{sum(len(item.notices) for item in plan.items)} notices, "
        f"{sum(1 for item in plan.items if item.stop)} stops needing approval, "
        f"{len(plan.for_a_person)} findings for a person",
        "",
    ]
    for item in plan.items:
        lines.extend(_item_lines(item))
    if plan.for_a_person:
        lines.append("For a person (no automatic fix):")
        for entry in plan.for_a_person:
            key = f" {entry.key}" if entry.key else ""
            lines.append(f"  {entry.target.resource_id}  [{entry.rule}] {entry.reason}{key}: {entry.why}")
    return "\n".join(lines) + "\n"


def _item_lines(item: PlanItem) -> list[str]:
    name = f" ({item.name})" if item.name else ""
    approvers = ", ".join(item.approvers) or "(nobody named: any approver)"
    lines = [f"{item.target.resource_id}{name}  {item.target.type}", f"  approve: {approvers}"]
    if item.managed_by:
        lines.append(
            f"  note: declared by {item.managed_by}: fix the IaC too (`tagwarden fix`), or its next deploy undoes this"
        )
    for change in item.changes:
        for edit in change.edits:
            detail = f": {change.detail}" if change.detail else ""
            lines.append(
                f"  {change.action:<15} {edit.key}: {_value(edit.before)} -> {_value(edit.after)}"
                f"   [{change.rule}, {change.reason}; from {change.source}{detail}]"
            )
    for notice in item.notices:
        who = "owner" if notice.level == 0 else f"escalation level {notice.level}"
        lines.append(f"  notify          {who} {notice.to} via {notice.channel} (deadline {notice.deadline})")
    if item.stop is not None:
        lines.append(f"  {item.stop.action:<15} after deadline {item.stop.deadline} [{item.stop.rule}]: needs approval")
    lines.append("")
    return lines
