"""Numbers as a person reads them: thousands separators, two decimals for money, a currency sign."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

CENT = Decimal("0.01")
MINUS = "\u2212"  # a real minus sign: a hyphen reads as a dash next to a currency sign
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}
MISSING = "n/a"


def money(amount: Any, currency: str | None = None) -> str:
    """``$1,250.00``, ``\u2212€12.50`` (a minus sign), ``1,250.00 CHF``; ``n/a`` for a missing amount."""
    if amount is None:
        return MISSING
    value = Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_EVEN)
    sign = MINUS if value < 0 else ""
    digits = f"{abs(value):,.2f}"
    symbol = SYMBOLS.get(currency or "")
    if symbol:
        return f"{sign}{symbol}{digits}"
    return f"{sign}{digits} {currency}" if currency else f"{sign}{digits}"


def number(count: Any) -> str:
    return MISSING if count is None else f"{int(count):,}"


def percent(value: Any) -> str:
    """One decimal, as the report dict gives scores (``92.0 %``)."""
    if value is None:
        return MISSING
    return f"{Decimal(str(value)).quantize(Decimal('0.1'), rounding=ROUND_HALF_EVEN)}\u2009%"


def words(identifier: Any) -> str:
    """``no_tags`` -> ``no tags``, ``not_scanned`` -> ``not scanned``."""
    return str(identifier).replace("_", " ")
