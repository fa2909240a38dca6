"""The remediation journal in the store: runs, and every change written before it is made.

A change row holds the edits with the values they replace (``before``), so ``undo`` restores exactly
what was there and ``apply --resume`` retries exactly what is not ``applied``. Rows go in as
``pending`` in one transaction before the cloud is called, and are marked in one transaction after.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, and_, bindparam, func, insert, select, update

from tagwarden.engine.audit.trail import engine_of, failing_as
from tagwarden.engine.store import Store
from tagwarden.engine.store.connection import reading, writing
from tagwarden.engine.store.remediation_tables import REMEDIATION_CHANGE, REMEDIATION_RUN
from tagwarden.remediations.plan_model import edit_json, edit_of
from tagwarden.remediations.targets import TagEdit, Target

PENDING, APPLIED, FAILED, SKIPPED = "pending", "applied", "failed", "skipped"
DEFERRED = "deferred"  # over --max-changes: left for `apply --resume RUN`
RETRIED_ON_RESUME = frozenset({PENDING, FAILED, DEFERRED})


@dataclass(frozen=True)
class JournalEntry:
    seq: int
    kind: str  # tags | notice | stop
    target: Target
    edits: tuple[TagEdit, ...] = ()
    payload: Mapping[str, Any] = field(default_factory=dict)
    state: str = PENDING
    error: str | None = None


@dataclass(frozen=True)
class RunInfo:
    id: str
    kind: str
    status: str
    plan_digest: str
    policy_name: str
    approved_by: str
    undoes: str | None
    started_at: datetime
    finished_at: datetime | None
    counts: Mapping[str, Any]
    options: Mapping[str, Any]


def new_run_id(now: datetime) -> str:
    return f"run-{now.astimezone(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"


class Journal:
    def __init__(self, store: Store) -> None:
        self._engine: Engine = engine_of(store)

    def begin_run(
        self,
        run_id: str,
        *,
        kind: str,
        plan_digest: str,
        policy_name: str,
        approved_by: str,
        undoes: str | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> None:
        row = {
            "id": run_id,
            "kind": kind,
            "status": "running",
            "plan_digest": plan_digest,
            "policy_name": policy_name,
            "approved_by": approved_by,
            "undoes": undoes,
            "started_at": datetime.now(UTC),
            "counts": {},
            "options": dict(options or {}),
        }
        with failing_as(self._engine, "write to"), writing(self._engine) as conn:
            conn.execute(insert(REMEDIATION_RUN).values(**row))

    def record(self, run_id: str, entries: Sequence[JournalEntry]) -> None:
        """Write entries (new ones as pending) before anything is done about them; one transaction."""
        if not entries:
            return
        now = datetime.now(UTC)
        rows = [
            {
                "run_id": run_id,
                "seq": entry.seq,
                "kind": entry.kind,
                "provider": entry.target.provider,
                "resource_id": entry.target.resource_id,
                "resource_type": entry.target.type,
                "account": entry.target.account,
                "region": entry.target.region,
                "edits": [edit_json(edit) for edit in entry.edits],
                "payload": dict(entry.payload),
                "state": entry.state,
                "error": entry.error,
                "updated_at": now,
            }
            for entry in entries
        ]
        with failing_as(self._engine, "write to"), writing(self._engine) as conn:
            conn.execute(insert(REMEDIATION_CHANGE), rows)

    def mark(self, run_id: str, outcomes: Iterable[tuple[int, str, str | None]]) -> None:
        """(seq, state, error) for each change; one transaction."""
        now = datetime.now(UTC)
        table = REMEDIATION_CHANGE
        statement = (
            update(table)
            .where(and_(table.c.run_id == run_id, table.c.seq == _bind("b_seq")))
            .values(state=_bind("b_state"), error=_bind("b_error"), updated_at=now)
        )
        rows = [{"b_seq": seq, "b_state": state, "b_error": error} for seq, state, error in outcomes]
        if not rows:
            return
        with failing_as(self._engine, "write to"), writing(self._engine) as conn:
            conn.execute(statement, rows)

    def finish_run(self, run_id: str, status: str, counts: Mapping[str, int]) -> None:
        with failing_as(self._engine, "write to"), writing(self._engine) as conn:
            conn.execute(
                update(REMEDIATION_RUN)
                .where(REMEDIATION_RUN.c.id == run_id)
                .values(status=status, counts=dict(counts), finished_at=datetime.now(UTC))
            )

    def run(self, run_id: str) -> RunInfo | None:
        with failing_as(self._engine, "read"), reading(self._engine) as conn:
            row = conn.execute(select(REMEDIATION_RUN).where(REMEDIATION_RUN.c.id == run_id)).first()
        return None if row is None else _run_info(row)

    def runs(self, limit: int = 50) -> list[RunInfo]:
        with failing_as(self._engine, "read"), reading(self._engine) as conn:
            rows = conn.execute(
                select(REMEDIATION_RUN).order_by(REMEDIATION_RUN.c.started_at.desc()).limit(limit)
            ).all()
        return [_run_info(row) for row in rows]

    def undos_of(self, run_id: str) -> list[RunInfo]:
        """The undo runs of ``run_id``, oldest first."""
        query = select(REMEDIATION_RUN).where(REMEDIATION_RUN.c.undoes == run_id).order_by(REMEDIATION_RUN.c.started_at)
        with failing_as(self._engine, "read"), reading(self._engine) as conn:
            return [_run_info(row) for row in conn.execute(query).all()]

    def entries(self, run_id: str, states: set[str] | None = None) -> list[JournalEntry]:
        table = REMEDIATION_CHANGE
        query = select(table).where(table.c.run_id == run_id).order_by(table.c.seq)
        if states:
            query = query.where(table.c.state.in_(sorted(states)))
        with failing_as(self._engine, "read"), reading(self._engine) as conn:
            rows = conn.execute(query).all()
        return [_entry(row) for row in rows]

    def state_counts(self, run_id: str) -> dict[str, int]:
        table = REMEDIATION_CHANGE
        query = select(table.c.state, func.count()).where(table.c.run_id == run_id).group_by(table.c.state)
        with failing_as(self._engine, "read"), reading(self._engine) as conn:
            return {str(state): int(count) for state, count in conn.execute(query).all()}

    def sent_notices(self, plan_digest: str) -> set[str]:
        """Notice keys already delivered by any run of this plan: a second apply does not send them again."""
        change, run = REMEDIATION_CHANGE, REMEDIATION_RUN
        query = (
            select(change.c.payload)
            .join(run, run.c.id == change.c.run_id)
            .where(and_(run.c.plan_digest == plan_digest, change.c.kind == "notice", change.c.state == APPLIED))
        )
        with failing_as(self._engine, "read"), reading(self._engine) as conn:
            return {str(payload.get("notice_key")) for (payload,) in conn.execute(query).all()}


def _bind(name: str) -> Any:
    return bindparam(name)


def _run_info(row: Any) -> RunInfo:
    return RunInfo(
        id=row.id,
        kind=row.kind,
        status=row.status,
        plan_digest=row.plan_digest,
        policy_name=row.policy_name,
        approved_by=row.approved_by,
        undoes=row.undoes,
        started_at=_utc(row.started_at),
        finished_at=None if row.finished_at is None else _utc(row.finished_at),
        counts=row.counts or {},
        options=row.options or {},
    )


def _entry(row: Any) -> JournalEntry:
    return JournalEntry(
        seq=row.seq,
        kind=row.kind,
        target=Target(row.provider, row.resource_id, row.resource_type, row.account, row.region),
        edits=tuple(edit_of(edit) for edit in row.edits or ()),
        payload=row.payload or {},
        state=row.state,
        error=row.error,
    )


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
