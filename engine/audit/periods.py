"""Month-end close: freeze a period's figures and the scans they came from; reopen with a reason.

A close stores the figures (the report dict), a digest of every frozen scan (its row, results and
resources) and the policy digest, in ``period_close`` and in a chained "period.close" record. Verify
recomputes those digests: a frozen figure or a stored result altered afterwards names the period.
A reopen is itself recorded ("period.reopen", reason required); the period can then be closed again.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Connection, Engine, Text, cast, insert, select, update
from sqlalchemy.dialects.postgresql import JSONB

from tagwarden.engine.audit.accruals import accruals_for
from tagwarden.engine.audit.policy_changes import record_policy_in
from tagwarden.engine.audit.trail import (
    append_event,
    canonical_json,
    engine_of,
    failing_as,
    iso_utc,
    lock_trail,
    record_at,
    sha256_digest,
)
from tagwarden.engine.store.audit_tables import AUDIT_RECORD, PERIOD_CLOSE
from tagwarden.engine.store.connection import reading, writing
from tagwarden.engine.store.tables import RESOURCE, RESULT, SCAN

if TYPE_CHECKING:
    from tagwarden.engine.policy.model import Policy
    from tagwarden.engine.store import Store

PERIOD_CLOSE_KIND = "period.close"
PERIOD_REOPEN_KIND = "period.reopen"
_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_CENT = Decimal("0.01")


class PeriodError(Exception):
    """A close or reopen that is refused (bad period, already closed, not closed, no reason)."""


@dataclass(frozen=True, slots=True)
class PeriodClose:
    period: str
    state: str  # "closed" or "reopened"
    closed_at: datetime
    closed_by: str
    record: int
    hash: str
    report_digest: str
    policy_digest: str | None
    scans: tuple[Mapping[str, Any], ...]
    reopened_at: datetime | None = None
    reopened_by: str | None = None
    reopen_reason: str | None = None
    reopen_record: int | None = None


def period_bounds(period: str) -> tuple[date, date]:
    """First and last day of ``YYYY-MM``; PeriodError for anything else."""
    match = _PERIOD.match(period)
    if not match:
        raise PeriodError(f"not a period: {period!r} (expected YYYY-MM, e.g. 2026-10)")
    first = date(int(match.group(1)), int(match.group(2)), 1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def next_period(period: str) -> str:
    _, last = period_bounds(period)
    following = last + timedelta(days=1)
    return f"{following.year:04d}-{following.month:02d}"


def next_open_period(closed: Iterable[str], period: str) -> str:
    """Where a late billing row for ``period`` goes: ``period`` itself, or the first later open one."""
    closed_set = set(closed)
    while period in closed_set:
        period = next_period(period)
    return period


def close_period(
    store: Store | Engine,
    period: str,
    actor: str,
    figures: Mapping[str, Any],
    *,
    billing_conn: Any = None,
    now: datetime | None = None,
    policy: Policy | None = None,
) -> PeriodClose:
    """Freeze ``period`` (one transaction); refused while it is closed or before it has ended."""
    _, last_day = period_bounds(period)
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    if moment.date() <= last_day:
        raise PeriodError(f"period {period} has not ended yet (it ends {last_day.isoformat()})")
    if not actor.strip():
        raise PeriodError("a close needs the name of who closes (--by)")
    snapshot = _snapshot(period, figures, billing_conn)
    engine = engine_of(store)
    with failing_as(engine, "write to"), writing(engine) as conn:
        lock_trail(conn)
        _refuse_if_closed(conn, period)
        if policy is not None:
            record_policy_in(conn, policy, actor)
        scans = _frozen_scans(conn, figures, period, moment)
        # the report builder finds a closed period's scans here (its scoped views are built from them)
        snapshot.setdefault("scans", [{k: scan[k] for k in ("id", "source", "finished_at")} for scan in scans])
        report_text = canonical_json(snapshot)
        policy_digest = _policy_digest(figures, policy)
        payload = {
            "period": period,
            "report_digest": sha256_digest(report_text),
            "policy_digest": policy_digest,
            "scans": scans,
            "accruals": snapshot.get("accruals"),
            "adjustments": snapshot.get("adjustments", []),
        }
        record = append_event(conn, PERIOD_CLOSE_KIND, actor, payload)  # the clock's time: the trail's order
        conn.execute(
            insert(PERIOD_CLOSE).values(
                period=period,
                closed_at=datetime.fromisoformat(record.at.replace("Z", "+00:00")),
                closed_by=actor,
                scans=scans,
                report=report_text,
                report_digest=payload["report_digest"],
                policy_digest=policy_digest,
                close_seq=record.seq,
            )
        )
        state = _latest(conn, period)
    assert state is not None
    return state


def reopen_period(store: Store | Engine, period: str, actor: str, reason: str) -> int:
    """Reopen a closed period; the "period.reopen" record's sequence number."""
    period_bounds(period)
    if not reason or not reason.strip():
        raise PeriodError("reopening a period needs a reason (--reason)")
    if not actor.strip():
        raise PeriodError("a reopen needs the name of who reopens (--by)")
    engine = engine_of(store)
    with failing_as(engine, "write to"), writing(engine) as conn:
        lock_trail(conn)
        current = _latest(conn, period)
        if current is None or current.state != "closed":
            raise PeriodError(f"period {period} is not closed")
        payload = {"period": period, "reason": reason.strip(), "close_record": current.record}
        record = append_event(conn, PERIOD_REOPEN_KIND, actor, payload)
        conn.execute(
            update(PERIOD_CLOSE)
            .where(PERIOD_CLOSE.c.close_seq == current.record)
            .values(
                reopened_at=datetime.now(UTC), reopened_by=actor, reopen_reason=reason.strip(), reopen_seq=record.seq
            )
        )
        return record.seq


