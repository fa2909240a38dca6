"""The audit trail: an append-only chain of records, each carrying the hash of the one before it.

A record's hash is sha256 over the canonical JSON of (seq, kind, actor, at, payload, previous hash),
so changing, inserting or deleting any record breaks every hash after it; ``audit_head`` keeps the
last link, so that cutting records off the end is noticed too. Appenders take a lock first (SQLite:
the write transaction's BEGIN IMMEDIATE; PostgreSQL: an advisory lock), so two writers never fork
the chain. What verify proves and what it cannot: docs/audit.md.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, insert, select, text, update
from sqlalchemy.exc import SQLAlchemyError

from tagwarden.engine.store.audit_tables import AUDIT_HEAD, AUDIT_RECORD
from tagwarden.engine.store.connection import json_dumps, reading, writing
from tagwarden.engine.store.errors import StoreError, store_error

if TYPE_CHECKING:
    from tagwarden.engine.store import Store

GENESIS_HASH = "sha256:" + "0" * 64  # the "previous hash" of record 1
# pg_advisory_xact_lock key: "twaudit!" in ASCII, shifted into a positive bigint
_POSTGRESQL_AUDIT_LOCK = int.from_bytes(b"twaudit!", "big") >> 1
_HEAD_ID = 1
_LOCKED_IN = "tagwarden_audit_lock_transaction"  # conn.info key: the transaction holding the lock


@dataclass(frozen=True, slots=True)
class AuditRecord:
    seq: int
    kind: str
    actor: str
    at: str  # ISO 8601 UTC, e.g. 2026-11-03T09:00:00.000000Z
    payload: Mapping[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """``ok``, or the first record (``broken_seq``) or closed ``period`` that fails, and why."""

    ok: bool
    records: int
    head_seq: int
    head_hash: str
    broken_seq: int | None = None
    period: str | None = None
    reason: str | None = None

    @property
    def message(self) -> str:
        if self.ok:
            return f"audit trail intact: {self.records} records, head {self.head_seq}:{self.head_hash}"
        where = f"record {self.broken_seq}" if self.broken_seq is not None else "the trail"
        if self.period is not None:
            where = f"period {self.period}" + (f" (record {self.broken_seq})" if self.broken_seq is not None else "")
        return f"audit trail broken at {where}: {self.reason}"


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8; Decimal and datetime as text (see connection.json_dumps)."""
    return json.dumps(
        json.loads(json_dumps(value)), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def sha256_digest(text_value: str) -> str:
    return "sha256:" + hashlib.sha256(text_value.encode("utf-8")).hexdigest()


def record_hash(seq: int, kind: str, actor: str, at: str, payload_json: str, prev_hash: str) -> str:
    body = {"seq": seq, "kind": kind, "actor": actor, "at": at, "payload": json.loads(payload_json), "prev": prev_hash}
    return sha256_digest(canonical_json(body))


def engine_of(store: Store | Engine) -> Engine:
    if isinstance(store, Engine):
        return store
    return store._engine  # the Store exposes no engine; the audit modules share its transactions' rules


def record_event(store: Store | Engine, kind: str, actor: str, payload: Mapping[str, Any]) -> int:
    """Append one record in a transaction of its own; its sequence number."""
    engine = engine_of(store)
    with failing_as(engine, "write to"), writing(engine) as conn:
        return append_event(conn, kind, actor, payload).seq


def append_event(
    conn: Connection, kind: str, actor: str, payload: Mapping[str, Any], *, at: datetime | None = None
) -> AuditRecord:
    """Append inside the caller's write transaction (from ``connection.writing``), so that the record
    and the change it records commit together or not at all."""
    if not kind or not actor:
        raise StoreError("an audit record needs a kind and an actor")
    lock_trail(conn)
    last = conn.execute(select(AUDIT_RECORD.c.seq, AUDIT_RECORD.c.hash).order_by(AUDIT_RECORD.c.seq.desc()).limit(1))
    previous = last.first()
    seq, prev_hash = (1, GENESIS_HASH) if previous is None else (int(previous.seq) + 1, str(previous.hash))
    when = iso_utc(at or datetime.now(UTC))
    payload_json = canonical_json(dict(payload))
    digest = record_hash(seq, kind, actor, when, payload_json, prev_hash)
    conn.execute(
        insert(AUDIT_RECORD).values(
            seq=seq, kind=kind, actor=actor, at=when, payload=payload_json, prev_hash=prev_hash, hash=digest
        )
    )
    _move_head(conn, seq, digest)
    return AuditRecord(seq, kind, actor, when, json.loads(payload_json), prev_hash, digest)


def lock_trail(conn: Connection) -> None:
    """Exclude every other appender until the transaction ends."""
    # SQLite: `writing` began with BEGIN IMMEDIATE, which already excludes every other writer
    if conn.dialect.name != "postgresql":
        return
    transaction = conn.get_transaction()
    if transaction is not None and conn.info.get(_LOCKED_IN) is transaction:
        return  # held until this transaction ends: one round trip saved per further append
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _POSTGRESQL_AUDIT_LOCK})
    conn.info[_LOCKED_IN] = transaction


def _move_head(conn: Connection, seq: int, digest: str) -> None:
    moved = conn.execute(update(AUDIT_HEAD).where(AUDIT_HEAD.c.id == _HEAD_ID).values(seq=seq, hash=digest))
    if moved.rowcount == 0:
        conn.execute(insert(AUDIT_HEAD).values(id=_HEAD_ID, seq=seq, hash=digest))


