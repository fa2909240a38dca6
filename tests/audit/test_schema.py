"""The audit migration step builds exactly the tables audit_tables.py declares, on both stores."""

from __future__ import annotations

from sqlalchemy import inspect

from tagwarden.engine.store import Store
from tagwarden.engine.store.audit_tables import AUDIT_HEAD, AUDIT_RECORD, PERIOD_CLOSE, POLICY_RECORD
from tagwarden.engine.store.connection import create_store_engine
from tagwarden.engine.store.migration_audit import audit_trail_schema
from tagwarden.engine.store.migrations import CURRENT_VERSION, MIGRATIONS, migrate, schema_version


def test_the_migrated_audit_tables_are_the_declared_ones(store_url: str) -> None:
    Store.open(store_url).close()
    engine = create_store_engine(store_url)
    inspector = inspect(engine)
    for table in (AUDIT_RECORD, AUDIT_HEAD, PERIOD_CLOSE, POLICY_RECORD):
        found = {column["name"]: column["nullable"] for column in inspector.get_columns(table.name)}
        assert found == {column.name: column.nullable for column in table.columns}, table.name
        declared_indexes = {index.name for index in table.indexes}
        assert declared_indexes <= {index["name"] for index in inspector.get_indexes(table.name)}, table.name
    engine.dispose()


def test_a_store_from_before_the_audit_trail_is_upgraded(store_url: str) -> None:
    engine = create_store_engine(store_url)
    migrate(engine, target=MIGRATIONS.index(audit_trail_schema))  # the version just before the audit step
    assert not inspect(engine).has_table("audit_record")
    engine.dispose()
    Store.open(store_url).close()
    engine = create_store_engine(store_url)
    assert schema_version(engine) == CURRENT_VERSION and inspect(engine).has_table("audit_record")
    engine.dispose()
