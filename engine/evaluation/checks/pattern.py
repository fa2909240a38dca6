"""``pattern:`` the value fully matches a regular expression."""

from __future__ import annotations

import re
from functools import lru_cache

from tagwarden.engine.evaluation.checks.interface import Violation
from tagwarden.engine.policy.model import Policy, Rule
from tagwarden.engine.resources import Resource


@lru_cache(maxsize=1024)
def _case_insensitive(pattern: re.Pattern[str]) -> re.Pattern[str]:
    return re.compile(pattern.pattern, pattern.flags | re.IGNORECASE)


class Pattern:
    name = "pattern"

    def applies(self, rule: Rule) -> bool:
        return rule.pattern is not None

    def check(self, rule: Rule, key: str, value: str, resource: Resource, policy: Policy) -> Violation | None:
        assert rule.pattern is not None
        pattern = _case_insensitive(rule.pattern) if rule.value_case == "insensitive" else rule.pattern
        if pattern.fullmatch(value):
            return None
        expected = f"matching {rule.pattern.pattern}"
        return Violation("pattern", f"{key} '{value}' does not match {rule.pattern.pattern}", expected)
