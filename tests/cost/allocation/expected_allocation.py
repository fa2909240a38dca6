"""The allocation the tests expect, computed independently: csv + json + Decimal, no DuckDB, no engine code.

Only what the engine must agree with to the cent: exact (unrounded) sums per owner, per reason and
per shared entry, from the raw CSV rows of the shared FOCUS sample.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path


@dataclass
class ExactAllocation:
    direct: dict[str, Decimal] = field(default_factory=dict)
    reasons: dict[str, Decimal] = field(
        default_factory=lambda: {"no_tags": Decimal(0), "missing": Decimal(0), "invalid": Decimal(0)}
    )
    shared: dict[str, Decimal] = field(default_factory=dict)  # entry name -> amount

    @property
    def total(self) -> Decimal:
        return (
            sum(self.direct.values(), Decimal(0))
            + sum(self.reasons.values(), Decimal(0))
            + sum(self.shared.values(), Decimal(0))
        )


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def sample_rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def find_key(tags: Mapping[str, str], key: str, aliases: Sequence[str]) -> str | None:
    """The exact key, else the first (sorted) key that is the key or an alias up to case and outer spaces."""
    if key in tags:
        return key
    wanted = {name.casefold() for name in (key, *aliases)}
    variants = sorted(name for name in tags if name.strip().casefold() in wanted or name.casefold() in wanted)
    return variants[0] if variants else None


def expected_allocation(
    rows: Iterator[dict[str, str]],
    *,
    period: str,
    key: str,
    aliases: Sequence[str] = (),
    owner_of: Callable[[str], str | None],
    shared: Sequence[tuple[str, str, Sequence[str]]] = (),
    cost: str = "EffectiveCost",
) -> ExactAllocation:
    """``owner_of(value)``: the owner a valid value counts for, None when invalid.
    ``shared``: (entry name, column, values) in entry order; literal values only."""
    result = ExactAllocation()
    for row in rows:
        if row["BillingPeriodStart"][:7] != period:
            continue
        amount = Decimal(row[cost])
        entry = next((name for name, column, values in shared if row[column] in values), None)
        if entry is not None:
            result.shared[entry] = result.shared.get(entry, Decimal(0)) + amount
            continue
        tags = json.loads(row["Tags"]) if row["Tags"] not in ("", "NULL") else {}
        if not tags:
            result.reasons["no_tags"] += amount
            continue
        spelling = find_key(tags, key, aliases)
        if spelling is None:
            result.reasons["missing"] += amount
            continue
        owner = owner_of(tags[spelling])
        if owner is None:
            result.reasons["invalid"] += amount
        else:
            result.direct[owner] = result.direct.get(owner, Decimal(0)) + amount
    return result


def one_of(*allowed: str, ignore_case: bool = False) -> Callable[[str], str | None]:
    def owner(value: str) -> str | None:
        for name in allowed:
            if value == name or (ignore_case and value.casefold() == name.casefold()):
                return name
        return None

    return owner


def matching(pattern: str) -> Callable[[str], str | None]:
    compiled = re.compile(pattern)
    return lambda value: value if compiled.fullmatch(value) else None
