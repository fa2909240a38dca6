"""``remediate plan``: a scan's failures in the store -> a reviewable plan (see ``plan_model``).

The plan is the dry run: making one reads the store and the policy only, never a cloud.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from tagwarden.engine.evaluation.keys import gcp_spelling
from tagwarden.engine.policy.model import Policy
from tagwarden.engine.resources import Resource
from tagwarden.engine.store.models import ScanInfo, StoredResource, StoredResult
from tagwarden.remediations.actions.interface import (
    DEADLINE_KEY,
    GCP_DEADLINE_KEY,
    ActionContext,
    Finding,
    Proposal,
)
from tagwarden.remediations.actions.registry import FIX_ACTIONS, FOLLOW_UP_ACTIONS
from tagwarden.remediations.limits import count_problem, write_problem
from tagwarden.remediations.plan_model import (
    ForPerson,
    Plan,
    PlanItem,
    PlannedChange,
    PlannedNotice,
    PlannedStop,
    after_edits,
    tags_digest,
)
from tagwarden.remediations.targets import Target
from tagwarden.remediations.values.interface import ValueInputs
from tagwarden.remediations.values.registry import TemplateError, check_template

LIVE_PROVIDERS = ("aws", "azure", "gcp")


class PlanError(ValueError):
    """The plan cannot be made (no scan, a bad template); the message says what to do."""


@dataclass(frozen=True)
class PlanInputs:
    policy: Policy
    as_of: date
    now: datetime
    values: ValueInputs = field(default_factory=ValueInputs)
    notify: dict[str, Any] | None = None


def check_policy_templates(policy: Policy, notify: Mapping[str, Any] | None) -> None:
    """Every placeholder names a known source: a typo is an error before anything is planned."""
    for rule in policy.rules:
        default = rule.remediation.get("default")
        if default:
            try:
                check_template(str(default))
            except TemplateError as error:
                raise PlanError(f"rule {rule.id}: remediation.default: {error}") from None
    owner = (notify or {}).get("owner")
    if owner:
        try:
            check_template(str(owner["to"]))
        except TemplateError as error:
            raise PlanError(f"notify.owner.to: {error}") from None
    channels = (notify or {}).get("channels") or {}
    for where, target in [
        ("owner", owner),
        *((f"escalation[{i}]", t) for i, t in enumerate((notify or {}).get("escalation") or [])),
    ]:
        if target and target["channel"] not in channels:
            raise PlanError(f"notify.{where}.channel: no channel named {target['channel']!r} in notify.channels")


def build_plan(
    inputs: PlanInputs,
    scan: ScanInfo,
    resources: Iterable[StoredResource],
    failures: Iterable[StoredResult],
) -> Plan:
    by_resource: dict[tuple[str, str | None], list[StoredResult]] = defaultdict(list)
    for failure in failures:
        by_resource[(failure.address, failure.instance)].append(failure)
    items: list[PlanItem] = []
    people: list[ForPerson] = []
    for stored in resources:
        found = by_resource.get(stored.key)
        if not found:
            continue
        item, unfixed = plan_resource(inputs, stored.resource, found)
        if item is not None:
            items.append(item)
        people.extend(unfixed)
    policy = inputs.policy
    return Plan(
        created_at=inputs.now.isoformat(),
        as_of=inputs.as_of.isoformat(),
        policy={"name": policy.name, "digest": policy.digest, "owner": policy.owner},
        scan={"id": scan.id, "source": scan.source, "policy_digest": scan.policy.digest},
        items=tuple(items),
        for_a_person=tuple(people),
        notify=dict(inputs.notify or {}),
    )


def target_of(resource: Resource) -> Target:
    return Target(
        provider=resource.provider,
        resource_id=resource.id or resource.address,
        type=resource.type,
        account=resource.account,
        region=resource.region,
    )


class _ResourcePlan:
    """What one resource collects while its findings go through the actions."""

    def __init__(self, inputs: PlanInputs, resource: Resource) -> None:
        self.inputs = inputs
        self.resource = resource
        self.target = target_of(resource)
        self.context = ActionContext(inputs.policy, resource, inputs.values, inputs.as_of, inputs.notify)
        self.changes: list[PlannedChange] = []
        self.notices: dict[tuple[int, str, str], PlannedNotice] = {}
        self.stop: PlannedStop | None = None
        self.people: list[ForPerson] = []
        self.approvers: list[str] = []
        self.governed = governed_keys(inputs.policy)

    def size(self) -> tuple[int, int, bool, int]:
        """Changes, notices, stop and merged notice findings: grows whenever a follow-up adds something."""
        findings = sum(len(notice.findings) for notice in self.notices.values())
        return (len(self.changes), len(self.notices), self.stop is not None, findings)

    def edited_keys(self) -> set[str]:
        return {edit.key for change in self.changes for edit in change.edits}

    def add_change(self, change: PlannedChange) -> str | None:
        """None when taken; else why not."""
        ungoverned = [edit.key for edit in change.edits if edit.key.casefold() not in self.governed]
        if ungoverned:
            return f"'{ungoverned[0]}' is not a key the policy governs"
        refused = self.cloud_refuses(change)
        if refused:
            return refused
        clash = self.edited_keys() & {edit.key for edit in change.edits}
        if clash:
            same = all(edit in {e for c in self.changes for e in c.edits} for edit in change.edits)
            return None if same else f"another rule already changes '{sorted(clash)[0]}'"
        self.changes.append(change)
        return None

    def cloud_refuses(self, change: PlannedChange) -> str | None:
        provider = self.resource.provider
        for edit in change.edits:
            problem = None if edit.after is None else write_problem(provider, edit.key, edit.after)
            if problem:
                return problem
        tags = {key: value for key, value in self.resource.tags.known.items() if isinstance(value, str)}
        edits = [edit for earlier in self.changes for edit in earlier.edits] + list(change.edits)
        return count_problem(provider, after_edits(tags, edits))

    def follow_up(self, finding: Finding, proposal: Proposal, reasons: list[str]) -> None:
        if proposal.why_not:
            reasons.append(proposal.why_not)
        if proposal.change is not None and not (self.edited_keys() & {e.key for e in proposal.change.edits}):
            refused = self.add_change(proposal.change)
            if refused:
                reasons.append(refused)
        if proposal.notice is not None:
            notice = proposal.notice
            slot = (notice.level, notice.channel, notice.to)
            earlier = self.notices.get(slot)
            if earlier is not None:
                notice = replace(
                    earlier,
                    rules=tuple(dict.fromkeys(earlier.rules + notice.rules)),
                    findings=tuple(dict.fromkeys(earlier.findings + notice.findings)),
                )
            self.notices[slot] = notice
        if proposal.stop is not None and self.stop is None:
            self.stop = proposal.stop

    def approvers_of(self, finding: Finding) -> tuple[str, ...]:
        named = finding.rule.remediation.get("approvers") or ()
        return tuple(named) or ((self.inputs.policy.owner,) if self.inputs.policy.owner else ())

    def person(self, result: StoredResult, why: str, approvers: Sequence[str] = ()) -> ForPerson:
        return ForPerson(
            self.target, self.resource.name, result.rule, result.reason or "", result.key, why, tuple(approvers)
        )


def plan_resource(
    inputs: PlanInputs, resource: Resource, failures: Sequence[StoredResult]
) -> tuple[PlanItem | None, list[ForPerson]]:
    if resource.provider not in LIVE_PROVIDERS or not resource.id:
        return None, []
    work = _ResourcePlan(inputs, resource)
    for result in failures:
        rule = inputs.policy.rule(result.rule)
        if rule is None:
            work.people.append(work.person(result, f"built-in rule {result.rule}: no automatic fix"))
            continue
        finding = Finding(rule, result)
        approvers = work.approvers_of(finding)
        reasons = _fix(work, finding)
        if reasons is None:
            work.approvers.extend(approvers)
            continue
        before = work.size()
        for action in FOLLOW_UP_ACTIONS:
            proposal = action.propose(finding, work.context)
            if proposal is not None:
                work.follow_up(finding, proposal, reasons)
        if work.size() != before:
            work.approvers.extend(approvers)
        why = "; ".join(dict.fromkeys(reasons)) or f"no automatic fix for reason '{result.reason}'"
        work.people.append(work.person(result, why, approvers))
    if not (work.changes or work.notices or work.stop):
        return None, work.people
    return _item(work), work.people


def _fix(work: _ResourcePlan, finding: Finding) -> list[str] | None:
    """None when a fix action took the finding; else the reasons none could."""
    reasons: list[str] = []
    for action in FIX_ACTIONS:
        proposal = action.propose(finding, work.context)
        if proposal is None:
            continue
        if proposal.change is not None:
            refused = work.add_change(proposal.change)
            if refused is None:
                return None
            reasons.append(refused)
        if proposal.why_not:
            reasons.append(proposal.why_not)
        break  # the first action that applies decides
    return reasons


def _item(work: _ResourcePlan) -> PlanItem:
    tags = {key: value for key, value in work.resource.tags.known.items() if isinstance(value, str)}
    edits = [edit for change in work.changes for edit in change.edits]
    provider = work.resource.provider
    return PlanItem(
        target=work.target,
        name=work.resource.name,
        tags_digest=tags_digest(provider, tags),
        after_digest=tags_digest(provider, after_edits(tags, edits)),
        approvers=tuple(dict.fromkeys(work.approvers)),
        changes=tuple(work.changes),
        notices=tuple(work.notices.values()),
        stop=work.stop,
        managed_by=_text_or_none(work.resource.context.get("managed_by")),
    )


def _text_or_none(value: Any) -> str | None:
    return str(value) if value else None


def governed_keys(policy: Policy) -> frozenset[str]:
    """Case-folded keys the policy governs: every required key, its aliases and GCP spelling, the deadline tag."""
    keys = {DEADLINE_KEY, GCP_DEADLINE_KEY}
    for rule in policy.rules:
        if rule.require is None:
            continue
        spec = policy.keys.get(rule.require)
        keys.add(rule.require)
        keys.add(gcp_spelling(rule.require, spec))
        keys.update(spec.aliases if spec else ())
    return frozenset(key.casefold() for key in keys)
