"""Migration step: the audit trail, closed periods and recorded policies (see ``audit_tables.py``).

Like every step it spells out its tables as they were at its version and never imports the latest
definitions.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Connection, DateTime, Index, Integer, MetaData, String, Table, Text
from sqlalchemy.dialects.postgresql import JSONB


def audit_trail_schema(conn: Connection) -> None:
    """audit_record, audit_head, period_close, policy_record."""
    json_type = JSON().with_variant(JSONB(), "postgresql")
    timestamp = DateTime(timezone=True)
    metadata = MetaData()
    Table(
        "audit_record",
        metadata,
        Column("seq", Integer, primary_key=True, autoincrement=False),
        Column("kind", String, nullable=False),
        Column("actor", String, nullable=False),
        Column("at", String, nullable=False),
        Column("payload", Text, nullable=False),
        Column("prev_hash", String, nullable=False),
        Column("hash", String, nullable=False, unique=True),
        Index("ix_audit_record_kind", "kind"),
    )
    Table(
        "audit_head",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("seq", Integer, nullable=False),
        Column("hash", String, nullable=False),
    )
    Table(
        "period_close",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("period", String, nullable=False),
        Column("closed_at", timestamp, nullable=False),
        Column("closed_by", String, nullable=False),
        Column("scans", json_type, nullable=False),
        Column("report", Text, nullable=False),
        Column("report_digest", String, nullable=False),
        Column("policy_digest", String),
        Column("close_seq", Integer, nullable=False),
        Column("reopened_at", timestamp),
        Column("reopened_by", String),
        Column("reopen_reason", String),
        Column("reopen_seq", Integer),
        Index("ix_period_close_period", "period"),
    )
    Table(
        "policy_record",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("digest", String, nullable=False),
        Column("name", String, nullable=False),
        Column("recorded_at", timestamp, nullable=False),
        Column("actor", String, nullable=False),
        Column("canonical", Text, nullable=False),
        Column("audit_seq", Integer, nullable=False),
    )
    metadata.create_all(conn)
