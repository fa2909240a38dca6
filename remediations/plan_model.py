"""The plan file: what a reviewer reads and what ``apply`` executes, as frozen records and JSON.

A plan is versioned (``"tagwarden_plan": 1``). Per resource it holds the exact tag edits (key,
before, after) with the rule, reason and value source of each, who must approve, notices to send,
a stop that needs a person's approval, and two digests of the resource's tags: as they were when
the plan was made (``tags_digest``) and as they will be once it is applied (``after_digest``).
``apply`` compares the resource's live tags with both: the first means "to do", the second "done
already" (so applying twice changes nothing), anything else means the resource changed since the
plan and the plan is refused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tagwarden.remediations.targets import TagEdit, Target

PLAN_VERSION = 1


class PlanFileError(ValueError):
    """A plan file that cannot be read; the message names the file and what is wrong."""


@dataclass(frozen=True, slots=True)
class PlannedChange:
    action: str  # add_tag | rename_key | normalise_value | mark_deadline
    rule: str
    reason: str
    edits: tuple[TagEdit, ...]
    source: str  # literal | account_tags | owner_map | creator | iac | finding | value_map | allowed | grace
    detail: str = ""


@dataclass(frozen=True, slots=True)
class PlannedNotice:
    level: int  # 0: the owner; 1..n: escalation level
    channel: str
    to: str
    rules: tuple[str, ...]
    findings: tuple[str, ...]
    deadline: str | None = None


@dataclass(frozen=True, slots=True)
class PlannedStop:
    rule: str
    deadline: str
    action: str = "stop"


@dataclass(frozen=True, slots=True)
class PlanItem:
    target: Target
    name: str | None
    tags_digest: str
    after_digest: str
    approvers: tuple[str, ...]
    changes: tuple[PlannedChange, ...] = ()
    notices: tuple[PlannedNotice, ...] = ()
    stop: PlannedStop | None = None
    managed_by: str | None = None  # an IaC tool declares it: its next apply may undo a live fix

    @property
    def edits(self) -> tuple[TagEdit, ...]:
        return tuple(edit for change in self.changes for edit in change.edits)


@dataclass(frozen=True, slots=True)
class ForPerson:
    """A finding no automatic change fixes, and why."""

    target: Target
    name: str | None
    rule: str
    reason: str
    key: str | None
    why: str
    approvers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    created_at: str
    as_of: str
    policy: Mapping[str, str]  # name, digest, owner
    scan: Mapping[str, Any]  # id, source
    items: tuple[PlanItem, ...]
    for_a_person: tuple[ForPerson, ...] = ()
    notify: Mapping[str, Any] = field(default_factory=dict)  # the policy's notify: section

    @property
    def change_count(self) -> int:
        return sum(len(item.edits) for item in self.items)

    @property
    def digest(self) -> str:
        return plan_digest(plan_body(self))


# --- digests -----------------------------------------------------------------------------------


def governed_view(provider: str, tags: Mapping[str, str]) -> dict[str, str]:
    """The tags a plan compares: on AWS without ``aws:`` system tags, which nobody may write."""
    if provider == "aws":
        return {key: value for key, value in tags.items() if not key.startswith("aws:")}
    return dict(tags)


def tags_digest(provider: str, tags: Mapping[str, str]) -> str:
    canonical = json.dumps(governed_view(provider, tags), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def after_edits(tags: Mapping[str, str], edits: Sequence[TagEdit]) -> dict[str, str]:
    result = dict(tags)
    for edit in edits:
        if edit.after is None:
            result.pop(edit.key, None)
        else:
            result[edit.key] = edit.after
    return result


def plan_digest(body: Mapping[str, Any]) -> str:
    content = {key: value for key, value in body.items() if key != "digest"}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


# --- JSON --------------------------------------------------------------------------------------


def plan_body(plan: Plan) -> dict[str, Any]:
    return {
        "tagwarden_plan": PLAN_VERSION,
        "created_at": plan.created_at,
        "as_of": plan.as_of,
        "policy": dict(plan.policy),
        "scan": dict(plan.scan),
        "summary": {
            "resources": len(plan.items),
            "changes": plan.change_count,
            "notices": sum(len(item.notices) for item in plan.items),
            "stops": sum(1 for item in plan.items if item.stop),
            "for_a_person": len(plan.for_a_person),
        },
        "items": [_item_json(item) for item in plan.items],
        "for_a_person": [_person_json(entry) for entry in plan.for_a_person],
        "notify": dict(plan.notify),
    }


def plan_json(plan: Plan) -> str:
    body = plan_body(plan)
    body["digest"] = plan_digest(body)
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def target_json(target: Target) -> dict[str, Any]:
    return {
        "provider": target.provider,
        "id": target.resource_id,
        "type": target.type,
        "account": target.account,
        "region": target.region,
    }


def edit_json(edit: TagEdit) -> dict[str, Any]:
    return {"key": edit.key, "before": edit.before, "after": edit.after}


def _item_json(item: PlanItem) -> dict[str, Any]:
    return {
        "resource": {**target_json(item.target), "name": item.name, "managed_by": item.managed_by},
        "tags_digest": item.tags_digest,
        "after_digest": item.after_digest,
        "approvers": list(item.approvers),
        "changes": [
            {
                "action": change.action,
                "rule": change.rule,
                "reason": change.reason,
                "source": change.source,
                "detail": change.detail,
                "edits": [edit_json(edit) for edit in change.edits],
            }
            for change in item.changes
        ],
        "notices": [
            {
                "level": notice.level,
                "channel": notice.channel,
                "to": notice.to,
                "rules": list(notice.rules),
                "findings": list(notice.findings),
                "deadline": notice.deadline,
            }
            for notice in item.notices
        ],
        "stop": None
        if item.stop is None
        else {"action": item.stop.action, "rule": item.stop.rule, "deadline": item.stop.deadline},
    }


def _person_json(entry: ForPerson) -> dict[str, Any]:
    return {
        "resource": {**target_json(entry.target), "name": entry.name},
        "rule": entry.rule,
        "reason": entry.reason,
        "key": entry.key,
        "why": entry.why,
        "approvers": list(entry.approvers),
    }


def load_plan(path: Path) -> tuple[Plan, str]:
    """The plan and its digest. A plan is applied exactly as it was made: one edited since (its content no
    longer hashes to its ``digest``) is refused, and so is one that would write a key nobody may write."""
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PlanFileError(f"{path}: no such plan file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise PlanFileError(f"{path}: cannot be read: {error}") from None
    except json.JSONDecodeError as error:
        raise PlanFileError(f"{path}:{error.lineno}: not valid JSON: {error.msg}") from None
    if not isinstance(body, dict) or body.get("tagwarden_plan") != PLAN_VERSION:
        raise PlanFileError(f"{path}: not a tagwarden plan (version {PLAN_VERSION}); make one with `remediate plan`")
    digest = plan_digest(body)
    if body.get("digest") != digest:
        raise PlanFileError(
            f"{path}: the plan was edited after it was made (its content hashes to {digest}, not to its digest "
            f"{body.get('digest')!r}); make a new plan with `remediate plan` (to leave resources out, "
            "use --skip-changed or a narrower policy)"
        )
    try:
        plan = _plan_of(body)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise PlanFileError(f"{path}: malformed plan ({type(error).__name__}: {error})") from None
    reserved = reserved_edits(plan)
    if reserved:
        raise PlanFileError(f"{path}: the plan edits reserved tag keys, which no one may write: {'; '.join(reserved)}")
    return plan, digest


def reserved_edits(plan: Plan) -> list[str]:
    """Edits of AWS system keys (``aws:`` in any case): AWS refuses them, and a plan never proposes them."""
    return [
        f"{item.target.resource_id}: {edit.key}"
        for item in plan.items
        if item.target.provider == "aws"
        for edit in item.edits
        if edit.key[:4].casefold() == "aws:"
    ]


def _target_of(raw: Mapping[str, Any]) -> Target:
    return Target(
        provider=str(raw["provider"]),
        resource_id=str(raw["id"]),
        type=str(raw["type"]),
        account=raw.get("account"),
        region=raw.get("region"),
    )


def edit_of(raw: Mapping[str, Any]) -> TagEdit:
    before, after = raw.get("before"), raw.get("after")
    for value in (before, after):
        if value is not None and not isinstance(value, str):
            raise ValueError(f"tag values are strings or null, not {value!r}")
    return TagEdit(str(raw["key"]), before, after)


def _plan_of(body: Mapping[str, Any]) -> Plan:
    items = []
    for raw in body["items"]:
        stop = raw.get("stop")
        items.append(
            PlanItem(
                target=_target_of(raw["resource"]),
                name=raw["resource"].get("name"),
                tags_digest=str(raw["tags_digest"]),
                after_digest=str(raw["after_digest"]),
                approvers=tuple(raw.get("approvers", ())),
                changes=tuple(
                    PlannedChange(
                        action=str(change["action"]),
                        rule=str(change["rule"]),
                        reason=str(change["reason"]),
                        edits=tuple(edit_of(edit) for edit in change["edits"]),
                        source=str(change.get("source", "")),
                        detail=str(change.get("detail", "")),
                    )
                    for change in raw.get("changes", ())
                ),
                notices=tuple(
                    PlannedNotice(
                        level=int(notice["level"]),
                        channel=str(notice["channel"]),
                        to=str(notice["to"]),
                        rules=tuple(notice.get("rules", ())),
                        findings=tuple(notice.get("findings", ())),
                        deadline=notice.get("deadline"),
                    )
                    for notice in raw.get("notices", ())
                ),
                stop=None if not stop else PlannedStop(str(stop["rule"]), str(stop["deadline"]), str(stop["action"])),
                managed_by=raw["resource"].get("managed_by"),
            )
        )
    people = tuple(
        ForPerson(
            target=_target_of(raw["resource"]),
            name=raw["resource"].get("name"),
            rule=str(raw["rule"]),
            reason=str(raw["reason"]),
            key=raw.get("key"),
            why=str(raw["why"]),
            approvers=tuple(raw.get("approvers", ())),
        )
        for raw in body.get("for_a_person", ())
    )
    return Plan(
        created_at=str(body["created_at"]),
        as_of=str(body["as_of"]),
        policy=dict(body["policy"]),
        scan=dict(body["scan"]),
        items=tuple(items),
        for_a_person=people,
        notify=dict(body.get("notify") or {}),
    )
