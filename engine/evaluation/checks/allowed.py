"""``allowed:`` the value is one of a list (literals or ``*`` globs), in the rule's case mode."""

from __future__ import annotations

from dataclasses import dataclass

from tagwarden.engine.evaluation.checks.interface import Violation
from tagwarden.engine.globs import name_matches
from tagwarden.engine.policy.model import Policy, Rule
from tagwarden.engine.resources import Resource


@dataclass(frozen=True, slots=True)
class _AllowedSet:
    """Literals as sets (one lookup, however long the list), globs matched one by one."""

    literals: frozenset[str]
    folded_literals: frozenset[str]
    globs: tuple[str, ...]

    @classmethod
    def of(cls, allowed: tuple[str, ...]) -> _AllowedSet:
        literals = frozenset(value for value in allowed if "*" not in value and "?" not in value and "[" not in value)
        globs = tuple(value for value in allowed if value not in literals)
        return cls(literals, frozenset(value.casefold() for value in literals), globs)

    def matches(self, value: str, *, ignore_case: bool) -> bool:
        if value in self.literals or (ignore_case and value.casefold() in self.folded_literals):
            return True
        return any(name_matches(pattern, value, ignore_case=ignore_case) for pattern in self.globs)


# Keyed by the identity of a rule's allowed tuple, which lives as long as the policy does.
_SETS: dict[int, tuple[tuple[str, ...], _AllowedSet]] = {}


def _allowed_set(allowed: tuple[str, ...]) -> _AllowedSet:
    cached = _SETS.get(id(allowed))
    if cached is None or cached[0] is not allowed:
        cached = (allowed, _AllowedSet.of(allowed))
        _SETS[id(allowed)] = cached
    return cached[1]


class AllowedValues:
    name = "allowed"

    def applies(self, rule: Rule) -> bool:
        return rule.allowed is not None

    def check(self, rule: Rule, key: str, value: str, resource: Resource, policy: Policy) -> Violation | None:
        allowed = _allowed_set(rule.allowed or ())
        insensitive = rule.value_case == "insensitive"
        if allowed.matches(value, ignore_case=insensitive):
            return None
        expected = rule.allowed_label or "one of " + ", ".join(rule.allowed or ())
        if not insensitive and allowed.matches(value, ignore_case=True):
            return Violation("value_case", f"{key} '{value}' is allowed only in another capitalisation", expected)
        return Violation("not_allowed", f"{key} '{value}' is not {expected}", expected)
