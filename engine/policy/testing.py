"""`tagwarden policy test`: a policy's example resources must give the results it expects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tagwarden.engine.evaluation import Evaluator
from tagwarden.engine.inventory import RecordError, resource_from_record
from tagwarden.engine.policy.model import Policy, PolicyTest
from tagwarden.engine.results import Result
from tagwarden.engine.taggability.registry import default_registry


@dataclass
class TestOutcome:
    name: str
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


def run_policy_tests(policy: Policy, as_of: date) -> list[TestOutcome]:
    registry = default_registry()
    evaluator = Evaluator(policy, as_of, registry.equivalent_types)
    outcomes = []
    for test in policy.tests:
        outcome = TestOutcome(f"{test.name} (line {test.line})")
        try:
            resource = resource_from_record(
                {"id": test.name, **test.resource},
                lambda resource_type: registry.info(resource_type).taggability,
                registry.provider_of,
            )
        except RecordError as error:
            outcome.problems.append(f"the example resource is not valid: {error}")
            outcomes.append(outcome)
            continue
        results = {result.rule: result for result in evaluator.evaluate_resource(resource)}
        outcome.problems.extend(_compare(test, results))
        outcomes.append(outcome)
    return outcomes


def _compare(test: PolicyTest, results: dict[str, Result]) -> list[str]:
    problems = []
    for rule_id, expected in test.expect.items():
        result = results.get(rule_id)
        actual_status = result.status.value if result is not None else "not_applicable"
        actual_reason = result.reason if result is not None else None
        if actual_status != expected["status"]:
            detail = f" ({actual_reason}: {result.message})" if result is not None and actual_reason else ""
            problems.append(f"{rule_id}: expected {expected['status']}, got {actual_status}{detail}")
        elif "reason" in expected and actual_reason != expected["reason"]:
            problems.append(f"{rule_id}: expected reason {expected['reason']}, got {actual_reason}")
    return problems
