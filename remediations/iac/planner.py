"""Check results -> the tag changes each resource needs, worked out on a copy of its tags.

The planner re-evaluates the copy after each round, so that fixes which reveal further findings are
made too (a renamed CostCenter must then sit under its BusinessUnit; Environment=prod then needs a
DataClassification). Evaluation is the check's own; nothing here reads files.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from tagwarden.engine.evaluation import Evaluator
from tagwarden.engine.evaluation.keys import expected_spelling
from tagwarden.engine.evaluation.provider_rules import value_problem
from tagwarden.engine.policy.model import Policy, Rule
from tagwarden.engine.resources import Resource, Taggability, TagSet, TagValue
from tagwarden.engine.results import Result, Status
from tagwarden.remediations.iac.model import LeftFinding, ResourceFix, ValueChange
from tagwarden.remediations.iac.values import resolve_default

MAX_ROUNDS = 8
PathsOf = Callable[[Resource], Sequence[str]]


def plan_resource(resource: Resource, policy: Policy, evaluator: Evaluator, paths_of: PathsOf) -> ResourceFix:
    fix = ResourceFix(resource)
    if resource.taggability is not Taggability.TAGGABLE:
        return fix
    tags: dict[str, TagValue] = dict(resource.tags.known)
    given_up: set[tuple[str, str | None]] = set()
    failures: list[Result] = []
    for _round in range(MAX_ROUNDS):
        current = replace(resource, tags=TagSet(dict(tags), resource.tags.open_deps))
        failures = [r for r in evaluator.evaluate_resource(current, include_passes=False) if r.status is Status.FAIL]
        changed = False
        for result in failures:
            if (result.rule, result.reason) in given_up:
                continue
            if _fix_one(result, policy, tags, fix, paths_of):
                changed = True
                for key in (result.key, result.expected):
                    if key:
                        fix.rule_of.setdefault(key, result.rule)
            else:
                given_up.add((result.rule, result.reason))
        if not changed:
            break
    for result in failures:
        fix.left.append(_left(resource, result, fix))
    return fix


def _left(resource: Resource, result: Result, fix: ResourceFix) -> LeftFinding:
    why = fix.why.get((result.rule, result.reason), "")
    message = result.message + (f" ({why})" if why else "")
    return LeftFinding(resource.file or "", resource.line or 0, _display_address(resource), result.rule, message)


def _display_address(resource: Resource) -> str:
    return resource.address + (resource.instance or "") if resource.instance else resource.address


def _explain(fix: ResourceFix, result: Result, why: str) -> bool:
    """Remember why a finding stays, for the listing; always False (nothing was fixed)."""
    fix.why.setdefault((result.rule, result.reason), why)
    return False


def _fix_one(result: Result, policy: Policy, tags: dict[str, TagValue], fix: ResourceFix, paths_of: PathsOf) -> bool:
    rule = policy.rule(result.rule)
    if rule is None:
        return _explain(fix, result, "a built-in rule: fixed only through the rules it overlaps")
    resource = fix.resource
    reason = result.reason
    if reason == "missing" and rule.require:
        return _add_missing(rule, policy, tags, fix, paths_of, result)
    if reason == "key_case" and result.key and result.expected and result.key in tags:
        tags[result.expected] = tags.pop(result.key)
        fix.renames[_original_spelling(fix, result.key)] = result.expected
        if result.key in fix.adds:  # renaming a key this fix adds: add it under the right name instead
            fix.adds[result.expected] = fix.adds.pop(result.key)
        return True
    if reason == "parent" and rule.parent is not None:
        return _add_parent(rule, policy, tags, fix, result)
    if result.key and isinstance(result.value, str) and result.key in tags:
        new = _normalised(rule, reason, result.value, resource.provider)
        if new is not None and new != result.value:
            tags[result.key] = new
            _record_value(fix, result.key, result.value, new)
            return True
    return _explain(fix, result, "the value is not one fix may choose")


def _original_spelling(fix: ResourceFix, spelling: str) -> str:
    for old, new in fix.renames.items():
        if new == spelling:
            return old
    return spelling


def _record_value(fix: ResourceFix, key: str, old: str, new: str) -> None:
    if key in fix.adds:
        fix.adds[key] = new
        return
    first = fix.values.get(key)
    fix.values[key] = ValueChange(key, first.old if first else old, new)


def _add_missing(
    rule: Rule, policy: Policy, tags: dict[str, TagValue], fix: ResourceFix, paths_of: PathsOf, result: Result
) -> bool:
    assert rule.require is not None
    resource = fix.resource
    key = expected_spelling(rule.require, policy.keys.get(rule.require), resource.provider)
    resolved = resolve_default(rule, resource, policy, paths_of(resource))
    if resolved.value is None:
        return _explain(fix, result, resolved.why_not)
    value = _normalised(rule, None, resolved.value, resource.provider) or resolved.value
    tags[key] = value
    fix.adds[key] = value
    fix.rule_of.setdefault(key, rule.id)
    if rule.remediation.get("in_default_tags"):
        fix.default_tag_keys.add(key)
    return True


def _add_parent(rule: Rule, policy: Policy, tags: dict[str, TagValue], fix: ResourceFix, result: Result) -> bool:
    """A missing parent key takes the one parent the value set lists for the child value."""
    parent = rule.parent
    assert parent is not None and rule.require is not None
    resource = fix.resource
    child_key = result.key or rule.require
    child = tags.get(child_key)
    parent_key = expected_spelling(parent.key, policy.keys.get(parent.key), resource.provider)
    if not isinstance(child, str) or parent_key in tags:
        return _explain(fix, result, f"{parent.key} is set: which value is right is a person's call")
    value_set = policy.value_sets[parent.value_set]
    fold = str.casefold if rule.value_case == "insensitive" else str
    parents = sorted(
        {row[parent.column] for row in value_set.rows if fold(row.get(value_set.column or "", "")) == fold(child)}
    )
    if len(parents) != 1 or not parents[0]:
        return _explain(fix, result, f"${value_set.name} does not name exactly one {parent.key} for '{child}'")
    value = parents[0].lower() if resource.provider == "gcp" and value_problem("gcp", parents[0]) else parents[0]
    tags[parent_key] = value
    fix.adds[parent_key] = value
    fix.rule_of.setdefault(parent_key, rule.id)
    return True


def _normalised(rule: Rule, reason: str | None, value: str, provider: str) -> str | None:
    """The same value, spelt as the policy and the cloud want it; None when no spelling fits."""
    mapped = rule.remediation.get("value_map", {}).get(value)
    if isinstance(mapped, str):
        return mapped
    if rule.allowed and reason in ("value_case", None, "invalid_for_provider"):
        same = [allowed for allowed in rule.allowed if allowed.casefold() == value.casefold() and "*" not in allowed]
        if len(set(same)) == 1 and value_problem(provider, same[0]) is None:
            return same[0]
    if provider == "gcp" and value_problem(provider, value) and value_problem(provider, value.lower()) is None:
        return value.lower()
    return None
