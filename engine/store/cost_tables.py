"""The store's cost tables as they are after the last migration (``migration_cost.py`` builds them).

``cost_import``: one row per billing file imported into the billing database (the rows themselves stay
in DuckDB), so that the audit trail can name the import a figure came from.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Integer, String
from sqlmodel import Field, SQLModel

from tagwarden.engine.store.tables import JSON_TYPE, TIMESTAMP, _table


class CostImportRow(SQLModel, table=True):
    __tablename__ = "cost_import"

    import_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    file: str
    format: str
    sha256: str = Field(index=True)
    imported_at: datetime = Field(sa_type=TIMESTAMP)
    rows: int = Field(sa_column=Column(BigInteger, nullable=False))
    rejected: int = Field(sa_column=Column(BigInteger, nullable=False))
    periods: list[str] = Field(default_factory=list, sa_type=JSON_TYPE)
    currencies: list[str] = Field(default_factory=list, sa_type=JSON_TYPE)
    # beyond the billing database's fields: what an auditor asks for without opening DuckDB
    totals: dict[str, Any] = Field(default_factory=dict, sa_type=JSON_TYPE)  # currency -> {"billed", "effective"}
    rejected_lines: list[int] = Field(default_factory=list, sa_type=JSON_TYPE)  # the first ones
    adjustments: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON_TYPE)
    billing_db: str = Field(sa_column=Column(String, nullable=False))
    replaced_by: int | None = None  # set when `cost import --replace` imported the same file again


COST_IMPORT = _table(CostImportRow)
