"""A store on SQLite and PostgreSQL (the fixtures of tests/store); the billing table of tests/cost/allocation."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(TESTS / "cost" / "allocation"))  # billing_table: the contract's table, built by tests


def _load_store_fixtures() -> object:
    spec = importlib.util.spec_from_file_location("_store_conftest_for_reports", TESTS / "store" / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_store = _load_store_fixtures()
pg_server_url = _store.pg_server_url  # type: ignore[attr-defined]
pg_database_url = _store.pg_database_url  # type: ignore[attr-defined]
backend = _store.backend  # type: ignore[attr-defined]
store_url = _store.store_url  # type: ignore[attr-defined]
