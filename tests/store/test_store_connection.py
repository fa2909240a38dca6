"""How the store talks to each database: SQLite in WAL with a busy timeout and foreign keys on."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tagwarden.engine.store import Store
from tagwarden.engine.store.connection import SQLITE_BUSY_TIMEOUT_MS, create_store_engine, reading, writing


def test_connections_are_set_up_for_several_writers(store_url: str, backend: str) -> None:
    Store.open(store_url).close()
    engine = create_store_engine(store_url)
    with reading(engine) as conn:
        if backend == "sqlite":
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == SQLITE_BUSY_TIMEOUT_MS
        else:
            assert conn.exec_driver_sql("SHOW application_name").scalar() == "tagwarden"
    engine.dispose()


def test_a_write_transaction_that_raises_leaves_nothing(store_url: str) -> None:
    Store.open(store_url).close()
    engine = create_store_engine(store_url)
    with pytest.raises(RuntimeError), writing(engine) as conn:
        conn.execute(
            text("INSERT INTO policy_version (digest, name, first_seen) VALUES ('d', 'n', :now)"),
            {"now": "2026-01-01"},
        )
        raise RuntimeError("half-way")
    with reading(engine) as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM policy_version").scalar() == 0
    engine.dispose()
