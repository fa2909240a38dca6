"""Where billing rows live: a DuckDB file beside the store, never row by row in the SQL store.

The ``billing`` table holds one row per billing line under FOCUS column names, whatever format it was
imported from; ``billing_import`` holds one row per imported file. Other modules (allocation, reports,
period close) read these two tables; the layout is the contract in the cost helpers' notes.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import duckdb
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

BILLING_DB_ENV = "TAGWARDEN_BILLING_DB"
MEMORY_LIMIT_ENV = "TAGWARDEN_DUCKDB_MEMORY"
DEFAULT_MEMORY_LIMIT = "1GB"  # DuckDB spills to disk beyond it: imports of any size stay well under 2 GB of RSS
MONEY = "DECIMAL(38,10)"

# (name, DuckDB type) in table order; the import fills every one of them
BILLING_COLUMNS: tuple[tuple[str, str], ...] = (
    ("import_id", "INTEGER"),
    ("source_line", "BIGINT"),
    ("period", "VARCHAR"),
    ("BillingPeriodStart", "TIMESTAMP"),
    ("BillingPeriodEnd", "TIMESTAMP"),
    ("ChargePeriodStart", "TIMESTAMP"),
    ("ChargePeriodEnd", "TIMESTAMP"),
    ("BillingCurrency", "VARCHAR"),
    ("BilledCost", MONEY),
    ("EffectiveCost", MONEY),
    ("ListCost", MONEY),
    ("ContractedCost", MONEY),
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

_BILLING_DDL = "CREATE TABLE IF NOT EXISTS billing ({})".format(
    ", ".join(f'"{name}" {sql_type}' for name, sql_type in BILLING_COLUMNS)
)
_BILLING_IMPORT_DDL = """
CREATE TABLE IF NOT EXISTS billing_import (
    import_id INTEGER PRIMARY KEY, file VARCHAR, format VARCHAR, sha256 VARCHAR, imported_at TIMESTAMP,
    rows BIGINT, rejected BIGINT, periods VARCHAR[], currencies VARCHAR[]
)
"""


def billing_path(store_url: str) -> Path:
    """``X.billing.duckdb`` beside a SQLite store ``X.db``; else $TAGWARDEN_BILLING_DB, else the user data dir."""
    sqlite_file = _sqlite_file(store_url)
    if sqlite_file is not None:
        return sqlite_file.with_name(f"{sqlite_file.stem}.billing.duckdb")
    configured = os.environ.get(BILLING_DB_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    return user_data_dir() / "tagwarden" / "billing.duckdb"


def open_billing(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to the billing database at ``path``, its tables made when writable.

    Timestamps are UTC (TIMESTAMPTZ values from the files are converted, not cut); memory is bounded by
    ``TAGWARDEN_DUCKDB_MEMORY`` (default 1GB; DuckDB spills to a temporary folder beyond it).
    """
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    config: dict[str, str | bool | int | float | list[str]] = {
        "memory_limit": os.environ.get(MEMORY_LIMIT_ENV, DEFAULT_MEMORY_LIMIT)
    }
    conn = duckdb.connect(str(path), read_only=read_only, config=config)
    conn.execute("SET TimeZone = 'UTC'")
    conn.execute("SET enable_progress_bar = false")  # it would write to stdout, where results go
    conn.execute("SET preserve_insertion_order = true")  # the import numbers rows by their order in the table
    if not read_only:
        conn.execute(_BILLING_DDL)
        conn.execute(_BILLING_IMPORT_DDL)
    return conn


def user_data_dir() -> Path:
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def _sqlite_file(store_url: str) -> Path | None:
    try:
        url = make_url(store_url)
    except (ArgumentError, ValueError):
        return None
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    if url.database.startswith("file:"):
        return None
    return Path(url.database).absolute()
