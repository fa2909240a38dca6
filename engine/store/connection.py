"""Engines for the two databases the store supports, and the transactions every module writes in.

SQLite gets WAL (readers never block the writer), a busy timeout (writers queue instead of failing),
foreign keys, and ``BEGIN IMMEDIATE`` for write transactions: a deferred transaction that reads
first and writes later can fail at once with "database is locked" when another writer got in
between, whatever the busy timeout.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import json
import sqlite3
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from tagwarden.engine.resources import Unknown
from tagwarden.engine.store.errors import StoreError, store_error

SUPPORTED_BACKENDS = ("sqlite", "postgresql")
SQLITE_BUSY_TIMEOUT_MS = 60_000
POSTGRESQL_CONNECT_TIMEOUT_S = 10
_WRITE = "tagwarden_write"


def create_store_engine(url: str) -> Engine:
    """An engine for ``url``; raises StoreError for a URL that is malformed or names another database."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise store_error(url, "open", f"not a database URL ({exc})") from exc
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise store_error(
            url, "open", f"unsupported database {backend!r} (use sqlite:///PATH or postgresql+psycopg://...)"
        )
    try:
        return _sqlite_engine(parsed) if backend == "sqlite" else _postgresql_engine(parsed)
    except (ArgumentError, ImportError, OSError) as exc:
        raise store_error(url, "open", exc) from exc


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """One write transaction: committed when the block ends, rolled back if it raises."""
    with engine.connect() as conn:
        conn.execution_options(**{_WRITE: True})
        with conn.begin():
            yield conn


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn, conn.begin():
        yield conn


def json_dumps(value: Any) -> str:
    return _JSON_ENCODER.encode(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, Unknown):
        return {"unknown": list(value.depends_on)}
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):  # a MappingProxyType or similar context
        return dict(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    # a StoreError, not TypeError: psycopg lets it through unwrapped, and callers catch only StoreError
    raise StoreError(f"cannot store a {type(value).__name__} as JSON")


# one encoder for every value: json.dumps with options would build a new one each call
_JSON_ENCODER = json.JSONEncoder(default=_json_default, separators=(",", ":"), ensure_ascii=False)


def _sqlite_engine(url: URL) -> Engine:
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        folder = Path(url.database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OSError(f"cannot make the folder {folder} ({exc.strerror})") from exc
    engine = create_engine(url, json_serializer=json_dumps)
    event.listen(engine, "connect", _configure_sqlite)
    event.listen(engine, "begin", _begin_sqlite)
    return engine


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # isolation_level None stops sqlite3 from issuing its own BEGINs; _begin_sqlite issues them
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")  # first: switching to WAL may wait
        _switch_to_wal(cursor)
        cursor.execute("PRAGMA synchronous = NORMAL")  # in WAL: atomic and consistent, fsync at checkpoints
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _switch_to_wal(cursor: Any) -> None:
    """``PRAGMA journal_mode = WAL``, retried while another process creates the same fresh database:
    SQLite answers "database is locked" there at once, without calling the busy handler (seen when
    two scans open a new store together: about 1 open in 25)."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _begin_sqlite(conn: Connection) -> None:
    mode = "IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


def _postgresql_engine(url: URL) -> Engine:
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = POSTGRESQL_CONNECT_TIMEOUT_S
    if "application_name" not in url.query:
        connect_args["application_name"] = "tagwarden"
    return create_engine(url, json_serializer=json_dumps, connect_args=connect_args, pool_pre_ping=True)
