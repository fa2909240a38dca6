"""Helpers for the billing import tests (a module of its own: conftest is not importable by name)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from tagwarden.engine.cost.import_log import CostImportLog
from tagwarden.engine.cost.importer import ImportSummary, import_billing
from tagwarden.engine.cost.storage import open_billing
from tagwarden.engine.store import Store
from tagwarden.engine.store.connection import create_store_engine

REPO = Path(__file__).resolve().parents[3]
# FinOps Foundation FOCUS-Sample-Data (FOCUS-1.0/focus_sample.csv), CC BY 4.0; see shared/data/README.md
FOCUS_SAMPLE = REPO.parent / "shared" / "data" / "focus-1.0-sample-1000.csv"


class Importer:
    """One store and one billing database; ``run(path, ...)`` imports into them."""

    def __init__(self, url: str, billing: Path) -> None:
        Store.open(url).close()
        self.url = url
        self.engine = create_store_engine(url)
        self.log = CostImportLog(self.engine)
        self.billing_path = billing
        self.conn = open_billing(billing)

    def run(self, path: Path, **options: Any) -> ImportSummary:
        return import_billing(path, self.conn, self.log, billing_db=str(self.billing_path), **options)

    def rows(self, sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
        return self.conn.execute(sql, list(parameters)).fetchall()

    def close(self) -> None:
        self.conn.close()
        self.engine.dispose()


def to_parquet(source: Path, target: Path, select: str = "*") -> Path:
    """A Parquet copy of a CSV, written with DuckDB's COPY (``select`` may retype columns)."""
    with duckdb.connect() as conn:
        conn.execute(
            f"COPY (SELECT {select} FROM read_csv('{source}', all_varchar = true, nullstr = ['', 'NULL'])) "
            f"TO '{target}' (FORMAT parquet)"
        )
    return target
