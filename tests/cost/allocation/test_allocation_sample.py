"""Allocation of the shared FOCUS sample against an independent computation (csv + Decimal)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import duckdb
import pytest
from billing_table import FOCUS_SAMPLE, create_billing, load_focus_csv
from expected_allocation import ExactAllocation, cents, expected_allocation, matching, one_of, sample_rows

from tagwarden.engine.cost.allocation import Allocation, allocate
from tagwarden.engine.policy.model import Policy

CENT = Decimal("0.01")

ENVIRONMENT_POLICY = """
tagwarden: 1
name: env-allocation
keys:
  environment: {aliases: [env]}
rules:
  - id: environment
    require: environment
    allowed: [dev, prod]
    value_case: insensitive
allocation:
  key: environment
  shared:
    - name: commitments-and-tax
      when: {ChargeCategory: [Purchase, Tax]}
      split: proportional
    - name: credits
      when: {ChargeCategory: [Credit, Adjustment]}
      split: proportional
"""

BUSINESS_UNIT_POLICY = """
tagwarden: 1
name: bu-allocation
rules:
  - id: business-unit
    require: business_unit
    pattern: "[A-Z][a-z]+(AI|Data)"
allocation:
  key: business_unit
  cost: BilledCost
"""

ORG_POLICY = """
tagwarden: 1
name: org-allocation
rules:
  - id: org
    require: org
    allowed: [trey]
allocation:
  key: org
"""


def check_against(allocation: Allocation, exact: ExactAllocation) -> None:
    """Every figure within a cent of the exact sum, and every level adding up exactly."""
    assert allocation.total == cents(exact.total)
    assert allocation.allocated + allocation.shared + allocation.unallocated == allocation.total
    exact_allocated = sum(exact.direct.values(), Decimal(0))
    exact_shared = sum(exact.shared.values(), Decimal(0))
    assert abs(allocation.allocated - exact_allocated) < CENT
    assert abs(allocation.shared - exact_shared) < CENT
    owners = {owner.value: owner for owner in allocation.owners}
    assert set(owners) == set(exact.direct)
    for name, amount in exact.direct.items():
        assert abs(owners[name].direct - amount) < CENT, name
    assert sum((owner.direct for owner in allocation.owners), Decimal(0)) == allocation.allocated
    assert sum((owner.shared for owner in allocation.owners), Decimal(0)) == allocation.shared
    for name in exact.reasons:
        assert abs(allocation.unallocated_by_reason[name] - exact.reasons[name]) < CENT, name
    assert sum(allocation.unallocated_by_reason.values(), Decimal(0)) == allocation.unallocated
    positive = {name: amount for name, amount in exact.direct.items() if amount > 0}
    for name, amount in positive.items():  # proportional shares of the shared spend
        share = Fraction(exact_shared) * Fraction(amount) / Fraction(sum(positive.values(), Decimal(0)))
        assert abs(Fraction(owners[name].shared) - share) <= Fraction(1, 100) + Fraction(1, 200), name


def test_environment_with_alias_and_capitalisation(
    sample_billing: duckdb.DuckDBPyConnection, policy_file: Callable[[str], Policy]
) -> None:
    [allocation] = allocate(sample_billing, policy_file(ENVIRONMENT_POLICY), "2024-09")
    exact = expected_allocation(
        sample_rows(FOCUS_SAMPLE),
        period="2024-09",
        key="environment",
        aliases=["env"],
        owner_of=one_of("dev", "prod", ignore_case=True),
        shared=[
            ("commitments-and-tax", "ChargeCategory", ["Purchase", "Tax"]),
            ("credits", "ChargeCategory", ["Credit", "Adjustment"]),
        ],
    )
    assert exact.direct and exact.shared  # the sample exercises both
    check_against(allocation, exact)
    assert allocation.currency == "USD" and allocation.cost_column == "EffectiveCost"
    assert allocation.shared == cents(exact.shared["credits"])  # -3.00: the credit is shared out


def test_env_alias_spend_counts_for_its_owner(
    sample_billing: duckdb.DuckDBPyConnection, policy_file: Callable[[str], Policy]
) -> None:
    without_alias = ENVIRONMENT_POLICY.replace("keys:\n  environment: {aliases: [env]}\n", "")
    [with_alias] = allocate(sample_billing, policy_file(ENVIRONMENT_POLICY), "2024-09")
    [no_alias] = allocate(sample_billing, policy_file(without_alias), "2024-09")
    env_spend = sum(
        (Decimal(row["EffectiveCost"]) for row in sample_rows(FOCUS_SAMPLE) if '"env"' in row["Tags"]), Decimal(0)
    )
    assert env_spend != 0
    assert (
        with_alias.allocated - no_alias.allocated == cents(env_spend)
        or abs(with_alias.allocated - no_alias.allocated - env_spend) < CENT
    )
    assert (
        abs(no_alias.unallocated_by_reason["missing"] - with_alias.unallocated_by_reason["missing"] - env_spend) < CENT
    )


def test_pattern_rule_sorts_invalid_values_out(
    sample_billing: duckdb.DuckDBPyConnection, policy_file: Callable[[str], Policy]
) -> None:
    [allocation] = allocate(sample_billing, policy_file(BUSINESS_UNIT_POLICY), "2024-09")
    exact = expected_allocation(
        sample_rows(FOCUS_SAMPLE),
        period="2024-09",
        key="business_unit",
        owner_of=matching("[A-Z][a-z]+(AI|Data)"),
        cost="BilledCost",
    )
    assert exact.reasons["invalid"] and exact.reasons["missing"] and exact.reasons["no_tags"]
    check_against(allocation, exact)
    assert allocation.cost_column == "BilledCost"


def test_key_with_a_stray_space_counts(
    sample_billing: duckdb.DuckDBPyConnection, policy_file: Callable[[str], Policy]
) -> None:
    """' org' (leading space) is the key org misspelt: its spend is trey's, as evaluation finds variants."""
    [allocation] = allocate(sample_billing, policy_file(ORG_POLICY), "2024-09")
    exact = expected_allocation(sample_rows(FOCUS_SAMPLE), period="2024-09", key="org", owner_of=one_of("trey"))
    stray_only = sum(
        (
            Decimal(row["EffectiveCost"])
            for row in sample_rows(FOCUS_SAMPLE)
            if '" org"' in row["Tags"] and '"org"' not in row["Tags"]
        ),
        Decimal(0),
    )
    check_against(allocation, exact)
    [trey] = allocation.owners
    assert trey.value == "trey" and abs(trey.direct - exact.direct["trey"]) < CENT
    assert stray_only == 0 or exact.direct["trey"] > stray_only


