"""Allocation of a period's spend to owners, per the policy's ``allocation`` section.

DuckDB sums the billing rows of the period by (currency, tag map, provider, shared entry): exact
DECIMAL sums, so the figures do not depend on row order. Each distinct tag map is then classified
once in Python (:mod:`tagwarden.engine.cost.owners`, reusing the evaluation's key lookup and value
checks). Rounding happens once: the period total is rounded to the cent and split, by largest
remainder, into allocated / shared / unallocated, then into owners, entries and reasons, so every
level adds up exactly to the level above.

Shared entries are tried in order; a row goes to the first entry whose ``when`` matches (every
named FOCUS column equal to one of the values, or matching one of the globs, case-sensitively),
whatever its tags. ``proportional`` splits by the owners' positive direct spend, ``even`` between
the owners with direct spend, ``fixed`` by the given percentages. An entry that has nobody to go
to (no owner has direct spend) is unallocated, as ``shared_unassigned``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from tagwarden.engine.cost.money import apportion, as_number, to_cents
from tagwarden.engine.cost.owners import REASONS, AllocationError, OwnerClassifier, provider_of_billing
from tagwarden.engine.policy.model import Policy

COST_COLUMNS: tuple[str, ...] = ("EffectiveCost", "BilledCost", "ListCost", "ContractedCost")
DEFAULT_COST = "EffectiveCost"
SHARED_UNASSIGNED = "shared_unassigned"
NO_CURRENCY = "XXX"  # ISO 4217 "no currency", for rows without BillingCurrency
ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class OwnerAllocation:
    value: str
    direct: Decimal
    shared: Decimal

    @property
    def total(self) -> Decimal:
        return self.direct + self.shared


@dataclass(frozen=True, slots=True)
class Allocation:
    """One currency's allocation of a period; every amount is exact to the cent."""

    currency: str
    cost_column: str
    total: Decimal
    allocated: Decimal
    shared: Decimal
    unallocated: Decimal
    owners: tuple[OwnerAllocation, ...]  # by total, largest first
    unallocated_by_reason: Mapping[str, Decimal]  # no_tags, missing, invalid (+ shared_unassigned when any)

    @property
    def allocated_pct(self) -> float | None:
        """allocated / (allocated + unallocated), in percent (shared spend is in neither)."""
        base = self.allocated + self.unallocated
        return round(float(100 * self.allocated / base), 1) if base else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "cost_column": self.cost_column,
            "total": as_number(self.total),
            "allocated": as_number(self.allocated),
            "shared": as_number(self.shared),
            "unallocated": as_number(self.unallocated),
            "allocated_pct": self.allocated_pct,
            "owners": [
                {
                    "value": owner.value,
                    "direct": as_number(owner.direct),
                    "shared": as_number(owner.shared),
                    "total": as_number(owner.total),
                }
                for owner in self.owners
            ],
            "unallocated_by_reason": {
                reason: as_number(amount) for reason, amount in self.unallocated_by_reason.items()
            },
        }


def allocate(
    conn: Any, policy: Policy, period: str, *, currency: str | None = None, scope_owner: str | None = None
) -> list[Allocation]:
    """The allocation of ``period`` ('YYYY-MM'), one per currency (most billing rows first).

    ``conn`` is a DuckDB connection holding the ``billing`` table. ``scope_owner`` keeps that owner
    only: its direct and shared spend, nothing unallocated and nobody else.
    """
    classifier = OwnerClassifier(policy)
    assert policy.allocation is not None  # OwnerClassifier checked it
    cost_column = cost_column_of(policy.allocation)
    entries = tuple(policy.allocation.get("shared") or ())
    groups = _grouped_spend(conn, cost_column, entries, period, currency)
    by_currency: dict[str, _Sums] = {}
    for currency_code, tags, provider, entry, amount, rows in groups:
        sums = by_currency.setdefault(currency_code or NO_CURRENCY, _Sums())
        sums.rows += rows
        if entry is not None:
            sums.entries[entry] = sums.entries.get(entry, Decimal(0)) + amount
            continue
        attribution = classifier.classify(tags, provider_of_billing(provider))
        if attribution.owner is not None:
            sums.direct[attribution.owner] = sums.direct.get(attribution.owner, Decimal(0)) + amount
        else:
            assert attribution.reason is not None
            sums.reasons[attribution.reason] += amount
    ordered = sorted(by_currency.items(), key=lambda item: (-item[1].rows, item[0]))
    allocations = [_allocation(code, cost_column, sums, entries, classifier) for code, sums in ordered]
    if scope_owner is None:
        return allocations
    scoped = [_scoped(allocation, classifier.canonical(scope_owner)) for allocation in allocations]
    return [allocation for allocation in scoped if allocation.owners]  # not even the currencies of others


def cost_column_of(allocation: Mapping[str, Any]) -> str:
    column = str(allocation.get("cost") or DEFAULT_COST)
    if column not in COST_COLUMNS:
        raise AllocationError(f"allocation cost column {column!r} is not one of {', '.join(COST_COLUMNS)}")
    return column


@dataclass
class _Sums:
    rows: int = 0

    def __post_init__(self) -> None:
        self.direct: dict[str, Decimal] = {}
        self.reasons: dict[str, Decimal] = {reason: Decimal(0) for reason in REASONS}
        self.entries: dict[int, Decimal] = {}


