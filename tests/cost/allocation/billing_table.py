"""The DuckDB ``billing`` table (made by ``open_billing``, checked against the cost contract's columns),
filled by the tests themselves.

The import (``tagwarden cost import``) is tested elsewhere; these tests only need the table, so they
fill it from the shared FOCUS sample with DuckDB's CSV reader, or from a few rows given in Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import duckdb

REPO = Path(__file__).resolve().parents[3]
FOCUS_SAMPLE = REPO.parent / "shared" / "data" / "focus-1.0-sample-1000.csv"  # FinOps Foundation, CC BY 4.0

COLUMNS: tuple[tuple[str, str], ...] = (
    ("import_id", "INTEGER"),
    ("source_line", "BIGINT"),
    ("period", "VARCHAR"),
    ("BillingPeriodStart", "TIMESTAMP"),
    ("BillingPeriodEnd", "TIMESTAMP"),
    ("ChargePeriodStart", "TIMESTAMP"),
    ("ChargePeriodEnd", "TIMESTAMP"),
    ("BillingCurrency", "VARCHAR"),
    ("BilledCost", "DECIMAL(38,10)"),
    ("EffectiveCost", "DECIMAL(38,10)"),
    ("ListCost", "DECIMAL(38,10)"),
    ("ContractedCost", "DECIMAL(38,10)"),
    ("ChargeCategory", "VARCHAR"),
    ("ChargeClass", "VARCHAR"),
    ("ChargeDescription", "VARCHAR"),
    ("ProviderName", "VARCHAR"),
    ("BillingAccountId", "VARCHAR"),
    ("BillingAccountName", "VARCHAR"),
    ("SubAccountId", "VARCHAR"),
    ("SubAccountName", "VARCHAR"),
    ("ResourceId", "VARCHAR"),
    ("ResourceName", "VARCHAR"),
    ("ResourceType", "VARCHAR"),
    ("ServiceName", "VARCHAR"),
    ("ServiceCategory", "VARCHAR"),
    ("RegionId", "VARCHAR"),
    ("Tags", "MAP(VARCHAR, VARCHAR)"),
    ("adjustment_of", "VARCHAR"),
)
NAMES = [name for name, _ in COLUMNS]


def create_billing(path: Path) -> duckdb.DuckDBPyConnection:
    """The billing database as the import makes it, checked against the contract's columns."""
    from tagwarden.engine.cost.storage import open_billing

    conn = open_billing(path)
    described = tuple((row[0], row[1]) for row in conn.execute("DESCRIBE billing").fetchall())
    assert described == COLUMNS, "the billing table no longer has the contract's columns"
    return conn


def load_focus_csv(conn: duckdb.DuckDBPyConnection, csv_path: Path, *, order: str = "source_line") -> None:
    """The sample's rows; ``order`` (an SQL expression) sets the physical row order (shuffle tests)."""
    focus = [name for name in NAMES if name not in ("import_id", "source_line", "period", "Tags", "adjustment_of")]
    conn.execute(
        f"""
        INSERT INTO billing_rows
        SELECT 1, source_line, strftime(CAST(BillingPeriodStart AS TIMESTAMP), '%Y-%m'),
               {", ".join(f'CAST("{name}" AS {dict(COLUMNS)[name]})' for name in focus[:-1])}, "{focus[-1]}",
               CAST(CAST(Tags AS JSON) AS MAP(VARCHAR, VARCHAR)), NULL
        FROM (SELECT *, row_number() OVER () + 1 AS source_line
              FROM read_csv(?, header = true, nullstr = 'NULL', all_varchar = true))
        ORDER BY {order}
        """,
        [str(csv_path)],
    )


def insert_rows(conn: duckdb.DuckDBPyConnection, rows: Iterable[Mapping[str, Any]]) -> None:
    """Rows given as {column: value}; missing columns are NULL; ``Tags`` a dict; costs as strings."""
    placeholders = ", ".join("?" for _ in NAMES)
    values = [
        [{"import_id": 1, "source_line": line, **row}.get(name) for name in NAMES] for line, row in enumerate(rows, 2)
    ]
    for start in range(0, len(values), 200):  # one statement per 200 rows: executemany is slow in DuckDB
        chunk = values[start : start + 200]
        conn.execute(
            "INSERT INTO billing_rows VALUES " + ", ".join(f"({placeholders})" for _ in chunk),
            [value for line in chunk for value in line],
        )