def iso_utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def events(store: Store | Engine, kind: str | None = None) -> list[AuditRecord]:
    """Every record (of ``kind``, or whose kind starts with ``kind.``), oldest first."""
    engine = engine_of(store)
    query = select(AUDIT_RECORD).order_by(AUDIT_RECORD.c.seq)
    if kind:
        query = query.where((AUDIT_RECORD.c.kind == kind) | AUDIT_RECORD.c.kind.startswith(kind + "."))
    with failing_as(engine, "read"), reading(engine) as conn:
        return [_record(row) for row in conn.execute(query)]


def record_at(conn: Connection, seq: int) -> AuditRecord | None:
    row = conn.execute(select(AUDIT_RECORD).where(AUDIT_RECORD.c.seq == seq)).first()
    return None if row is None else _record(row)


def _record(row: Any) -> AuditRecord:
    return AuditRecord(
        seq=int(row.seq),
        kind=row.kind,
        actor=row.actor,
        at=row.at,
        payload=_loads_object(row.payload),
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def _loads_object(payload_json: str) -> Mapping[str, Any]:
    try:
        loaded = json.loads(payload_json)
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def verify(store: Store | Engine, anchor: tuple[int, str] | None = None) -> VerifyResult:
    """Walk the chain from record 1; then check that every closed period's frozen data is unchanged.

    ``anchor`` (seq, hash), kept outside the store, must still be in the chain: a chain rebuilt after
    a change (every hash recomputed) passes the other checks but not this one.
    """
    from tagwarden.engine.audit.periods import verify_closed_periods
    from tagwarden.engine.audit.policy_changes import verify_policy_records

    engine = engine_of(store)
    with failing_as(engine, "read"), reading(engine) as conn:
        chain = verify_chain(conn)
        if not chain.ok:
            return chain
        if anchor is not None:
            found = record_at(conn, anchor[0])
            if found is None or found.hash != anchor[1]:
                now = "no such record" if found is None else f"it is now {found.hash}"
                reason = f"the kept anchor says record {anchor[0]} is {anchor[1]}; {now} (the chain was rebuilt)"
                return VerifyResult(False, chain.records, chain.head_seq, chain.head_hash, anchor[0], None, reason)
        for check in (verify_closed_periods, verify_policy_records):
            problem = check(conn)
            if problem is not None:
                period, seq, reason = problem
                return VerifyResult(False, chain.records, chain.head_seq, chain.head_hash, seq, period, reason)
        return chain


def verify_chain(conn: Connection) -> VerifyResult:
    expected_seq, prev_hash, count = 1, GENESIS_HASH, 0
    rows = conn.execute(select(AUDIT_RECORD).order_by(AUDIT_RECORD.c.seq).execution_options(yield_per=2000))
    for row in rows:
        reason = _link_problem(row, expected_seq, prev_hash)
        if reason is not None:
            return VerifyResult(False, count, expected_seq - 1, prev_hash, int(row.seq), None, reason)
        expected_seq, prev_hash, count = int(row.seq) + 1, str(row.hash), count + 1
    head = conn.execute(select(AUDIT_HEAD.c.seq, AUDIT_HEAD.c.hash).where(AUDIT_HEAD.c.id == _HEAD_ID)).first()
    last_seq = expected_seq - 1
    if head is None and count == 0:
        return VerifyResult(True, 0, 0, GENESIS_HASH)
    if head is None:
        return VerifyResult(False, count, last_seq, prev_hash, None, None, "the chain's head record is missing")
    if (int(head.seq), str(head.hash)) != (last_seq, prev_hash):
        reason = f"the chain ends at record {last_seq} but its head says record {head.seq} ({head.hash}): " + (
            "records were removed from the end" if int(head.seq) > last_seq else "records were added at the end"
        )
        return VerifyResult(False, count, last_seq, prev_hash, int(head.seq), None, reason)
    return VerifyResult(True, count, last_seq, prev_hash)


def _link_problem(row: Any, expected_seq: int, prev_hash: str) -> str | None:
    seq = int(row.seq)
    if seq != expected_seq:
        missing = f"record {expected_seq}" if seq == expected_seq + 1 else f"records {expected_seq} to {seq - 1}"
        if seq < expected_seq:
            return f"sequence goes back to {seq} after {expected_seq - 1}"
        return f"{missing} missing: the chain jumps from {expected_seq - 1} to {seq} (deleted)"
    if row.prev_hash != prev_hash:
        return f"its previous-hash {row.prev_hash} is not record {seq - 1}'s hash {prev_hash} (inserted or replaced)"
    try:
        recomputed = record_hash(seq, row.kind, row.actor, row.at, row.payload, row.prev_hash)
    except (ValueError, TypeError):
        return "its payload is not valid JSON (altered)"
    if recomputed != row.hash:
        return f"its content does not match its hash {row.hash} (altered; recomputed {recomputed})"
    return None


@contextmanager
def failing_as(engine: Engine, what: str) -> Iterator[None]:
    """Database errors become a StoreError naming the store (password masked), as Store methods do."""
    try:
        yield
    except (SQLAlchemyError, StoreError) as exc:
        raise store_error(engine.url.render_as_string(hide_password=False), what, exc) from exc
