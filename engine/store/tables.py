"""The store's tables as they are after the last migration (``migrations.py`` builds them step by step).

Queries use these definitions; the migrations never do, so that an old store is always upgraded by
the exact steps that built the new one. ``tests/store`` checks that both agree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import JSON, BigInteger, Column, DateTime, ForeignKey, Index, Integer, String, Table, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeEngine
from sqlmodel import Field, SQLModel

# jsonb on PostgreSQL so that later reports can index and query tags; plain JSON text elsewhere
JSON_TYPE: TypeEngine[Any] = JSON().with_variant(JSONB(), "postgresql")
TIMESTAMP = DateTime(timezone=True)
# SQLite only autoincrements a column declared exactly INTEGER PRIMARY KEY
ROW_ID = BigInteger().with_variant(Integer(), "sqlite")

# byte order on PostgreSQL too, whatever the database's locale: the same order as SQLite, cheaper indexes
KEY_TEXT: TypeEngine[str] = String().with_variant(String(collation="C"), "postgresql")

NO_INSTANCE = ""  # NULLs are distinct in unique constraints, so "no instance key" is stored as ""


class SchemaVersionRow(SQLModel, table=True):
    __tablename__ = "schema_version"

    version: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    applied_at: datetime = Field(sa_type=TIMESTAMP)


class PolicyVersionRow(SQLModel, table=True):
    __tablename__ = "policy_version"

    digest: str = Field(primary_key=True)
    name: str
    first_seen: datetime = Field(sa_type=TIMESTAMP)


class ScanRow(SQLModel, table=True):
    __tablename__ = "scan"
    __table_args__ = (
        Index("ix_scan_source_status_started", "source", "status", "started_at"),
        Index("ix_scan_status_heartbeat", "status", "heartbeat_at"),  # v2
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str
    status: str
    started_at: datetime = Field(sa_type=TIMESTAMP)
    finished_at: datetime | None = Field(default=None, sa_type=TIMESTAMP)
    heartbeat_at: datetime | None = Field(default=None, sa_type=TIMESTAMP)  # v2
    host: str
    pid: int
    policy_name: str
    policy_digest: str = Field(foreign_key="policy_version.digest")
    parameters: dict[str, Any] = Field(default_factory=dict, sa_type=JSON_TYPE)
    summary: dict[str, Any] | None = Field(default=None, sa_type=JSON_TYPE)
    stats: dict[str, Any] | None = Field(default=None, sa_type=JSON_TYPE)
    failure: str | None = None  # why the scan is incomplete


class ResourceRow(SQLModel, table=True):
    __tablename__ = "resource"
    __table_args__ = (UniqueConstraint("scan_id", "address", "instance", name="uq_resource_scan_address_instance"),)

    id: int | None = Field(default=None, sa_column=Column(ROW_ID, primary_key=True, autoincrement=True))
    scan_id: int = Field(sa_column=Column(Integer, ForeignKey("scan.id", ondelete="CASCADE"), nullable=False))
    provider: str
    type: str
    address: str = Field(sa_type=KEY_TEXT)
    instance: str = Field(default=NO_INSTANCE, sa_type=KEY_TEXT)
    resource_id: str | None = None
    name: str | None = None
    account: str | None = None
    region: str | None = None
    file: str | None = None
    line: int | None = None
    taggability: str
    tags: dict[str, Any] = Field(default_factory=dict, sa_type=JSON_TYPE)  # Unknown -> {"unknown": [deps]}
    open_deps: list[str] = Field(default_factory=list, sa_type=JSON_TYPE)
    context: dict[str, Any] = Field(default_factory=dict, sa_type=JSON_TYPE)
    managed: bool | None = None  # True when the context names an IaC tool (managed_by); None when not known


class ResultRow(SQLModel, table=True):
    __tablename__ = "result"
    __table_args__ = (
        Index("ix_result_scan_status", "scan_id", "status"),
        Index("ix_result_scan_resource_rule", "scan_id", "address", "instance", "rule"),
    )

    id: int | None = Field(default=None, sa_column=Column(ROW_ID, primary_key=True, autoincrement=True))
    scan_id: int = Field(sa_column=Column(Integer, ForeignKey("scan.id", ondelete="CASCADE"), nullable=False))
    address: str = Field(sa_type=KEY_TEXT)
    instance: str = Field(default=NO_INSTANCE, sa_type=KEY_TEXT)
    rule: str = Field(sa_type=KEY_TEXT)
    severity: str
    status: str
    reason: str | None = None
    key: str | None = None
    value: str | None = None
    expected: str | None = None
    message: str = ""
    depends_on: list[str] = Field(default_factory=list, sa_type=JSON_TYPE)
    note: str | None = None


def _table(model: type[SQLModel]) -> Table:
    return cast(Table, model.__table__)  # type: ignore[attr-defined]  # set by SQLModel's metaclass


SCHEMA_VERSION = _table(SchemaVersionRow)
POLICY_VERSION = _table(PolicyVersionRow)
SCAN = _table(ScanRow)
RESOURCE = _table(ResourceRow)
RESULT = _table(ResultRow)

# tables other modules own, on the same metadata (imported last: they use the names above)
from tagwarden.engine.store import audit_tables, cost_tables, remediation_tables  # noqa: E402, F401
