"""Close, reopen and close again; a closed period's frozen figures and scans cannot change unnoticed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from audit_samples import add_scan, previous_period
from sqlalchemy import text

from tagwarden.engine.audit.periods import (
    PeriodError,
    close_period,
    closed_periods,
    frozen_report,
    next_open_period,
    period_bounds,
    period_states,
    reopen_period,
)
from tagwarden.engine.audit.trail import events, verify
from tagwarden.engine.store import Store
from tagwarden.engine.store.connection import create_store_engine

FIGURES = {
    "tagwarden": "1",
    "policy": {"name": "audit-test", "digest": "sha256:" + "cd" * 32},
    "compliance": {"resources": 4, "compliant": 2, "score": 50.0},
    "allocation": {"currency": "USD", "total": 1250.0},
}


def _sql(store_url: str, statement: str, **params: object) -> None:
    engine = create_store_engine(store_url)
    with engine.begin() as conn:
        conn.execute(text(statement), params)
    engine.dispose()


def test_close_freezes_the_figures_and_the_latest_scan(store: Store) -> None:
    add_scan(store, "aws")
    newest_aws = add_scan(store, "aws")
    azure = add_scan(store, "azure")
    period = previous_period()
    closed = close_period(store, period, "alice", FIGURES)
    assert closed_periods(store) == {period}
    assert [scan["id"] for scan in closed.scans] == [newest_aws, azure]
    report = frozen_report(store, period)
    assert report is not None and report["closed"] is True and report["period"] == period
    assert report["allocation"] == FIGURES["allocation"]
    assert [scan["id"] for scan in report["scans"]] == [newest_aws, azure]
    (record,) = events(store, "period.close")
    assert report["audit"] == {
        "closed_at": record.at,
        "closed_by": "alice",
        "record": record.seq,
        "hash": record.hash,
    }
    assert record.payload["report_digest"] == closed.report_digest
    assert record.payload["policy_digest"] == FIGURES["policy"]["digest"]
    assert [s["digest"] for s in record.payload["scans"]] == [s["digest"] for s in closed.scans]
    assert verify(store).ok


def test_closing_a_closed_period_is_refused(store: Store) -> None:
    period = previous_period()
    close_period(store, period, "alice", FIGURES)
    with pytest.raises(PeriodError, match=f"period {period} is already closed"):
        close_period(store, period, "bob", FIGURES)
    assert len(events(store, "period.close")) == 1


def test_a_period_that_has_not_ended_cannot_be_closed(store: Store) -> None:
    this_month = datetime.now(UTC).strftime("%Y-%m")
    with pytest.raises(PeriodError, match="has not ended yet"):
        close_period(store, this_month, "alice", FIGURES)
    with pytest.raises(PeriodError, match="expected YYYY-MM"):
        close_period(store, "2026-13", "alice", FIGURES)


def test_reopen_needs_a_reason_and_the_period_can_be_closed_again(store: Store) -> None:
    scan_id = add_scan(store)
    period = previous_period()
    first = close_period(store, period, "alice", FIGURES)
    with pytest.raises(PeriodError, match="needs a reason"):
        reopen_period(store, period, "bob", "  ")
    reopen_seq = reopen_period(store, period, "bob", "late credit note from the provider")
    assert closed_periods(store) == set() and frozen_report(store, period) is None
    (reopen,) = events(store, "period.reopen")
    assert reopen.seq == reopen_seq
    assert reopen.payload == {"period": period, "reason": "late credit note from the provider", "close_record": 1}
    with pytest.raises(PeriodError, match="is not closed"):
        reopen_period(store, period, "bob", "again")
    second = close_period(store, period, "carol", FIGURES | {"allocation": {"currency": "USD", "total": 1240.0}})
    assert second.record > reopen_seq and second.record != first.record
    assert frozen_report(store, period)["allocation"]["total"] == 1240.0  # type: ignore[index]
    (state,) = period_states(store)
    assert (state.state, state.closed_by, [s["id"] for s in state.scans]) == ("closed", "carol", [scan_id])
    assert [r.kind for r in events(store, "period")] == ["period.close", "period.reopen", "period.close"]
    assert verify(store).ok


def test_an_altered_result_of_a_frozen_scan_names_the_period(store: Store, store_url: str) -> None:
    scan_id = add_scan(store)
    period = previous_period()
    close_period(store, period, "alice", FIGURES)
    _sql(store_url, "UPDATE result SET status = 'pass' WHERE scan_id = :id AND status = 'fail'", id=scan_id)
    result = verify(store)
    assert not result.ok and result.period == period
    assert f"frozen scan {scan_id}" in (result.reason or "") and "altered" in (result.reason or "")
    assert f"period {period}" in result.message


def test_a_deleted_result_or_resource_tag_change_is_noticed(store: Store, store_url: str) -> None:
    scan_id = add_scan(store)
    period = previous_period()
    close_period(store, period, "alice", FIGURES)
    _sql(store_url, "UPDATE resource SET name = 'renamed' WHERE scan_id = :id", id=scan_id)
    assert verify(store).period == period


def test_altered_frozen_figures_name_the_period(store: Store, store_url: str) -> None:
    period = previous_period()
    close_period(store, period, "alice", FIGURES)
    _sql(store_url, "UPDATE period_close SET report = replace(report, '1250.0', '1.0')")
    with pytest.raises(PeriodError, match=f"frozen figures of period {period} differ from its close"):
        frozen_report(store, period)  # altered figures are never shown as the period's audited figures
    result = verify(store)
    assert not result.ok and result.period == period and "frozen figures were altered" in (result.reason or "")


def test_a_removed_close_names_the_period(store: Store, store_url: str) -> None:
    period = previous_period()
    close_period(store, period, "alice", FIGURES)
    _sql(store_url, "DELETE FROM period_close")
    result = verify(store)
    assert not result.ok and result.period == period and "lacks" in (result.reason or "")


def test_a_forged_reopen_is_noticed(store: Store, store_url: str) -> None:
    period = previous_period()
    close_period(store, period, "alice", FIGURES)
    _sql(store_url, "UPDATE period_close SET reopen_seq = 1, reopen_reason = 'x'")
    assert closed_periods(store) == set()
    result = verify(store)
    assert not result.ok and result.period == period


def test_late_rows_go_to_the_next_open_period() -> None:
    assert next_open_period({"2026-10", "2026-11"}, "2026-10") == "2026-12"
    assert next_open_period({"2026-12"}, "2026-12") == "2027-01"
    assert next_open_period(set(), "2026-10") == "2026-10"
    assert period_bounds("2024-02")[1].day == 29


def test_the_scans_the_figures_name_are_frozen(store: Store) -> None:
    older = add_scan(store, "aws")
    add_scan(store, "aws")
    period = previous_period()
    closed = close_period(store, period, "alice", FIGURES | {"scan": {"id": older}, "scans": [{"id": older}]})
    assert [scan["id"] for scan in closed.scans] == [older]
    with pytest.raises(PeriodError, match="the figures name scan 999, which is not in the store"):
        close_period(store, "2020-01", "alice", {"scan": {"id": 999}})
    assert closed_periods(store) == {period}


def test_a_source_not_scanned_since_the_period_began_freezes_its_last_scan(store: Store, store_url: str) -> None:
    gcp = add_scan(store, "gcp")
    aws = add_scan(store, "aws")
    later = add_scan(store, "azure")
    period = previous_period()
    _sql(store_url, "UPDATE scan SET finished_at = :at WHERE id = :id", at=datetime(2001, 1, 1, tzinfo=UTC), id=gcp)
    _sql(store_url, "UPDATE scan SET finished_at = :at WHERE id = :id", at=datetime(2999, 1, 1, tzinfo=UTC), id=later)
    closed = close_period(store, period, "alice", FIGURES)
    assert [scan["id"] for scan in closed.scans] == [gcp, aws]  # azure finished after the close: not yet
