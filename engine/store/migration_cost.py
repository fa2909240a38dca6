"""Migration step for the cost tables (see ``migrations.py``: a step spells out its tables as they were)."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Connection, DateTime, Index, Integer, MetaData, String, Table
from sqlalchemy.dialects.postgresql import JSONB


def cost_import_table(conn: Connection) -> None:
    """cost_import: one row per billing file imported into the billing database."""
    json_type = JSON().with_variant(JSONB(), "postgresql")
    metadata = MetaData()
    Table(
        "cost_import",
        metadata,
        Column("import_id", Integer, primary_key=True, autoincrement=False),
        Column("file", String, nullable=False),
        Column("format", String, nullable=False),
        Column("sha256", String, nullable=False),
        Column("imported_at", DateTime(timezone=True), nullable=False),
        Column("rows", BigInteger, nullable=False),
        Column("rejected", BigInteger, nullable=False),
        Column("periods", json_type, nullable=False),
        Column("currencies", json_type, nullable=False),
        Column("totals", json_type, nullable=False),
        Column("rejected_lines", json_type, nullable=False),
        Column("adjustments", json_type, nullable=False),
        Column("billing_db", String, nullable=False),
        Column("replaced_by", Integer),
        Index("ix_cost_import_sha256", "sha256"),
    )
    metadata.create_all(conn)
