"""Accruals from the run rate and adjustments, on a small DuckDB billing database built here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pytest
from audit_samples import add_scan, open_billing, previous_period

from tagwarden.engine.audit.accruals import accruals_for
from tagwarden.engine.audit.periods import adjustments_for, close_period, frozen_report, period_bounds
from tagwarden.engine.audit.trail import events, verify
from tagwarden.engine.store import Store


def _insert(conn, period: str, day: datetime, currency: str, cost: str, adjustment_of: str | None = None) -> None:
    conn.execute(
        "INSERT INTO billing (import_id, source_line, period, ChargePeriodStart, ChargePeriodEnd, BillingCurrency, "
        "EffectiveCost, BilledCost, adjustment_of) VALUES (1, 1, ?, ?, ?, ?, ?, ?, ?)",
        [period, day, day + timedelta(days=1), currency, Decimal(cost), Decimal(cost), adjustment_of],
    )


@pytest.fixture
def billing():
    """2026-10: USD invoiced through the 29th (two rows a day, cost rising with the day), EUR through the 31st;
    2026-11 carries 40 late rows of 2026-10 as an adjustment."""
    conn = open_billing(":memory:")
    for day in range(1, 30):
        moment = datetime(2026, 10, day, 5)
        _insert(conn, "2026-10", moment, "USD", f"{day}.005")
        _insert(conn, "2026-10", moment + timedelta(hours=3), "USD", "1.5")
    for day in range(1, 32):
        _insert(conn, "2026-10", datetime(2026, 10, day), "EUR", "3.33")
    for _ in range(40):
        _insert(conn, "2026-11", datetime(2026, 11, 2), "USD", "0.3", adjustment_of="2026-10")
    _insert(conn, "2026-10", datetime(2026, 11, 2), "USD", "1000", adjustment_of=None)  # dated outside: ignored
    yield conn
    conn.close()


def test_missing_days_are_estimated_from_the_last_seven_invoiced_days(billing) -> None:
    accruals = accruals_for(billing, "2026-10")
    assert accruals is not None
    # independent: the USD days 23..29 each cost day + 0.005 + 1.5
    window = [Decimal(day) + Decimal("1.505") for day in range(23, 30)]
    rate = sum(window) / 7
    expected = (rate * 2).quantize(Decimal("0.01"), ROUND_HALF_EVEN)
    assert (accruals["currency"], accruals["days"], accruals["amount"]) == ("USD", 2, float(expected))
    assert accruals["invoiced_through"] == "2026-10-29" and accruals["estimated_from"] == "2026-10-30"
    assert accruals["basis"] == "run rate of the last 7 invoiced days"
    assert accruals["other_currencies"] == []  # EUR is invoiced to the last day


def test_no_accrual_when_every_day_is_invoiced_or_there_is_no_billing(billing) -> None:
    billing.execute("DELETE FROM billing WHERE BillingCurrency = 'USD'")
    assert accruals_for(billing, "2026-10") is None
    assert accruals_for(billing, "2026-09") is None


def test_each_currency_accrues_on_its_own(billing) -> None:
    billing.execute(
        "DELETE FROM billing WHERE BillingCurrency = 'EUR' AND CAST(ChargePeriodStart AS DATE) > '2026-10-28'"
    )
    accruals = accruals_for(billing, "2026-10")
    assert accruals is not None and accruals["currency"] == "USD"
    (eur,) = accruals["other_currencies"]
    assert (eur["currency"], eur["days"], eur["amount"], eur["daily_rate"]) == ("EUR", 3, 9.99, 3.33)


def test_adjustments_of_closed_periods_are_reported_in_the_period_they_were_filed_in(billing) -> None:
    assert adjustments_for(billing, "2026-11") == [
        {"of_period": "2026-10", "currency": "USD", "amount": 12.0, "rows": 40}
    ]
    assert adjustments_for(billing, "2026-10") == []


def test_close_records_the_accruals_in_the_figures_and_the_trail(store: Store, tmp_path: Path) -> None:
    add_scan(store)
    period = previous_period()
    first, last = period_bounds(period)
    conn = open_billing(tmp_path / "close.duckdb")
    for offset in range((last - first).days - 3):  # invoiced up to 4 days before the end
        _insert(conn, period, datetime(first.year, first.month, 1 + offset), "USD", "10")
    closed = close_period(store, period, "alice", {"tagwarden": "1"}, billing_conn=conn, now=datetime.now(UTC))
    conn.close()
    report = frozen_report(store, period)
    assert report is not None
    assert report["accruals"]["days"] == 4 and report["accruals"]["amount"] == 40.0
    (record,) = events(store, "period.close")
    assert record.seq == closed.record and record.payload["accruals"] == report["accruals"]
    assert record.payload["adjustments"] == [] and verify(store).ok
