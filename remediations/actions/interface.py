"""The interface of a remediation action: a finding in, a proposal (or nothing) out.

Actions are pure: they read the finding, the resource as the scan stored it and the plan's inputs,
and propose tag edits, notices or a stop. ``apply`` carries proposals out; no action talks to a
cloud. Fix actions (add, rename, normalise) are tried in order and the first proposal wins; a
finding none of them fixes goes to the follow-up actions (deadline tag, notices, stop) and is
listed for a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Protocol

from tagwarden.engine.policy.model import Policy, Rule
from tagwarden.engine.resources import Resource
from tagwarden.engine.store.models import StoredResult
from tagwarden.remediations.plan_model import PlannedChange, PlannedNotice, PlannedStop
from tagwarden.remediations.values.interface import ValueInputs

DEADLINE_KEY = "tagwarden:deadline"
GCP_DEADLINE_KEY = "tagwarden-deadline"  # GCP label keys allow no ':'


def deadline_key(provider: str) -> str:
    return GCP_DEADLINE_KEY if provider == "gcp" else DEADLINE_KEY


@dataclass(frozen=True, slots=True)
class Finding:
    rule: Rule
    result: StoredResult


@dataclass(frozen=True)
class ActionContext:
    policy: Policy
    resource: Resource
    inputs: ValueInputs
    as_of: date
    notify: dict[str, Any] | None  # the policy's notify: section

    def tag(self, key: str) -> str | None:
        value = self.resource.tags.known.get(key)
        return value if isinstance(value, str) else None

    def deadline(self) -> date | None:
        text = self.tag(deadline_key(self.resource.provider))
        try:
            return date.fromisoformat(text) if text else None
        except ValueError:
            return None


@dataclass(frozen=True)
class Proposal:
    change: PlannedChange | None = None
    notice: PlannedNotice | None = None
    stop: PlannedStop | None = None
    why_not: str | None = None  # the action applies but cannot act (no value, no owner): for a person


class Action(Protocol):
    name: ClassVar[str]

    def propose(self, finding: Finding, context: ActionContext) -> Proposal | None:
        """None: this action does not apply to the finding."""
        ...
