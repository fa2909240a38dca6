"""Billing tables per the cost contract, and policies written to files and loaded as users do."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import duckdb
import pytest
from billing_table import FOCUS_SAMPLE, create_billing, insert_rows, load_focus_csv

from tagwarden.engine.policy.loader import load_policy
from tagwarden.engine.policy.model import Policy


@pytest.fixture(scope="session")
def sample_billing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    """The shared FOCUS sample (FinOps Foundation, CC BY 4.0) in file order."""
    conn = create_billing(tmp_path_factory.mktemp("billing") / "billing.duckdb")
    load_focus_csv(conn, FOCUS_SAMPLE)
    yield conn
    conn.close()


@pytest.fixture
def billing_db(tmp_path: Path) -> Callable[[Iterable[Mapping[str, Any]]], duckdb.DuckDBPyConnection]:
    """billing_db(rows) -> a connection to a new billing table holding those rows."""
    made: list[duckdb.DuckDBPyConnection] = []

    def build(rows: Iterable[Mapping[str, Any]]) -> duckdb.DuckDBPyConnection:
        conn = create_billing(tmp_path / f"billing-{len(made)}.duckdb")
        insert_rows(conn, rows)
        made.append(conn)
        return conn

    return build


@pytest.fixture
def policy_file(tmp_path: Path) -> Callable[[str], Policy]:
    """policy_file(yaml_text) -> the loaded Policy."""
    count = iter(range(1000))

    def load(text: str) -> Policy:
        path = tmp_path / f"policy-{next(count)}.yaml"
        path.write_text(text, encoding="utf-8")
        return load_policy(path)

    return load
