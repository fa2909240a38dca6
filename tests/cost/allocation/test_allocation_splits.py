"""Shared splits, currencies, case handling and scope on small billing tables with figures worked out by hand."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

import duckdb
import pytest

from tagwarden.engine.cost.allocation import allocate
from tagwarden.engine.cost.money import apportion
from tagwarden.engine.cost.owners import AllocationError
from tagwarden.engine.policy.model import Policy

BillingDb = Callable[[Iterable[Mapping[str, Any]]], duckdb.DuckDBPyConnection]

POLICY = """
tagwarden: 1
name: cc
keys:
  CostCenter: {aliases: [cost_center]}
rules:
  - id: cost-center
    require: CostCenter
    allowed: [cc-1000, cc-2000, cc-3000]
    value_case: insensitive
allocation:
  key: CostCenter
  shared:
    - name: support
      when: {ServiceName: "Support*"}
      split: SPLIT
    - name: tax
      when: {ChargeCategory: [Tax, Purchase]}
      split: proportional
"""


def row(cost: str, tags: dict[str, str] | None, **fields: Any) -> dict[str, Any]:
    return {
        "period": "2026-10",
        "BillingCurrency": "USD",
        "EffectiveCost": cost,
        "BilledCost": cost,
        "ChargeCategory": "Usage",
        "ServiceName": "Compute",
        "ProviderName": "AWS",
        "Tags": tags,
        **fields,
    }


DIRECT = [
    row("100.00", {"CostCenter": "cc-1000"}),
    row("100.00", {"costcenter": "CC-2000"}),  # another capitalisation of key and value
    row("100.00", {"cost_center": "cc-3000"}),  # an alias
    row("7.00", None),
    row("5.00", {"Owner": "x"}),
    row("3.00", {"CostCenter": "cc-9999"}),
]


def policy_with(policy_file: Callable[[str], Policy], split: str) -> Policy:
    return policy_file(POLICY.replace("SPLIT", split))


def test_direct_spend_by_key_alias_and_case(billing_db: BillingDb, policy_file: Callable[[str], Policy]) -> None:
    [allocation] = allocate(billing_db(DIRECT), policy_with(policy_file, "even"), "2026-10")
    assert [(o.value, o.direct, o.shared) for o in allocation.owners] == [
        ("cc-1000", Decimal("100.00"), Decimal("0.00")),
        ("cc-2000", Decimal("100.00"), Decimal("0.00")),
        ("cc-3000", Decimal("100.00"), Decimal("0.00")),
    ]
    assert allocation.unallocated_by_reason == {
        "no_tags": Decimal("7.00"),
        "missing": Decimal("5.00"),
        "invalid": Decimal("3.00"),
    }
    assert (allocation.total, allocation.allocated, allocation.unallocated) == (
        Decimal("315.00"),
        Decimal("300.00"),
        Decimal("15.00"),
    )
    assert allocation.allocated_pct == 95.2


def test_exact_case_groups_values_apart(billing_db: BillingDb, policy_file: Callable[[str], Policy]) -> None:
    """Under value_case: exact, 'CC-2000' is not allowed: invalid, not grouped with cc-2000."""
    policy = policy_file(POLICY.replace("    value_case: insensitive\n", "").replace("SPLIT", "even"))
    [allocation] = allocate(billing_db(DIRECT), policy, "2026-10")
    assert [o.value for o in allocation.owners] == ["cc-1000", "cc-3000"]
    assert allocation.unallocated_by_reason["invalid"] == Decimal("103.00")


def test_even_split_sums_exactly(billing_db: BillingDb, policy_file: Callable[[str], Policy]) -> None:
    rows = [*DIRECT, row("100.00", {"CostCenter": "cc-1000"}, ServiceName="Support (Business)")]
    [allocation] = allocate(billing_db(rows), policy_with(policy_file, "even"), "2026-10")
    shares = {o.value: o.shared for o in allocation.owners}
    assert shares == {"cc-1000": Decimal("33.34"), "cc-2000": Decimal("33.33"), "cc-3000": Decimal("33.33")}
    assert allocation.shared == Decimal("100.00")
    assert allocation.allocated == Decimal("300.00")  # the shared row's own tag does not make it direct


def test_proportional_split(billing_db: BillingDb, policy_file: Callable[[str], Policy]) -> None:
    rows = [
        row("60.00", {"CostCenter": "cc-1000"}),
        row("30.00", {"CostCenter": "cc-2000"}),
        row("10.00", {"CostCenter": "cc-3000"}),
        row("-5.00", {"CostCenter": "cc-3000"}, ChargeCategory="Credit"),
        row("10.01", None, ChargeCategory="Tax"),
    ]
    [allocation] = allocate(billing_db(rows), policy_with(policy_file, "even"), "2026-10")
    owners = {o.value: o for o in allocation.owners}
    # weights 60 : 30 : 5 of 10.01 = 6.3221..., 3.1610..., 0.5268...
    assert {name: o.shared for name, o in owners.items()} == {
        "cc-1000": Decimal("6.32"),
        "cc-2000": Decimal("3.16"),
        "cc-3000": Decimal("0.53"),
    }
    assert owners["cc-3000"].direct == Decimal("5.00")
    assert allocation.total == Decimal("105.01") == allocation.allocated + allocation.shared


def test_fixed_split_in_percent(billing_db: BillingDb, policy_file: Callable[[str], Policy]) -> None:
    rows = [*DIRECT, row("0.10", None, ServiceName="Support")]
    policy = policy_with(policy_file, "{fixed: {CC-1000: 60, cc-2000: 40}}")
    [allocation] = allocate(billing_db(rows), policy, "2026-10")
    shares = {o.value: o.shared for o in allocation.owners}
    assert shares == {"cc-1000": Decimal("0.06"), "cc-2000": Decimal("0.04"), "cc-3000": Decimal("0.00")}


def test_fixed_split_to_an_owner_without_direct_spend(
    billing_db: BillingDb, policy_file: Callable[[str], Policy]
) -> None:
    rows = [row("10.00", {"CostCenter": "cc-1000"}), row("1.00", None, ServiceName="Support")]
    [allocation] = allocate(billing_db(rows), policy_with(policy_file, "{fixed: {cc-3000: 100}}"), "2026-10")
    assert [(o.value, o.direct, o.shared) for o in allocation.owners] == [
        ("cc-1000", Decimal("10.00"), Decimal("0.00")),
        ("cc-3000", Decimal("0.00"), Decimal("1.00")),
    ]


def test_shared_spend_with_nobody_to_carry_it_is_unallocated(
    billing_db: BillingDb, policy_file: Callable[[str], Policy]
) -> None:
    rows = [row("4.00", None), row("2.50", None, ChargeCategory="Tax")]
    [allocation] = allocate(billing_db(rows), policy_with(policy_file, "even"), "2026-10")
    assert allocation.owners == ()
    assert allocation.shared == Decimal("0.00")
    assert allocation.unallocated_by_reason["shared_unassigned"] == Decimal("2.50")
    assert allocation.unallocated == Decimal("6.50") == allocation.total
    assert allocation.allocated_pct == 0.0


def test_one_rounding_for_many_sub_cent_rows(billing_db: BillingDb, policy_file: Callable[[str], Policy]) -> None:
    """1,000 rows of 0.0004: 0.40 in total, though every row rounds to 0.00."""
    rows = [row("0.0004", {"CostCenter": f"cc-{1000 * (1 + n % 3)}"}) for n in range(999)] + [row("0.0004", None)]
    [allocation] = allocate(billing_db(rows), policy_with(policy_file, "even"), "2026-10")
    assert allocation.total == Decimal("0.40")
    assert allocation.allocated + allocation.unallocated == Decimal("0.40")
    # 0.3996 allocated and 0.0004 unallocated: the odd cent goes to the largest remainder (allocated),
    # then 0.1332 each: the cent left over to the first owner by name
    assert allocation.allocated == Decimal("0.40")
    assert allocation.unallocated_by_reason["no_tags"] == Decimal("0.00")
    assert [(o.value, o.direct) for o in allocation.owners] == [
        ("cc-1000", Decimal("0.14")),
        ("cc-2000", Decimal("0.13")),
        ("cc-3000", Decimal("0.13")),
    ]


def test_currencies_are_never_summed_across(billing_db: BillingDb, policy_file: Callable[[str], Policy]) -> None:
    rows = [
        *DIRECT,
        row("50.00", {"CostCenter": "cc-1000"}, BillingCurrency="EUR"),
        row("1.00", None, BillingCurrency="EUR", ChargeCategory="Tax"),
    ]
    policy = policy_with(policy_file, "even")
    usd, eur = allocate(billing_db(rows), policy, "2026-10")
    assert (usd.currency, usd.total) == ("USD", Decimal("315.00"))
    assert (eur.currency, eur.total, eur.shared) == ("EUR", Decimal("51.00"), Decimal("1.00"))
    assert [(o.value, o.total) for o in eur.owners] == [("cc-1000", Decimal("51.00"))]
    [only_eur] = allocate(billing_db(rows), policy, "2026-10", currency="EUR")
    assert only_eur == eur


def test_scope_owner_keeps_that_owner_only(billing_db: BillingDb, policy_file: Callable[[str], Policy]) -> None:
    rows = [*DIRECT, row("30.00", None, ChargeCategory="Tax")]
    [allocation] = allocate(billing_db(rows), policy_with(policy_file, "even"), "2026-10", scope_owner="CC-2000")
    assert [(o.value, o.direct, o.shared) for o in allocation.owners] == [
        ("cc-2000", Decimal("100.00"), Decimal("10.00"))
    ]
    assert (allocation.total, allocation.unallocated) == (Decimal("110.00"), Decimal("0.00"))
    assert set(allocation.unallocated_by_reason.values()) == {Decimal("0.00")}
    text = repr(allocation.as_dict())
    assert "cc-1000" not in text and "cc-3000" not in text


def test_unknown_when_column_and_cost_column_are_errors(
    billing_db: BillingDb, policy_file: Callable[[str], Policy]
) -> None:
    conn = billing_db(DIRECT)
    bad_column = policy_file(POLICY.replace("SPLIT", "even").replace("ServiceName:", "Servicename:"))
    with pytest.raises(AllocationError, match="'Servicename' is not a billing column"):
        allocate(conn, bad_column, "2026-10")
    bad_cost = policy_file(
        POLICY.replace("SPLIT", "even").replace("  key: CostCenter\n", "  key: CostCenter\n  cost: Cost\n")
    )
    with pytest.raises(AllocationError, match="cost column 'Cost'"):
        allocate(conn, bad_cost, "2026-10")


def test_key_without_a_rule_is_an_error(billing_db: BillingDb, policy_file: Callable[[str], Policy]) -> None:
    policy = policy_file(POLICY.replace("SPLIT", "even").replace("key: CostCenter", "key: Team"))
    with pytest.raises(AllocationError, match="'Team' is not the `require` of any rule"):
        allocate(billing_db(DIRECT), policy, "2026-10")


@pytest.mark.parametrize(
    ("target", "quotas", "parts"),
    [
        ("1.00", ["0.333333", "0.333333", "0.333334"], ["0.33", "0.33", "0.34"]),
        ("0.00", ["0.004", "-0.004"], ["0.00", "0.00"]),
        ("-3.00", ["-1.005", "-1.995"], ["-1.00", "-2.00"]),
        ("0.02", ["0.005", "0.005", "0.005", "0.005"], ["0.01", "0.01", "0.00", "0.00"]),
    ],
)
def test_apportion_adds_up_to_the_target(target: str, quotas: list[str], parts: list[str]) -> None:
    result = apportion(Decimal(target), [Decimal(q) for q in quotas])
    assert result == [Decimal(p) for p in parts]
    assert sum(result, Decimal(0)) == Decimal(target)
