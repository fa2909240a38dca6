"""The policy language v1 as immutable Python objects (see shared/spec/policy-language.md)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True, slots=True)
class ValueSet:
    name: str
    values: tuple[str, ...]
    # CSV rows, for hierarchical rules that look up a parent column; empty for plain lists
    rows: tuple[Mapping[str, str], ...] = ()
    column: str | None = None


@dataclass(frozen=True, slots=True)
class KeySpec:
    name: str
    aliases: tuple[str, ...] = ()
    gcp: str | None = None


@dataclass(frozen=True, slots=True)
class Condition:
    """``when:``: the rule applies only if the resource's tag ``key`` ..."""

    key: str
    values: tuple[str, ...] | None = None  # ... has one of these values (``in``)
    present: bool | None = None  # ... is (or is not) present
    matches: re.Pattern[str] | None = None  # ... fully matches this regex


@dataclass(frozen=True, slots=True)
class Parent:
    key: str
    value_set: str
    column: str


@dataclass(frozen=True, slots=True)
class Scope:
    providers: tuple[str, ...] = ()
    resource_types: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: str = "medium"
    title: str = ""
    description: str = ""
    require: str | None = None
    forbid: tuple[str, ...] = ()
    allowed: tuple[str, ...] | None = None
    allowed_label: str | None = None  # "$cost_centers" when taken from a value set
    pattern: re.Pattern[str] | None = None
    value_case: str = "exact"
    key_case: str = "exact"
    when: Condition | None = None
    parent: Parent | None = None
    scope: Scope = field(default_factory=Scope)
    remediation: Mapping[str, Any] = field(default_factory=dict)
    line: int = 0


@dataclass(frozen=True, slots=True)
class Exemption:
    rule: str
    resources: tuple[str, ...]
    reason: str
    approved_by: str | None = None
    expires: date | None = None


@dataclass(frozen=True, slots=True)
class PolicyTest:
    """An example resource shipped with the policy and the results it must give."""

    name: str
    resource: Mapping[str, Any]
    expect: Mapping[str, Mapping[str, str]]  # rule id -> {"status": ..., "reason": ...}
    line: int = 0


@dataclass(frozen=True, slots=True)
class Policy:
    name: str
    digest: str
    rules: tuple[Rule, ...]
    description: str = ""
    owner: str = ""
    value_sets: Mapping[str, ValueSet] = field(default_factory=dict)
    keys: Mapping[str, KeySpec] = field(default_factory=dict)
    exemptions: tuple[Exemption, ...] = ()
    allocation: Mapping[str, Any] | None = None
    tests: tuple[PolicyTest, ...] = ()
    owner_map: Mapping[str, str] = field(default_factory=dict)
    # owner_map as rows: each has a "match" glob and value columns ("owner", "cost_center", ...)
    owner_rows: tuple[Mapping[str, str], ...] = ()
    sources: tuple[str, ...] = ()

    def rule(self, rule_id: str) -> Rule | None:
        return next((rule for rule in self.rules if rule.id == rule_id), None)