@pytest.mark.parametrize("order", ["source_line DESC", "md5(CAST(source_line AS VARCHAR))", "hash(source_line * 7919)"])
def test_same_figures_whatever_the_row_order(
    tmp_path: Path, sample_billing: duckdb.DuckDBPyConnection, policy_file: Callable[[str], Policy], order: str
) -> None:
    policy = policy_file(ENVIRONMENT_POLICY)
    shuffled = create_billing(tmp_path / "shuffled.duckdb")
    load_focus_csv(shuffled, FOCUS_SAMPLE, order=order)
    first_lines = [line for (line,) in shuffled.execute("SELECT source_line FROM billing LIMIT 5").fetchall()]
    assert first_lines != [2, 3, 4, 5, 6]  # really another order
    assert allocate(shuffled, policy, "2024-09") == allocate(sample_billing, policy, "2024-09")
    bu = policy_file(BUSINESS_UNIT_POLICY)
    assert allocate(shuffled, bu, "2024-09") == allocate(sample_billing, bu, "2024-09")


def test_other_period_and_unknown_period(
    sample_billing: duckdb.DuckDBPyConnection, policy_file: Callable[[str], Policy]
) -> None:
    policy = policy_file(ENVIRONMENT_POLICY)
    [october] = allocate(sample_billing, policy, "2024-10")  # the one row billed in October
    assert october.total == Decimal("0.00")
    assert allocate(sample_billing, policy, "2023-01") == []