def closed_periods(store: Store | Engine) -> set[str]:
    return {state.period for state in period_states(store) if state.state == "closed"}


def period_states(store: Store | Engine) -> list[PeriodClose]:
    """The latest close of every period ever closed, by period."""
    engine = engine_of(store)
    with failing_as(engine, "read"), reading(engine) as conn:
        latest: dict[str, PeriodClose] = {}
        for row in conn.execute(_with_hash(select(PERIOD_CLOSE)).order_by(PERIOD_CLOSE.c.close_seq)):
            latest[row.period] = _state(row)
        return [latest[period] for period in sorted(latest)]


def frozen_report(store: Store | Engine, period: str) -> dict[str, Any] | None:
    """The figures frozen at the period's close, with "closed": true and the "audit" block; None if open."""
    engine = engine_of(store)
    with failing_as(engine, "read"), reading(engine) as conn:
        row = _latest_row(conn, period)
        if row is None or row.reopen_seq is not None:
            return None
        _refuse_if_altered(conn, row)
        report: dict[str, Any] = json.loads(row.report)
        report["closed"] = True
        report["audit"] = {
            "closed_at": iso_utc(row.closed_at),
            "closed_by": row.closed_by,
            "record": int(row.close_seq),
            "hash": row.hash,
        }
        return report


def _refuse_if_altered(conn: Connection, row: Any) -> None:
    """Frozen figures that no longer match their chained digest are not shown as the period's figures."""
    record = record_at(conn, int(row.close_seq))
    chained = record.payload.get("report_digest") if record is not None else None
    if sha256_digest(row.report) != chained:
        raise PeriodError(
            f"the frozen figures of period {row.period} differ from its close (audit record {row.close_seq}):"
            " they were altered after the close; run `tagwarden audit verify`"
        )


def _snapshot(period: str, figures: Mapping[str, Any], billing_conn: Any) -> dict[str, Any]:
    snapshot = {key: value for key, value in figures.items() if key != "audit"}
    snapshot["period"] = period
    snapshot["closed"] = True
    if billing_conn is not None:
        snapshot["accruals"] = accruals_for(billing_conn, period)
        snapshot.setdefault("adjustments", adjustments_for(billing_conn, period))
    return snapshot


def adjustments_for(billing_conn: Any, period: str) -> list[dict[str, Any]]:
    """Late rows of already-closed periods that were filed into ``period``: per period and currency."""
    period_bounds(period)
    rows = billing_conn.execute(
        """
        SELECT adjustment_of, BillingCurrency, SUM(EffectiveCost), COUNT(*)
        FROM billing WHERE period = ? AND adjustment_of IS NOT NULL
        GROUP BY adjustment_of, BillingCurrency ORDER BY adjustment_of, BillingCurrency
        """,
        [period],
    ).fetchall()
    return [
        {
            "of_period": of_period,
            "currency": currency,
            "amount": float(Decimal(amount or 0).quantize(_CENT, ROUND_HALF_EVEN)),
            "rows": int(count),
        }
        for of_period, currency, amount, count in rows
    ]


