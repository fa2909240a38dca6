"""The audit tests run on both stores: the fixtures of tests/store/conftest.py, loaded under their own
name: a conftest is not importable by module name. Helpers live in audit_samples.py."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tagwarden.engine.store import Store

_STORE_CONFTEST = Path(__file__).resolve().parents[1] / "store" / "conftest.py"
_spec = importlib.util.spec_from_file_location("tagwarden_tests_store_conftest", _STORE_CONFTEST)
assert _spec is not None and _spec.loader is not None
_store_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_store_fixtures)

pg_server_url = _store_fixtures.pg_server_url
pg_database_url = _store_fixtures.pg_database_url
backend = _store_fixtures.backend
store_url = _store_fixtures.store_url


@pytest.fixture
def store(store_url: str):
    with Store.open(store_url) as opened:
        yield opened
