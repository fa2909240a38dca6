"""``allowed:`` the value is one of a list (literals or ``*`` globs), in the rule's case mode."""

from __future__ import annotations

from tagwarden.engine.evaluation.checks.interface import Violation
from tagwarden.engine.globs import name_matches
from tagwarden.engine.policy.model import Policy, Rule
from tagwarden.engine.resources import Resource


def _matches_any(patterns: tuple[str, ...], value: str, *, ignore_case: bool) -> bool:
    return any(name_matches(pattern, value, ignore_case=ignore_case) for pattern in patterns)


class AllowedValues:
    name = "allowed"

    def applies(self, rule: Rule) -> bool:
        return rule.allowed is not None

    def check(self, rule: Rule, key: str, value: str, resource: Resource, policy: Policy) -> Violation | None:
        allowed = rule.allowed or ()
        insensitive = rule.value_case == "insensitive"
        if _matches_any(allowed, value, ignore_case=insensitive):
            return None
        expected = rule.allowed_label or "one of " + ", ".join(allowed)
        if not insensitive and _matches_any(allowed, value, ignore_case=True):
            return Violation("value_case", f"{key} '{value}' is allowed only in another capitalisation", expected)
        return Violation("not_allowed", f"{key} '{value}' is not {expected}", expected)