def _policy_digest(figures: Mapping[str, Any], policy: Policy | None) -> str | None:
    named = figures.get("policy")
    if isinstance(named, Mapping) and isinstance(named.get("digest"), str):
        return str(named["digest"])
    return policy.digest if policy is not None else None


def _refuse_if_closed(conn: Connection, period: str) -> None:
    current = _latest(conn, period)
    if current is not None and current.state == "closed":
        raise PeriodError(
            f"period {period} is already closed (record {current.record}, by {current.closed_by} at "
            f"{iso_utc(current.closed_at)}); reopen it first with a reason"
        )


def _frozen_scans(conn: Connection, figures: Mapping[str, Any], period: str, now: datetime) -> list[dict[str, Any]]:
    """The scans the figures came from ("scans" and "scan" of the report dict); when they name none,
    the latest complete scan of each source finished since the period began (until now), or, for a
    source with none, its latest before (the report builder's rule, reporting/trend.py)."""
    ids = _named_scans(figures)
    if not ids:
        ids = _latest_scans(conn, period, now)
    return [_scan_entry(conn, scan_id) for scan_id in sorted(ids)]


def _named_scans(figures: Mapping[str, Any]) -> set[int]:
    entries = [figures.get("scan"), *(figures.get("scans") or [])]
    return {int(e["id"]) for e in entries if isinstance(e, Mapping) and isinstance(e.get("id"), int)}


def _latest_scans(conn: Connection, period: str, now: datetime) -> set[int]:
    first_day, _ = period_bounds(period)
    start = datetime(first_day.year, first_day.month, first_day.day, tzinfo=UTC)
    in_window: dict[str, tuple[datetime, int]] = {}
    before: dict[str, tuple[datetime, int]] = {}
    complete = select(SCAN.c.id, SCAN.c.source, SCAN.c.finished_at).where(SCAN.c.status == "complete")
    for row in conn.execute(complete):
        finished = _utc(row.finished_at)
        if finished is None or finished > now:
            continue
        chosen = in_window if finished >= start else before
        chosen[row.source] = max(chosen.get(row.source, (finished, row.id)), (finished, int(row.id)))
    return {scan_id for _, scan_id in {**before, **in_window}.values()}


def _scan_entry(conn: Connection, scan_id: int) -> dict[str, Any]:
    row = conn.execute(select(SCAN).where(SCAN.c.id == scan_id)).first()
    if row is None:
        raise PeriodError(f"the figures name scan {scan_id}, which is not in the store")
    return {
        "id": scan_id,
        "source": row.source,
        "finished_at": iso_utc(row.finished_at) if row.finished_at else None,
        "digest": scan_digest(conn, scan_id),
    }


def scan_digest(conn: Connection, scan_id: int) -> str | None:
    """sha256 over the scan's row, its results and its resources, row by row in id order."""
    scan = conn.execute(select(SCAN).where(SCAN.c.id == scan_id)).first()
    if scan is None:
        return None
    digest = hashlib.sha256()
    scan_fields = {key: value for key, value in scan._mapping.items() if key != "heartbeat_at"}
    digest.update(canonical_json({key: _plain_cell(value) for key, value in scan_fields.items()}).encode())
    for table in (RESULT, RESOURCE):
        # JSON columns as the database's own text: parsing 100,000s of them back would triple the time
        columns = [cast(c, Text) if isinstance(c.type, JSON | JSONB) else c for c in table.columns]
        query = select(*columns).where(table.c.scan_id == scan_id).order_by(table.c.id)
        prefix = b"\n" + table.name.encode() + b":"
        for row in conn.execute(query.execution_options(yield_per=5000)):
            digest.update(prefix + _ROW_ENCODER.encode(tuple(row)).encode())
    return "sha256:" + digest.hexdigest()


def _plain_cell(value: Any) -> Any:
    return iso_utc(value) if isinstance(value, datetime) else value