def _grouped_spend(
    conn: Any, cost_column: str, entries: Sequence[Mapping[str, Any]], period: str, currency: str | None
) -> list[tuple[str | None, dict[str, str] | None, str | None, int | None, Decimal, int]]:
    columns = billing_columns(conn)
    entry_sql, entry_params = shared_entry_sql(entries, columns)
    where = "period = ?" + (" AND BillingCurrency = ?" if currency is not None else "")
    params: list[Any] = [*entry_params, period] + ([currency] if currency is not None else [])
    query = f"""
        SELECT BillingCurrency, Tags, ProviderName, {entry_sql} AS shared_entry,
               coalesce(sum(CAST("{cost_column}" AS DECIMAL(38, 10))), 0) AS amount, count(*) AS n
        FROM billing WHERE {where}
        GROUP BY ALL
    """
    return [
        (code, tags, provider, entry, Decimal(amount), int(rows))
        for code, tags, provider, entry, amount, rows in conn.execute(query, params).fetchall()
    ]


def billing_columns(conn: Any) -> frozenset[str]:
    found = conn.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'billing'").fetchall()
    if not found:
        raise AllocationError("the billing database has no `billing` table (run `tagwarden cost import` first)")
    return frozenset(str(name) for (name,) in found)


def shared_entry_sql(entries: Sequence[Mapping[str, Any]], columns: frozenset[str]) -> tuple[str, list[Any]]:
    """A CASE giving the index of the first shared entry a row matches (NULL: none), and its parameters."""
    if not entries:
        return "CAST(NULL AS INTEGER)", []
    branches: list[str] = []
    params: list[Any] = []
    for index, entry in enumerate(entries):
        conditions: list[str] = []
        for column, wanted in dict(entry.get("when") or {}).items():
            if column not in columns:
                raise AllocationError(
                    f"shared entry {entry.get('name')!r}: {column!r} is not a billing column (FOCUS names)"
                )
            values = [str(value) for value in (wanted if isinstance(wanted, list) else [wanted])]
            tests = []
            for value in values:
                tests.append(f'"{column}" GLOB ?' if any(char in value for char in "*?[") else f'"{column}" = ?')
                params.append(value)
            conditions.append("(" + " OR ".join(tests or ["FALSE"]) + ")")
        branches.append(f"WHEN {' AND '.join(conditions) or 'TRUE'} THEN {index}")
    return "CASE " + " ".join(branches) + " ELSE NULL END", params


def _allocation(
    currency: str, cost_column: str, sums: _Sums, entries: Sequence[Mapping[str, Any]], classifier: OwnerClassifier
) -> Allocation:
    owners = sorted(sums.direct)
    recipients = {index: _recipients(entries[index], sums.direct, classifier) for index in sorted(sums.entries)}
    assigned = [index for index in sorted(sums.entries) if recipients[index]]
    reasons = dict(sums.reasons)
    unassigned = sum((sums.entries[index] for index in sums.entries if not recipients[index]), Decimal(0))
    if unassigned:
        reasons[SHARED_UNASSIGNED] = unassigned
    exact_allocated = sum(sums.direct.values(), Decimal(0))
    exact_shared = sum((sums.entries[index] for index in assigned), Decimal(0))
    exact_unallocated = sum(reasons.values(), Decimal(0))
    total = to_cents(exact_allocated + exact_shared + exact_unallocated)
    allocated, shared, unallocated = apportion(total, [exact_allocated, exact_shared, exact_unallocated])
    direct = _split(allocated, {owner: Fraction(sums.direct[owner]) for owner in owners})
    reason_cents = _split(unallocated, {name: Fraction(amount) for name, amount in reasons.items()}, keep_order=True)
    shares: dict[str, Decimal] = {}
    entry_cents = apportion(shared, [sums.entries[index] for index in assigned])
    for index, amount in zip(assigned, entry_cents, strict=True):
        for name, part in _split(amount, recipients[index], by_weight=True).items():
            shares[name] = shares.get(name, Decimal(0)) + part
    everyone = sorted(set(direct) | set(shares))
    owner_rows = [OwnerAllocation(name, direct.get(name, ZERO), shares.get(name, ZERO)) for name in everyone]
    owner_rows.sort(key=lambda owner: (-owner.total, owner.value))
    return Allocation(currency, cost_column, total, allocated, shared, unallocated, tuple(owner_rows), reason_cents)


def _split(
    amount: Decimal, quotas: Mapping[str, Fraction], *, by_weight: bool = False, keep_order: bool = False
) -> dict[str, Decimal]:
    """``amount`` split by name, exactly; quotas are amounts, or weights when ``by_weight``."""
    names = list(quotas) if keep_order else sorted(quotas)
    whole = sum(quotas.values(), Fraction(0))
    exact = [Fraction(amount) * quotas[name] / whole if by_weight else quotas[name] for name in names]
    return dict(zip(names, apportion(amount, exact), strict=True))


def _recipients(
    entry: Mapping[str, Any], direct: Mapping[str, Decimal], classifier: OwnerClassifier
) -> dict[str, Fraction]:
    """Who carries a shared entry, with weights (empty: nobody can)."""
    split = entry.get("split", "proportional")
    if isinstance(split, Mapping):
        weights: dict[str, Fraction] = {}
        for name, percent in dict(split.get("fixed") or {}).items():
            owner = classifier.canonical(str(name))
            weights[owner] = weights.get(owner, Fraction(0)) + Fraction(str(percent))
        return {name: weight for name, weight in weights.items() if weight}
    if split == "even":
        return {name: Fraction(1) for name in direct}
    positive = {name: Fraction(amount) for name, amount in direct.items() if amount > 0}
    return positive


def _scoped(allocation: Allocation, owner: str) -> Allocation:
    mine = tuple(item for item in allocation.owners if item.value == owner)
    direct = sum((item.direct for item in mine), ZERO)
    shared = sum((item.shared for item in mine), ZERO)
    return Allocation(
        allocation.currency,
        allocation.cost_column,
        direct + shared,
        direct,
        shared,
        ZERO,
        mine,
        {reason: ZERO for reason in REASONS},
    )
