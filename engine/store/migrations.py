"""Schema migrations: an ordered list of steps, each run once, recorded in ``schema_version``.

Step N brings the schema from version N-1 to N. A step never uses ``tables.py`` (which describes the
latest schema): it spells out the tables and columns as they were at its version, so an old store
goes through the same steps a new one did. Add a step at the end, never edit one that has shipped.

All pending steps run in one transaction (both databases have transactional DDL) under a lock that
only one opener can hold: SQLite's write lock (BEGIN IMMEDIATE), PostgreSQL's advisory lock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Connection,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.schema import CreateIndex

from tagwarden.engine.store.connection import reading, writing
from tagwarden.engine.store.errors import StoreError
from tagwarden.engine.store.migration_audit import audit_trail_schema
from tagwarden.engine.store.migration_cost import cost_import_table
from tagwarden.engine.store.migration_remediation import remediation_journal
from tagwarden.engine.store.tables import SCHEMA_VERSION

Migration = Callable[[Connection], None]

# pg_advisory_xact_lock takes a bigint; this one is "tagwarden" in ASCII, truncated to 8 bytes
_POSTGRESQL_MIGRATION_LOCK = int.from_bytes(b"tagwarde", "big") >> 1


def _v1_initial_schema(conn: Connection) -> None:
    """scan, policy_version, resource, result."""
    json_type = JSON().with_variant(JSONB(), "postgresql")
    row_id = BigInteger().with_variant(Integer(), "sqlite")
    timestamp = DateTime(timezone=True)
    key_text = String().with_variant(String(collation="C"), "postgresql")
    metadata = MetaData()
    Table(
        "policy_version",
        metadata,
        Column("digest", String, primary_key=True),
        Column("name", String, nullable=False),
        Column("first_seen", timestamp, nullable=False),
    )
    Table(
        "scan",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("source", String, nullable=False),
        Column("status", String, nullable=False),
        Column("started_at", timestamp, nullable=False),
        Column("finished_at", timestamp),
        Column("host", String, nullable=False),
        Column("pid", Integer, nullable=False),
        Column("policy_name", String, nullable=False),
        Column("policy_digest", String, ForeignKey("policy_version.digest"), nullable=False),
        Column("parameters", json_type, nullable=False),
        Column("summary", json_type),
        Column("stats", json_type),
        Column("failure", String),
        Index("ix_scan_source_status_started", "source", "status", "started_at"),
    )
    Table(
        "resource",
        metadata,
        Column("id", row_id, primary_key=True, autoincrement=True),
        Column("scan_id", Integer, ForeignKey("scan.id", ondelete="CASCADE"), nullable=False),
        Column("provider", String, nullable=False),
        Column("type", String, nullable=False),
        Column("address", key_text, nullable=False),
        Column("instance", key_text, nullable=False),
        Column("resource_id", String),
        Column("name", String),
        Column("account", String),
        Column("region", String),
        Column("file", String),
        Column("line", Integer),
        Column("taggability", String, nullable=False),
        Column("tags", json_type, nullable=False),
        Column("open_deps", json_type, nullable=False),
        Column("context", json_type, nullable=False),
        Column("managed", Boolean),
        UniqueConstraint("scan_id", "address", "instance", name="uq_resource_scan_address_instance"),
    )
    Table(
        "result",
        metadata,
        Column("id", row_id, primary_key=True, autoincrement=True),
        Column("scan_id", Integer, ForeignKey("scan.id", ondelete="CASCADE"), nullable=False),
        Column("address", key_text, nullable=False),
        Column("instance", key_text, nullable=False),
        Column("rule", key_text, nullable=False),
        Column("severity", String, nullable=False),
        Column("status", String, nullable=False),
        Column("reason", String),
        Column("key", String),
        Column("value", String),
        Column("expected", String),
        Column("message", String, nullable=False),
        Column("depends_on", json_type, nullable=False),
        Column("note", String),
        Index("ix_result_scan_status", "scan_id", "status"),
        Index("ix_result_scan_resource_rule", "scan_id", "address", "instance", "rule"),
    )
    metadata.create_all(conn)


def _v2_scan_heartbeat(conn: Connection) -> None:
    """scan.heartbeat_at, so that a scan whose process is gone (or on another host) can be found."""
    _add_column(conn, "scan", Column("heartbeat_at", DateTime(timezone=True)))
    scan = Table("scan", MetaData(), Column("status", String), Column("heartbeat_at", DateTime(timezone=True)))
    conn.execute(CreateIndex(Index("ix_scan_status_heartbeat", scan.c.status, scan.c.heartbeat_at)))


MIGRATIONS: tuple[Migration, ...] = (
    _v1_initial_schema,
    _v2_scan_heartbeat,
    audit_trail_schema,
    remediation_journal,
    cost_import_table,
)
CURRENT_VERSION = len(MIGRATIONS)


def migrate(engine: Engine, target: int = CURRENT_VERSION) -> None:
    """Bring the schema up to ``target`` (tests pass a lower one to build an old store)."""
    if _check_version(schema_version(engine)) >= target:
        return
    with writing(engine) as conn:
        _lock_migrations(conn)
        SCHEMA_VERSION.create(conn, checkfirst=True)
        version = _check_version(_read_version(conn))  # again: another opener may have migrated meanwhile
        for number in range(version + 1, target + 1):
            MIGRATIONS[number - 1](conn)
            conn.execute(insert(SCHEMA_VERSION).values(version=number, applied_at=datetime.now(UTC)))


def schema_version(engine: Engine) -> int:
    """The store's schema version; 0 for an empty database."""
    with reading(engine) as conn:
        if not inspect(conn).has_table(SCHEMA_VERSION.name):
            return 0
        return _read_version(conn)


def _read_version(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(SCHEMA_VERSION.c.version), 0))).scalar_one())


def _check_version(version: int) -> int:
    if version > CURRENT_VERSION:
        raise StoreError(
            f"the store's schema is version {version}, newer than this tagwarden knows ({CURRENT_VERSION}): "
            "upgrade tagwarden"
        )
    return version


def _lock_migrations(conn: Connection) -> None:
    # SQLite: `writing` began with BEGIN IMMEDIATE, which already excludes every other writer
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _POSTGRESQL_MIGRATION_LOCK})


def _add_column(conn: Connection, table: str, column: Column[object]) -> None:
    preparer = conn.dialect.identifier_preparer
    column_type = column.type.compile(dialect=conn.dialect)
    conn.exec_driver_sql(f"ALTER TABLE {preparer.quote(table)} ADD COLUMN {preparer.quote(column.name)} {column_type}")
