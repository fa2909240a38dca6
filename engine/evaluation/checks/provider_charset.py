"""A required value must also be one the cloud accepts (GCP label values are lowercase, short)."""

from __future__ import annotations

from tagwarden.engine.evaluation.checks.interface import Violation
from tagwarden.engine.evaluation.provider_rules import value_problem
from tagwarden.engine.policy.model import Policy, Rule
from tagwarden.engine.resources import Resource


class ProviderCharset:
    name = "provider-charset"

    def applies(self, rule: Rule) -> bool:
        return True

    def check(self, rule: Rule, key: str, value: str, resource: Resource, policy: Policy) -> Violation | None:
        problem = value_problem(resource.provider, value)
        if problem is None:
            return None
        return Violation("invalid_for_provider", f"{key} '{value}': {problem}")
