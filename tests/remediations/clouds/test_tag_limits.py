"""What each cloud refuses to write is caught when the plan is made (remediations/limits.py)."""

from __future__ import annotations

import pytest

from tagwarden.remediations.limits import count_problem, write_problem


@pytest.mark.parametrize(
    ("provider", "key", "value", "expected"),
    [
        ("aws", "CostCenter", "é" * 256, None),
        ("aws", "CostCenter", "é" * 257, "at most 256 characters"),
        ("aws", "K" * 129, "v", "1 to 128 characters"),
        ("aws", "AWS:CloudFormation:stack-name", "x", "AWS system key"),
        ("azure", "Cost/Center", "x", "allows no /"),
        ("azure", "aws:fine-on-azure", "v" * 256, None),
        ("gcp", "cost_center", "cc-1000", None),
        ("gcp", "owner", "ünïcode-ok", None),
        ("gcp", "owner", "platform@acme.example", "lowercase letters, digits"),
        ("gcp", "Owner", "x", "lowercase letters, digits"),
        ("gcp", "1owner", "x", "starts with a letter"),
        ("gcp", "owner", "x" * 64, "at most 63 characters"),
    ],
)
def test_write_problem(provider: str, key: str, value: str, expected: str | None) -> None:
    problem = write_problem(provider, key, value)
    assert (problem is None) if expected is None else (problem is not None and expected in problem), problem


def test_count_problem_ignores_aws_system_tags() -> None:
    fifty = {f"K{i}": "v" for i in range(50)}
    assert count_problem("aws", {**fifty, "aws:cloudformation:stack-name": "s"}) is None
    assert "at most 50" in str(count_problem("aws", {**fifty, "One": "more"}))
    assert count_problem("gcp", {f"k{i}": "v" for i in range(64)}) is None
    assert "at most 64" in str(count_problem("gcp", {f"k{i}": "v" for i in range(65)}))
