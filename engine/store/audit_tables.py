"""The audit trail's tables as they are after the last migration (``migration_audit.py`` builds them).

``audit_record`` is the hash chain itself; ``audit_head`` remembers its last link, so that a record
cut off the end of the chain is noticed too. ``period_close`` holds what each close froze and
``policy_record`` the canonical policy each recorded change was diffed against.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from tagwarden.engine.store.tables import JSON_TYPE, TIMESTAMP, _table


class AuditRecordRow(SQLModel, table=True):
    __tablename__ = "audit_record"
    __table_args__ = (Index("ix_audit_record_kind", "kind"),)

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    kind: str
    actor: str
    # ISO 8601 UTC text, exactly as hashed: a timestamp column would round-trip differently per database
    at: str
    payload: str = Field(sa_type=Text)  # canonical JSON, exactly as hashed
    prev_hash: str
    hash: str = Field(unique=True)


class AuditHeadRow(SQLModel, table=True):
    __tablename__ = "audit_head"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})  # always 1
    seq: int
    hash: str


class PeriodCloseRow(SQLModel, table=True):
    __tablename__ = "period_close"
    __table_args__ = (Index("ix_period_close_period", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    period: str
    closed_at: datetime = Field(sa_type=TIMESTAMP)
    closed_by: str
    scans: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON_TYPE)  # [{id, source, digest}]
    report: str = Field(sa_type=Text)  # canonical JSON of the frozen figures
    report_digest: str
    policy_digest: str | None = None
    close_seq: int
    reopened_at: datetime | None = Field(default=None, sa_type=TIMESTAMP)
    reopened_by: str | None = None
    reopen_reason: str | None = None
    reopen_seq: int | None = None


class PolicyRecordRow(SQLModel, table=True):
    __tablename__ = "policy_record"

    id: int | None = Field(default=None, primary_key=True)
    digest: str
    name: str
    recorded_at: datetime = Field(sa_type=TIMESTAMP)
    actor: str
    canonical: str = Field(sa_type=Text)  # canonical JSON of the policy, for the next change's diff
    audit_seq: int


AUDIT_RECORD = _table(AuditRecordRow)
AUDIT_HEAD = _table(AuditHeadRow)
PERIOD_CLOSE = _table(PeriodCloseRow)
POLICY_RECORD = _table(PolicyRecordRow)