_ROW_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=_plain_cell)


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _with_hash(query: Any) -> Any:
    # outer: a close whose chained record was deleted still counts as closed (verify names the gap)
    return query.add_columns(AUDIT_RECORD.c.hash).outerjoin(
        AUDIT_RECORD, AUDIT_RECORD.c.seq == PERIOD_CLOSE.c.close_seq
    )


def _latest_row(conn: Connection, period: str) -> Any:
    query = _with_hash(select(PERIOD_CLOSE)).where(PERIOD_CLOSE.c.period == period)
    return conn.execute(query.order_by(PERIOD_CLOSE.c.close_seq.desc()).limit(1)).first()


def _latest(conn: Connection, period: str) -> PeriodClose | None:
    row = _latest_row(conn, period)
    return None if row is None else _state(row)


def _state(row: Any) -> PeriodClose:
    return PeriodClose(
        period=row.period,
        state="reopened" if row.reopen_seq is not None else "closed",
        closed_at=_utc(row.closed_at) or row.closed_at,
        closed_by=row.closed_by,
        record=int(row.close_seq),
        hash=row.hash,
        report_digest=row.report_digest,
        policy_digest=row.policy_digest,
        scans=tuple(row.scans or ()),
        reopened_at=_utc(row.reopened_at),
        reopened_by=row.reopened_by,
        reopen_reason=row.reopen_reason,
        reopen_record=None if row.reopen_seq is None else int(row.reopen_seq),
    )


def verify_closed_periods(conn: Connection) -> tuple[str | None, int | None, str] | None:
    """Each close and reopen matches its chained record; a closed period's frozen data is unchanged."""
    rows = {int(row.close_seq): row for row in conn.execute(select(PERIOD_CLOSE).order_by(PERIOD_CLOSE.c.close_seq))}
    reopened = {int(row.reopen_seq): row for row in rows.values() if row.reopen_seq is not None}
    kinds = (PERIOD_CLOSE_KIND, PERIOD_REOPEN_KIND)
    for record in conn.execute(select(AUDIT_RECORD.c.seq, AUDIT_RECORD.c.kind).where(AUDIT_RECORD.c.kind.in_(kinds))):
        seq = int(record.seq)
        if seq not in (rows if record.kind == PERIOD_CLOSE_KIND else reopened):
            what = "close" if record.kind == PERIOD_CLOSE_KIND else "reopen"
            period = _payload_period(conn, seq)
            return period, seq, f"the trail records a {what} of period {period} that the period table lacks (removed)"
    for seq, row in rows.items():
        problem = _close_problem(conn, row)
        if problem is not None:
            return row.period, seq, problem
    return None


def _payload_period(conn: Connection, seq: int) -> str | None:
    record = record_at(conn, seq)
    period = record.payload.get("period") if record else None
    return period if isinstance(period, str) else None


def _close_problem(conn: Connection, row: Any) -> str | None:
    record = record_at(conn, int(row.close_seq))
    if record is None or record.kind != PERIOD_CLOSE_KIND or record.payload.get("period") != row.period:
        return f"its close names record {row.close_seq}, which is not this period's close"
    frozen_digest = sha256_digest(row.report)
    if frozen_digest != record.payload.get("report_digest") or row.report_digest != frozen_digest:
        return "the frozen figures were altered after close (their digest differs from the chained record)"
    if list(row.scans or []) != list(record.payload.get("scans") or []):
        return "the list of frozen scans differs from the chained record"
    if row.reopen_seq is not None:
        reopen = record_at(conn, int(row.reopen_seq))
        if reopen is None or reopen.kind != PERIOD_REOPEN_KIND or reopen.payload.get("close_record") != row.close_seq:
            return f"it is marked reopened by record {row.reopen_seq}, which is not a reopen of this close"
        return None  # reopened: its scans may be judged again; the figures above stay as evidence
    for entry in record.payload.get("scans") or []:
        now_digest = scan_digest(conn, int(entry["id"]))
        if now_digest is None:
            return f"frozen scan {entry['id']} ({entry.get('source')}) was deleted"
        if now_digest != entry.get("digest"):
            return f"frozen scan {entry['id']} ({entry.get('source')}) was altered: its results or resources changed"
    return None
