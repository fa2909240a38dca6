"""A scan's life: running -> complete, or incomplete when it fails or its process is gone."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Select, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from tagwarden.engine.results import PolicyRef, Summary
from tagwarden.engine.store.codec import scan_info, summary_json
from tagwarden.engine.store.connection import reading, writing
from tagwarden.engine.store.errors import StoreError
from tagwarden.engine.store.models import ScanInfo, ScanStatus
from tagwarden.engine.store.tables import POLICY_VERSION, RESOURCE, RESULT, SCAN

# a running scan that has not written for this long is taken as dead, wherever it runs
HEARTBEAT_TIMEOUT = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Process:
    """Who is writing a scan: the host name and pid recorded with it."""

    host: str
    pid: int

    @classmethod
    def current(cls) -> Process:
        return cls(host=socket.gethostname(), pid=os.getpid())


def begin(engine: Engine, source: str, policy: PolicyRef, parameters: Mapping[str, Any], me: Process) -> int:
    now = datetime.now(UTC)
    with writing(engine) as conn:
        _remember_policy(conn, policy, now)
        inserted = conn.execute(
            insert(SCAN).values(
                source=source,
                status=ScanStatus.RUNNING.value,
                started_at=now,
                heartbeat_at=now,
                host=me.host,
                pid=me.pid,
                policy_name=policy.name,
                policy_digest=policy.digest,
                parameters=dict(parameters),
            )
        )
        primary_key = inserted.inserted_primary_key
        if primary_key is None:  # only for INSERT ... SELECT, which this is not
            raise StoreError("the database did not return the new scan's id")
        return int(primary_key[0])


def touch(conn: Connection, scan_id: int) -> None:
    """Record that the scan is alive; raises if it is not running (anymore)."""
    updated = conn.execute(
        update(SCAN)
        .where(SCAN.c.id == scan_id, SCAN.c.status == ScanStatus.RUNNING.value)
        .values(heartbeat_at=datetime.now(UTC))
    )
    if updated.rowcount != 1:
        raise StoreError(_not_running(conn, scan_id))


def finish(engine: Engine, scan_id: int, summary: Summary, stats: Mapping[str, Any]) -> None:
    now = datetime.now(UTC)
    with writing(engine) as conn:
        updated = conn.execute(
            update(SCAN)
            .where(SCAN.c.id == scan_id, SCAN.c.status == ScanStatus.RUNNING.value)
            .values(
                status=ScanStatus.COMPLETE.value,
                finished_at=now,
                heartbeat_at=now,
                summary=summary_json(summary),
                stats=dict(stats),
            )
        )
        if updated.rowcount != 1:
            raise StoreError(_not_running(conn, scan_id))


def fail(engine: Engine, scan_id: int, reason: str) -> None:
    """Mark the scan incomplete; the latest reason wins over an earlier one (such as "abandoned")."""
    with writing(engine) as conn:
        updated = conn.execute(
            update(SCAN)
            .where(SCAN.c.id == scan_id, SCAN.c.status != ScanStatus.COMPLETE.value)
            .values(status=ScanStatus.INCOMPLETE.value, finished_at=datetime.now(UTC), failure=reason)
        )
        if updated.rowcount != 1:
            raise StoreError(_not_running(conn, scan_id))


def discard(engine: Engine, scan_id: int, reason: str) -> None:
    """Remove a scan that must leave no results behind (its input turned out bad), in one transaction.

    A complete scan is never removed: history is not rewritten.
    """
    with writing(engine) as conn:
        status = conn.execute(select(SCAN.c.status).where(SCAN.c.id == scan_id)).scalar_one_or_none()
        if status is None or status == ScanStatus.COMPLETE.value:
            raise StoreError(f"scan {scan_id} cannot be discarded ({status or 'no such scan'}): {reason}")
        conn.execute(delete(RESULT).where(RESULT.c.scan_id == scan_id))
        conn.execute(delete(RESOURCE).where(RESOURCE.c.scan_id == scan_id))
        conn.execute(delete(SCAN).where(SCAN.c.id == scan_id))


def mark_abandoned(engine: Engine, me: Process) -> list[int]:
    """Mark running scans whose process is gone as incomplete; returns their ids."""
    now = datetime.now(UTC)
    with reading(engine) as conn:
        running = conn.execute(
            select(SCAN.c.id, SCAN.c.host, SCAN.c.pid, SCAN.c.started_at, SCAN.c.heartbeat_at).where(
                SCAN.c.status == ScanStatus.RUNNING.value
            )
        ).all()
    reasons = {row.id: reason for row in running if (reason := _abandoned_because(row, me, now))}
    if not reasons:
        return []
    with writing(engine) as conn:
        for scan_id, reason in reasons.items():
            conn.execute(
                update(SCAN)
                .where(SCAN.c.id == scan_id, SCAN.c.status == ScanStatus.RUNNING.value)
                .values(status=ScanStatus.INCOMPLETE.value, finished_at=now, failure=reason)
            )
    return sorted(reasons)


def list_scans(engine: Engine, source: str | None, limit: int) -> list[ScanInfo]:
    query = _newest_first(select(SCAN), source).limit(limit)
    with reading(engine) as conn:
        return [scan_info(row) for row in conn.execute(query)]


def latest_complete(engine: Engine, source: str | None) -> ScanInfo | None:
    query = _newest_first(select(SCAN).where(SCAN.c.status == ScanStatus.COMPLETE.value), source).limit(1)
    with reading(engine) as conn:
        row = conn.execute(query).first()
    return None if row is None else scan_info(row)


def require_scan(conn: Connection, scan_id: int) -> None:
    if conn.execute(select(SCAN.c.id).where(SCAN.c.id == scan_id)).first() is None:
        raise StoreError(f"there is no scan {scan_id}")


def _newest_first(query: Select[Any], source: str | None) -> Select[Any]:
    if source is not None:
        query = query.where(SCAN.c.source == source)
    return query.order_by(SCAN.c.started_at.desc(), SCAN.c.id.desc())


def _remember_policy(conn: Connection, policy: PolicyRef, now: datetime) -> None:
    values = {"digest": policy.digest, "name": policy.name, "first_seen": now}
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(dialect_insert(POLICY_VERSION).values(values).on_conflict_do_nothing(index_elements=["digest"]))


def _not_running(conn: Connection, scan_id: int) -> str:
    row = conn.execute(select(SCAN.c.status, SCAN.c.failure).where(SCAN.c.id == scan_id)).first()
    if row is None:
        return f"there is no scan {scan_id}"
    why = f" ({row.failure})" if row.failure else ""
    return f"scan {scan_id} is no longer running: it is {row.status}{why}"


def _abandoned_because(row: Any, me: Process, now: datetime) -> str | None:
    last_sign = row.heartbeat_at or row.started_at
    if last_sign.tzinfo is None:
        last_sign = last_sign.replace(tzinfo=UTC)
    if row.host == me.host and row.pid != me.pid and not _process_alive(row.pid):
        return f"abandoned: process {row.pid} on {row.host} is gone"
    if now - last_sign > HEARTBEAT_TIMEOUT:
        return f"abandoned: no write since {last_sign.isoformat(timespec='seconds')}"
    return None


def _process_alive(pid: int) -> bool:
    if os.name == "nt":
        return True  # os.kill(pid, 0) would terminate it there; the heartbeat timeout still applies
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return not _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    """A child that exited but was not reaped still answers kill(pid, 0)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] == ["Z"]
