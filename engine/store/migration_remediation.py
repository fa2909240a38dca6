"""Migration step: the remediation journal (``remediation_run``, ``remediation_change``)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Connection,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB


def remediation_journal(conn: Connection) -> None:
    """remediation_run and remediation_change, as they were when the journal was added."""
    json_type = JSON().with_variant(JSONB(), "postgresql")
    row_id = BigInteger().with_variant(Integer(), "sqlite")
    timestamp = DateTime(timezone=True)
    key_text = String().with_variant(String(collation="C"), "postgresql")
    metadata = MetaData()
    Table(
        "remediation_run",
        metadata,
        Column("id", key_text, primary_key=True),
        Column("kind", String, nullable=False),
        Column("status", String, nullable=False),
        Column("plan_digest", String, nullable=False),
        Column("policy_name", String, nullable=False),
        Column("approved_by", String, nullable=False),
        Column("undoes", String),
        Column("started_at", timestamp, nullable=False),
        Column("finished_at", timestamp),
        Column("counts", json_type, nullable=False),
        Column("options", json_type, nullable=False),
        Index("ix_remediation_run_started", "started_at"),
    )
    Table(
        "remediation_change",
        metadata,
        Column("id", row_id, primary_key=True, autoincrement=True),
        Column("run_id", key_text, ForeignKey("remediation_run.id", ondelete="CASCADE"), nullable=False),
        Column("seq", Integer, nullable=False),
        Column("kind", String, nullable=False),
        Column("provider", String, nullable=False),
        Column("resource_id", key_text, nullable=False),
        Column("resource_type", String, nullable=False),
        Column("account", String),
        Column("region", String),
        Column("edits", json_type, nullable=False),
        Column("payload", json_type, nullable=False),
        Column("state", String, nullable=False),
        Column("error", String),
        Column("updated_at", timestamp, nullable=False),
        UniqueConstraint("run_id", "seq", name="uq_remediation_change_run_seq"),
        Index("ix_remediation_change_run_state", "run_id", "state"),
    )
    metadata.create_all(conn)
