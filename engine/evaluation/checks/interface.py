"""The interface of a value check: one property of a required tag's value."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from tagwarden.engine.policy.model import Policy, Rule
from tagwarden.engine.resources import Resource


@dataclass(frozen=True, slots=True)
class Violation:
    reason: str  # a reason of the spec: not_allowed, pattern, value_case, parent, invalid_for_provider
    message: str
    expected: str | None = None
    depends_on: tuple[str, ...] = ()  # non-empty: the outcome cannot be known yet

    @property
    def is_unknown(self) -> bool:
        return bool(self.depends_on)


class ValueCheck(Protocol):
    """``check`` returns None when the value is fine. It must not do I/O or keep state."""

    name: str

    def applies(self, rule: Rule) -> bool: ...

    def check(self, rule: Rule, key: str, value: str, resource: Resource, policy: Policy) -> Violation | None: ...
