"""Pure evaluation: (policy, resources) -> results. No I/O, no clock: ``as_of`` is an input."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property

from tagwarden.engine.evaluation.builtin_rules import BUILTIN_RULES, builtin_results
from tagwarden.engine.evaluation.checks.interface import ValueCheck
from tagwarden.engine.evaluation.checks.registry import VALUE_CHECKS
from tagwarden.engine.evaluation.exemptions import find_waiver
from tagwarden.engine.evaluation.keys import KeyIndex, expected_spelling
from tagwarden.engine.evaluation.scope import TypeExpander, condition_holds, in_scope
from tagwarden.engine.globs import globs_regex
from tagwarden.engine.policy.model import Policy, Rule, Scope
from tagwarden.engine.resources import Resource, Taggability, Unknown
from tagwarden.engine.results import Result, RuleInfo, Status

MEMO_SIZE = 50_000  # distinct tag sets remembered; cleared when full, so memory stays bounded


@dataclass(frozen=True, slots=True)
class _Outcome:
    """A result without its resource, to be handed to every resource with the same inputs."""

    rule: str
    severity: str
    status: Status
    reason: str | None
    key: str | None
    value: str | None
    expected: str | None
    message: str
    depends_on: tuple[str, ...]
    note: str | None

    @classmethod
    def of(cls, result: Result) -> _Outcome:
        return cls(
            result.rule,
            result.severity,
            result.status,
            result.reason,
            result.key,
            result.value,
            result.expected,
            result.message,
            result.depends_on,
            result.note,
        )

    def result_for(self, resource: Resource) -> Result:
        return Result(
            rule=self.rule,
            severity=self.severity,
            status=self.status,
            resource=resource,
            reason=self.reason,
            key=self.key,
            value=self.value,
            expected=self.expected,
            message=self.message,
            depends_on=self.depends_on,
            note=self.note,
        )


def _no_expansion(resource_type: str) -> frozenset[str]:
    return frozenset((resource_type,))


@dataclass(frozen=True)
class Evaluator:
    policy: Policy
    as_of: date
    expand_type: TypeExpander = _no_expansion

    def evaluate(self, resources: Iterable[Resource]) -> list[Result]:
        results: list[Result] = []
        for resource in resources:
            results.extend(self.evaluate_resource(resource))
        return results

    def evaluate_resource(self, resource: Resource, *, include_passes: bool = True) -> list[Result]:
        """Every result for one resource; ``include_passes=False`` leaves passes out (large scans)."""
        if resource.taggability is Taggability.UNTAGGABLE:
            return []
        if resource.taggability is Taggability.UNCLASSIFIED:
            return builtin_results(resource, unclassified=True)
        memo_key = self._memo_key(resource, include_passes)
        outcomes = self._memo.get(memo_key)
        if outcomes is None:
            outcomes = [_Outcome.of(result) for result in self._evaluate_tags(resource, include_passes)]
            if len(self._memo) >= MEMO_SIZE:
                self._memo.clear()
            self._memo[memo_key] = outcomes
        return [self._with_waiver(outcome.result_for(resource)) for outcome in outcomes]

    def _evaluate_tags(self, resource: Resource, include_passes: bool) -> list[Result]:
        results = [
            result
            for result in builtin_results(resource, unclassified=False)
            if include_passes or result.status is not Status.PASS
        ]
        index = KeyIndex(resource.tags)
        for plan in self._plans:
            result = self._evaluate_rule(plan, resource, index, include_passes)
            if result is not None:
                results.append(result)
        return results

    def _memo_key(self, resource: Resource, include_passes: bool) -> tuple[object, ...]:
        """Everything rule evaluation reads (exemptions, which read the id, are applied afterwards).

        Resources with the same tags in the same place get the same outcomes: estates repeat
        their tag sets, so most resources are evaluated once per distinct set.
        """
        scope = self._scope_reads
        return (
            include_passes,
            resource.provider,
            resource.type if scope[0] else None,
            resource.account if scope[1] else None,
            resource.region if scope[2] else None,
            resource.file if scope[3] else None,
            resource.suppressions,
            tuple(resource.tags.known.items()),
            resource.tags.open_deps,
        )

    @cached_property
    def _scope_reads(self) -> tuple[bool, bool, bool, bool]:
        scopes = [rule.scope for rule in self.policy.rules]
        return (
            any(scope.resource_types for scope in scopes),
            any(scope.accounts for scope in scopes),
            any(scope.regions for scope in scopes),
            any(scope.paths for scope in scopes),
        )

    @cached_property
    def _memo(self) -> dict[tuple[object, ...], list[_Outcome]]:
        return {}

    @cached_property
    def _plans(self) -> tuple[RulePlan, ...]:
        return tuple(RulePlan.of(rule) for rule in self.policy.rules)

    def _with_waiver(self, result: Result) -> Result:
        if result.status not in (Status.FAIL, Status.UNKNOWN):
            return result
        waiver = find_waiver(self.policy.exemptions, result.rule, result.resource, self.as_of)
        if waiver is None:
            return result
        if waiver.applies:
            return replace(result, status=Status.EXEMPT, note=waiver.note)
        return replace(result, note=waiver.note)

    def _evaluate_rule(self, plan: RulePlan, resource: Resource, index: KeyIndex, passes: bool) -> Result | None:
        rule = plan.rule
        if plan.scoped and not in_scope(rule.scope, resource, self.expand_type):
            return None
        if rule.forbid:
            forbidden = _forbidden_keys(rule, resource)
            return forbidden if passes or forbidden.status is not Status.PASS else None
        outcome = _required_key(plan, resource, self.policy, index, passes)
        if outcome is None or outcome.status is Status.PASS or rule.when is None:
            return outcome
        holds = condition_holds(rule.when, resource, self.policy)
        if holds is False:
            return None
        if isinstance(holds, Unknown):
            return replace(
                outcome,
                status=Status.UNKNOWN,
                depends_on=holds.depends_on,
                message=f"applies only if {rule.when.key} matches, which cannot be known yet; {outcome.message}",
            )
        return outcome


def _result(rule: Rule, resource: Resource, status: Status, **fields: object) -> Result:
    return Result(rule=rule.id, severity=rule.severity, status=status, resource=resource, **fields)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class RulePlan:
    """What can be worked out about a rule once, instead of for every resource."""

    rule: Rule
    scoped: bool
    value_checks: tuple[ValueCheck, ...]

    @classmethod
    def of(cls, rule: Rule) -> RulePlan:
        checks = tuple(check for check in VALUE_CHECKS if check.applies(rule))
        return cls(rule, rule.scope != Scope(), checks)


def _required_key(plan: RulePlan, resource: Resource, policy: Policy, index: KeyIndex, passes: bool) -> Result | None:
    rule = plan.rule
    key = rule.require
    assert key is not None
    spec = policy.keys.get(key)
    found = index.find(key, spec, resource.provider)
    if found.kind == "missing":
        return _result(rule, resource, Status.FAIL, reason="missing", key=key, message=f"{key} is missing")
    if found.kind == "open":
        return _result(
            rule,
            resource,
            Status.UNKNOWN,
            key=key,
            depends_on=found.depends_on,
            message=f"{key} may come from {', '.join(found.depends_on)}, which cannot be known before deploy",
        )
    spelling = found.spelling or key
    if found.kind == "variant" and rule.key_case == "exact":
        return _result(
            rule,
            resource,
            Status.FAIL,
            reason="key_case",
            key=spelling,
            value=_text(found.value),
            expected=expected_spelling(key, spec, resource.provider),
            message=f"{key} is spelt '{spelling}'",
        )
    if isinstance(found.value, Unknown):
        return _result(
            rule,
            resource,
            Status.UNKNOWN,
            key=spelling,
            depends_on=found.value.depends_on,
            message=f"{spelling} depends on {', '.join(found.value.depends_on)}",
        )
    return _check_value(plan, resource, policy, spelling, str(found.value), passes)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _check_value(
    plan: RulePlan, resource: Resource, policy: Policy, key: str, value: str, passes: bool
) -> Result | None:
    rule = plan.rule
    if value == "" and "" not in (rule.allowed or ()):
        return _result(
            rule, resource, Status.FAIL, reason="empty_value", key=key, value=value, message=f"{key} is empty"
        )
    for check in plan.value_checks:
        violation = check.check(rule, key, value, resource, policy)
        if violation is None:
            continue
        status = Status.UNKNOWN if violation.is_unknown else Status.FAIL
        return _result(
            rule,
            resource,
            status,
            reason=None if violation.is_unknown else violation.reason,
            key=key,
            value=value,
            expected=violation.expected,
            message=violation.message,
            depends_on=violation.depends_on,
        )
    if not passes:
        return None
    return _result(rule, resource, Status.PASS, key=key, value=value, message=f"{key} = '{value}'")


def _forbidden_keys(rule: Rule, resource: Resource) -> Result:
    forbidden = globs_regex(rule.forbid, True)
    present = sorted(key for key in resource.tags.known if forbidden.match(key))
    if present:
        names = ", ".join(f"'{key}'" for key in present)
        return _result(
            rule,
            resource,
            Status.FAIL,
            reason="forbidden",
            key=present[0],
            value=_text(resource.tags.known[present[0]]),
            expected="none of " + ", ".join(rule.forbid),
            message=f"forbidden key {names} is present",
        )
    if resource.tags.open_deps:
        return _result(
            rule,
            resource,
            Status.UNKNOWN,
            depends_on=resource.tags.open_deps,
            message=f"tags from {', '.join(resource.tags.open_deps)} cannot be checked before deploy",
        )
    return _result(rule, resource, Status.PASS, message="no forbidden keys")


def rule_infos(policy: Policy) -> list[RuleInfo]:
    infos = [RuleInfo(rule.id, rule.title or rule.id, rule.severity, rule.description) for rule in policy.rules]
    return infos + list(BUILTIN_RULES.values())


def evaluate(
    policy: Policy,
    resources: Iterable[Resource],
    *,
    as_of: date,
    expand_type: Callable[[str], frozenset[str]] = _no_expansion,
) -> list[Result]:
    return Evaluator(policy, as_of, expand_type).evaluate(resources)
