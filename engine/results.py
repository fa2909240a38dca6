"""Results of evaluating rules against resources, and the run report every output renders."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field

from tagwarden.engine.resources import Resource

SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low", "info")


def severity_rank(severity: str) -> int:
    """Higher is more severe: critical=4 ... info=0."""
    return len(SEVERITIES) - 1 - SEVERITIES.index(severity)


class Status(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"
    EXEMPT = "exempt"


class UnknownMode(enum.StrEnum):
    """How an ``unknown`` result counts (``--unknown``)."""

    FAIL = "fail"
    WARN = "warn"
    PASS = "pass"


@dataclass(frozen=True, slots=True)
class Result:
    rule: str
    severity: str
    status: Status
    resource: Resource
    reason: str | None = None
    key: str | None = None
    value: str | None = None
    expected: str | None = None
    message: str = ""
    depends_on: tuple[str, ...] = ()
    note: str | None = None  # e.g. why an exemption did or did not apply

    @property
    def sort_key(self) -> tuple[str, int, str, str, str, str, str, str]:
        """Sorted by file, line, rule (the spec); live resources by account, region, id, then rule."""
        file, line, provider, account, region, address, instance = self.resource.sort_key
        if file:
            return (file, line, self.rule, provider, account, region, address, instance)
        return (file, line, provider, account, region, address, instance, self.rule)


@dataclass(frozen=True, slots=True)
class Summary:
    resources: int
    evaluated: int
    compliant: int
    failed: int
    unknown: int
    exempt: int
    unclassified: int
    score: float


@dataclass(frozen=True, slots=True)
class PolicyRef:
    name: str
    digest: str


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What outputs need to describe a rule (SARIF rule metadata, Markdown headings)."""

    id: str
    title: str
    severity: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Report:
    """Everything one run produced, ready to render."""

    policy: PolicyRef
    summary: Summary
    results: Sequence[Result]
    rules: Sequence[RuleInfo] = ()
    notes: Sequence[str] = field(default_factory=tuple)
    unknown_mode: UnknownMode = UnknownMode.WARN

    def is_failure(self, result: Result) -> bool:
        """Does this result count as a failure (exit code, SARIF error) under ``--unknown``?"""
        return counts_as_failure(result, self.unknown_mode)


def counts_as_failure(result: Result, unknown_mode: UnknownMode) -> bool:
    if result.status is Status.FAIL:
        return True
    return result.status is Status.UNKNOWN and unknown_mode is UnknownMode.FAIL and result.reason != "unclassified"
