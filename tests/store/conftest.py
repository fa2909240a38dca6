"""Every store test runs on SQLite (a file in tmp_path) and on PostgreSQL (a schema per test).

PostgreSQL: ``TAGWARDEN_TEST_PG`` names a server and a database to connect to (default
postgresql+psycopg://postgres@127.0.0.1:5432/test); the run creates a database of its own there and
drops it at the end. An unreachable server fails the PostgreSQL tests, it does not skip them, unless
``TAGWARDEN_SKIP_PG=1`` says so explicitly.
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

PG_ENV = "TAGWARDEN_TEST_PG"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SKIP_PG_ENV = "TAGWARDEN_SKIP_PG"

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]

_schema_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    """The URL from TAGWARDEN_TEST_PG, checked to answer."""
    if os.environ.get(SKIP_PG_ENV) == "1":
        pytest.skip(f"{SKIP_PG_ENV}=1: PostgreSQL tests skipped on request")
    url = os.environ.get(PG_ENV, PG_DEFAULT)
    engine = create_engine(url, connect_args={"connect_timeout": 5})
    try:
        with engine.connect():
            pass
    except SQLAlchemyError as exc:
        pytest.fail(
            f"PostgreSQL at {make_url(url).render_as_string(hide_password=True)} is unreachable "
            f"({_first_line(exc)}). Start it, or point {PG_ENV} at one; "
            f"set {SKIP_PG_ENV}=1 to skip the PostgreSQL store tests deliberately.",
            pytrace=False,
        )
    finally:
        engine.dispose()
    return url


@pytest.fixture(scope="session")
def pg_database_url(pg_server_url: str) -> Iterator[str]:
    """A database created for this test run (dropped after it): its URL."""
    name = f"tagwarden_test_{secrets.token_hex(6)}"
    admin = create_engine(pg_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(pg_server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """An empty store: a new SQLite file, or a new PostgreSQL schema (through search_path)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'store' / 'tagwarden.db'}"
    database_url: str = request.getfixturevalue("pg_database_url")
    schema = f"t{next(_schema_numbers)}_{secrets.token_hex(3)}"
    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine.dispose()
    url = make_url(database_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def _first_line(exc: SQLAlchemyError) -> str:
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    return lines[0] if lines else type(cause).__name__
