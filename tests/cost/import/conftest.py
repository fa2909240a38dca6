"""Billing import tests: files built by the tests in tmp_path, the shared FOCUS sample, both SQL stores.

The store fixtures of tests/store/conftest.py are loaded under their own name (a conftest is not
importable by module name), so ``store_url`` runs each test that asks for it on SQLite and PostgreSQL.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cost_import_support import Importer

TESTS = Path(__file__).resolve().parents[2]

_spec = importlib.util.spec_from_file_location("tagwarden_tests_store_conftest_cost", TESTS / "store" / "conftest.py")
assert _spec is not None and _spec.loader is not None
_store_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_store_fixtures)

pg_server_url = _store_fixtures.pg_server_url
pg_database_url = _store_fixtures.pg_database_url
backend = _store_fixtures.backend
store_url = _store_fixtures.store_url


@pytest.fixture
def importer(tmp_path: Path) -> Iterator[Importer]:
    """On a SQLite store (the store-specific tests use ``store_importer`` on both databases)."""
    opened = Importer(f"sqlite:///{tmp_path / 'store' / 'tagwarden.db'}", tmp_path / "store" / "billing.duckdb")
    yield opened
    opened.close()


@pytest.fixture
def store_importer(store_url: str, tmp_path: Path) -> Iterator[Importer]:
    opened = Importer(store_url, tmp_path / "billing.duckdb")
    yield opened
    opened.close()


@pytest.fixture
def csv_file(tmp_path: Path) -> Callable[..., Path]:
    """csv_file("name.csv", header, *rows): rows are lists of cells, written as CSV (quoted where needed)."""
    import csv

    def _write(name: str, header: list[str], *rows: list[str]) -> Path:
        path = tmp_path / name
        with path.open("w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow(header)
            writer.writerows(rows)
        return path

    return _write
