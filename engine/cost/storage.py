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

# rows of CSV and JSON imports; Parquet imports are Parquet files beside the database (billing_file), and
# the view ``billing`` shows both (DuckDB writes a Parquet file about twice as fast as it appends the same
# rows to a table: 10M rows 8 s against 12 s on 2 cores)
ROWS_TABLE = "billing_rows"
_BILLING_DDL = f"CREATE TABLE IF NOT EXISTS {ROWS_TABLE} ({{}})".format(
    ", ".join(f'"{name}" {sql_type}' for name, sql_type in BILLING_COLUMNS)
)
_BILLING_FILE_DDL = "CREATE TABLE IF NOT EXISTS billing_file (import_id INTEGER PRIMARY KEY, path VARCHAR NOT NULL)"
# a Parquet import's files hold a tag set number; its tags are here, once per distinct set (writing a MAP per
# row into Parquet was a quarter of a 10M-row import)
_BILLING_TAG_SET_DDL = (
    "CREATE TABLE IF NOT EXISTS billing_tag_set (import_id INTEGER, tag_set BIGINT, Tags MAP(VARCHAR, VARCHAR))"
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
    # the billing view names its Parquet files relative to their folder, so that the store can move
    folder = str(parquet_folder(path.absolute())).replace("'", "''")
    conn.execute(f"SET file_search_path = '{folder}'")
    if not read_only:
        _make_tables(conn)
    return conn


def parquet_folder(billing_db: Path) -> Path:
    """Where Parquet imports keep their rows: ``X.billing.duckdb`` -> ``X.billing.parquet/``."""
    return billing_db.with_name(billing_db.stem + ".parquet")


def recreate_billing_view(conn: duckdb.DuckDBPyConnection) -> None:
    """``billing`` = the table's rows + every listed Parquet file's (inside the caller's transaction, if any)."""
    files = [str(row[0]) for row in conn.execute("SELECT path FROM billing_file ORDER BY import_id").fetchall()]
    names = ", ".join(f'"{name}"' for name, _ in BILLING_COLUMNS)
    select = f"SELECT {names} FROM {ROWS_TABLE}"
    if files:
        listed = ", ".join("'" + file.replace("'", "''") + "'" for file in files)
        typed = ", ".join(f'CAST("{name}" AS {sql_type}) AS "{name}"' for name, sql_type in BILLING_COLUMNS)
        select += (
            f" UNION ALL SELECT {typed} FROM read_parquet([{listed}])"
            " LEFT JOIN billing_tag_set USING (import_id, tag_set)"
        )
    conn.execute(f"CREATE OR REPLACE VIEW billing AS {select}")


def _make_tables(conn: duckdb.DuckDBPyConnection) -> None:
    kind = conn.execute("SELECT table_type FROM information_schema.tables WHERE table_name = 'billing'").fetchone()
    if kind is not None and kind[0] == "BASE TABLE":  # a database from before the view: its rows stay
        conn.execute(f"ALTER TABLE billing RENAME TO {ROWS_TABLE}")
    conn.execute(_BILLING_DDL)
    conn.execute(_BILLING_FILE_DDL)
    conn.execute(_BILLING_TAG_SET_DDL)
    conn.execute(_BILLING_IMPORT_DDL)
    if kind is None or kind[0] == "BASE TABLE":
        recreate_billing_view(conn)


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
