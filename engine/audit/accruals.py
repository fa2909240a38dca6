"""Accruals at close: spend for the days of a period not yet invoiced, estimated from the run rate.

Run rate = average daily EffectiveCost over the last 7 invoiced days (days with billing rows), per
currency (currencies are never summed across). Reads the DuckDB ``billing`` table of the cost contract.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

RUN_RATE_DAYS = 7
BASIS = f"run rate of the last {RUN_RATE_DAYS} invoiced days"
_CENT = Decimal("0.01")


def accruals_for(billing_conn: Any, period: str) -> dict[str, Any] | None:
    """The accrual of the currency with the most invoiced spend, with ``other_currencies``; None when
    every currency is invoiced to the period's last day (or the period has no billing rows)."""
    from tagwarden.engine.audit.periods import period_bounds

    first_day, last_day = period_bounds(period)
    daily = _daily_costs(billing_conn, period, first_day, last_day)
    estimates = [
        estimate
        for currency, days in sorted(daily.items(), key=lambda item: (-sum(item[1].values()), item[0]))
        if (estimate := _estimate(currency, days, last_day)) is not None
    ]
    if not estimates:
        return None
    main, *others = estimates
    return {**main, "other_currencies": others}


def _daily_costs(billing_conn: Any, period: str, first_day: date, last_day: date) -> dict[str, dict[date, Decimal]]:
    rows = billing_conn.execute(
        """
        SELECT BillingCurrency, CAST(ChargePeriodStart AS DATE) AS day, SUM(EffectiveCost)
        FROM billing
        WHERE period = ? AND adjustment_of IS NULL AND ChargePeriodStart IS NOT NULL
        GROUP BY 1, 2
        """,
        [period],
    ).fetchall()
    daily: dict[str, dict[date, Decimal]] = defaultdict(dict)
    for currency, day, cost in rows:
        if first_day <= day <= last_day:  # charges dated outside the period say nothing of its run rate
            daily[currency or ""][day] = Decimal(cost or 0)
    return daily


def _estimate(currency: str, days: dict[date, Decimal], last_day: date) -> dict[str, Any] | None:
    if not days:
        return None
    invoiced_through = max(days)
    missing = (last_day - invoiced_through).days
    if missing <= 0:
        return None
    window = sorted(days)[-RUN_RATE_DAYS:]
    rate = sum((days[day] for day in window), Decimal(0)) / len(window)
    return {
        "currency": currency,
        "days": missing,
        "amount": float((rate * missing).quantize(_CENT, ROUND_HALF_EVEN)),
        "daily_rate": float(rate.quantize(_CENT, ROUND_HALF_EVEN)),
        "invoiced_through": invoiced_through.isoformat(),
        "estimated_from": (invoiced_through + timedelta(days=1)).isoformat(),
        "run_rate_days": [day.isoformat() for day in window],
        "basis": BASIS,
    }
