"""The remediation journal's tables: one row per run, one row per change of a run.

Every change is written here as ``pending`` (with the tag values it replaces) before the cloud is
asked to make it, then marked ``applied`` or ``failed`` with the cloud's own error. ``undo`` and
``apply --resume`` read nothing but these rows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, UniqueConstraint
from sqlmodel import Field, SQLModel

from tagwarden.engine.store.tables import JSON_TYPE, KEY_TEXT, ROW_ID, TIMESTAMP


class RemediationRunRow(SQLModel, table=True):
    __tablename__ = "remediation_run"
    __table_args__ = (Index("ix_remediation_run_started", "started_at"),)

    id: str = Field(primary_key=True, sa_type=KEY_TEXT)
    kind: str  # apply | undo
    status: str  # running | complete | failed
    plan_digest: str
    policy_name: str
    approved_by: str
    undoes: str | None = None  # the run an undo reverses
    started_at: datetime = Field(sa_type=TIMESTAMP)
    finished_at: datetime | None = Field(default=None, sa_type=TIMESTAMP)
    counts: dict[str, Any] = Field(default_factory=dict, sa_type=JSON_TYPE)
    options: dict[str, Any] = Field(default_factory=dict, sa_type=JSON_TYPE)


class RemediationChangeRow(SQLModel, table=True):
    __tablename__ = "remediation_change"
    __table_args__ = (
        UniqueConstraint("run_id", "seq", name="uq_remediation_change_run_seq"),
        Index("ix_remediation_change_run_state", "run_id", "state"),
    )

    id: int | None = Field(default=None, sa_column=Column(ROW_ID, primary_key=True, autoincrement=True))
    run_id: str = Field(
        sa_column=Column(KEY_TEXT, ForeignKey("remediation_run.id", ondelete="CASCADE"), nullable=False)
    )
    seq: int = Field(sa_column=Column(Integer, nullable=False))
    kind: str  # tags | notice | stop
    provider: str
    resource_id: str = Field(sa_type=KEY_TEXT)
    resource_type: str
    account: str | None = None
    region: str | None = None
    edits: list[Any] = Field(default_factory=list, sa_type=JSON_TYPE)  # [{key, before, after}]
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON_TYPE)  # rules, notice, approvers
    state: str = Field(sa_column=Column(String, nullable=False))  # pending | applied | failed | skipped
    error: str | None = None
    updated_at: datetime = Field(sa_type=TIMESTAMP)


def _table(model: type[SQLModel]) -> Table:
    return cast(Table, model.__table__)  # type: ignore[attr-defined]  # set by SQLModel's metaclass


REMEDIATION_RUN = _table(RemediationRunRow)
REMEDIATION_CHANGE = _table(RemediationChangeRow)
