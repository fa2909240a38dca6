"""Which scans a period's figures come from, and the compliance trend across periods.

The scans of a period: for each source, the latest complete scan finished at or after the start
of the period (a scan taken in the first days of the next month counts, as at close); when a
source has none, its latest complete scan. That is what a close freezes too
(``tagwarden.engine.audit.periods``). For a past period of the trend the choice is bounded to
scans finished before the end of the following month, so that today's scan does not rewrite
history; a period has a trend point when a scan finished within it, or when it was closed (the
frozen figures are used then).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from tagwarden.engine.store import Store
from tagwarden.engine.store.models import ScanInfo, ScanStatus

TREND_PERIODS = 12  # points at most, the newest ones
ALL_SCANS = 100_000


def period_bounds(period: str) -> tuple[datetime, datetime]:
    """[start, end) of 'YYYY-MM' in UTC."""
    try:
        year, month = (int(part) for part in period.split("-"))
        start = datetime(year, month, 1, tzinfo=UTC)
    except ValueError as error:
        raise ValueError(f"period {period!r} is not YYYY-MM") from error
    return start, _month_after(start)


def _month_after(moment: datetime) -> datetime:
    return datetime(moment.year + moment.month // 12, moment.month % 12 + 1, 1, tzinfo=UTC)


def period_of(moment: datetime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def complete_scans(store: Store) -> list[ScanInfo]:
    return [scan for scan in store.scans(None, ALL_SCANS) if scan.status is ScanStatus.COMPLETE and scan.finished_at]


def scans_for_period(scans: Sequence[ScanInfo], period: str, *, bounded: bool = False) -> list[ScanInfo]:
    """The latest complete scan of each source for ``period`` (see the module docstring), by id."""
    start, end = period_bounds(period)
    until = _month_after(end) if bounded else None
    in_window: dict[str, ScanInfo] = {}
    before: dict[str, ScanInfo] = {}
    for scan in scans:
        finished = _utc(scan.finished_at)
        if finished is None:
            continue
        if finished >= start and (until is None or finished < until):
            _keep_latest(in_window, scan)
        elif finished < start:
            _keep_latest(before, scan)
    if bounded and not in_window:
        return []  # a past period with no scan of its own has no point
    chosen = {**before, **in_window}  # a source not scanned since the period began: its last scan
    return sorted(chosen.values(), key=lambda scan: scan.id)


def _keep_latest(latest: dict[str, ScanInfo], scan: ScanInfo) -> None:
    best = latest.get(scan.source)
    if best is None or (_utc(scan.finished_at), scan.id) > (_utc(best.finished_at), best.id):
        latest[scan.source] = scan


def trend_periods(scans: Sequence[ScanInfo], closed: set[str], period: str) -> list[str]:
    """Periods up to ``period`` with a scan finished in them or a close, the newest TREND_PERIODS."""
    found = set(closed)
    for scan in scans:
        finished = _utc(scan.finished_at)
        if finished is not None:
            found.add(period_of(finished))
    found.add(period)
    return sorted(p for p in found if p <= period)[-TREND_PERIODS:]


def trend(
    periods: Sequence[str],
    frozen: Callable[[str], dict[str, Any] | None],
    live_point: Callable[[str], dict[str, Any] | None],
    scope_owner: str | None,
) -> list[dict[str, Any]]:
    """[{period, score, cost_weighted_score, closed}], oldest first; a closed period from its frozen figures."""
    points: list[dict[str, Any]] = []
    for period in periods:
        report = frozen(period)
        if report is not None:
            point = _frozen_point(report, scope_owner)
            if point is not None:
                points.append({"period": period, **point, "closed": True})
            continue
        live = live_point(period)
        if live is not None:
            points.append({"period": period, **live, "closed": False})
    return points


def _frozen_point(report: dict[str, Any], scope_owner: str | None) -> dict[str, Any] | None:
    compliance = report.get("compliance") or {}
    if not compliance:
        return None
    if scope_owner is None:
        return {"score": compliance.get("score"), "cost_weighted_score": compliance.get("cost_weighted_score")}
    owners = (compliance.get("by") or {}).get("owner") or []
    mine = next((row for row in owners if row.get("value") == scope_owner), None)
    return None if mine is None else {"score": mine.get("score"), "cost_weighted_score": None}


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
