"""Exact money: one rounding to the cent, and shares that always add up to the rounded whole."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

CENT = Decimal("0.01")


def to_cents(amount: Decimal | Fraction) -> Decimal:
    """Half-even to the cent (the one rounding every reported figure goes through)."""
    exact = amount if isinstance(amount, Decimal) else Decimal(amount.numerator) / Decimal(amount.denominator)
    return exact.quantize(CENT, rounding=ROUND_HALF_EVEN)


def apportion(target: Decimal, quotas: Sequence[Fraction | Decimal]) -> list[Decimal]:
    """Split ``target`` (whole cents) into parts near the exact ``quotas`` that sum to it exactly.

    Largest remainder on cents: every quota is floored to the cent and the cents left over go to
    the largest remainders (the earlier quota on a tie, so callers order their quotas by name).
    The result depends only on the quotas, never on the order billing rows were summed in.
    """
    if not quotas:
        return []
    exact = [Fraction(quota) * 100 for quota in quotas]
    floors = [math.floor(value) for value in exact]
    left = int(target * 100) - sum(floors)
    by_remainder = sorted(range(len(exact)), key=lambda index: (-(exact[index] - floors[index]), index))
    step = 1 if left >= 0 else -1
    index = 0
    while left != 0:  # normally 0 <= left <= len(quotas): one pass; more only if quotas do not sum to target
        floors[by_remainder[index % len(by_remainder)]] += step
        left -= step
        index += 1
    return [(Decimal(cents) / 100).quantize(CENT) for cents in floors]


def as_number(amount: Decimal | None) -> float | None:
    """Money in the report's JSON: a number, already rounded to the cent."""
    return None if amount is None else float(to_cents(amount))
