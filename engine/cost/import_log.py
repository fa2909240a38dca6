"""The SQL store's record of billing imports (table ``cost_import``): one row per file, no billing rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, update

from tagwarden.engine.store.connection import reading, writing
from tagwarden.engine.store.cost_tables import COST_IMPORT


@dataclass(frozen=True)
class ImportRecord:
    import_id: int
    file: str
    format: str
    sha256: str
    imported_at: datetime
    rows: int
    rejected: int
    periods: tuple[str, ...]
    currencies: tuple[str, ...]
    totals: dict[str, dict[str, str]]  # currency -> {"billed": "12.3400000000", "effective": ...}
    rejected_lines: tuple[int, ...]
    adjustments: tuple[dict[str, Any], ...]
    billing_db: str
    replaced_by: int | None = None


class CostImportLog:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def last_import_id(self) -> int:
        with reading(self._engine) as conn:
            return int(conn.execute(select(func.coalesce(func.max(COST_IMPORT.c.import_id), 0))).scalar_one())

    def record(self, record: ImportRecord, replaces: Sequence[int] = ()) -> None:
        """One transaction: the new import's row, and the imports it replaces marked as such."""
        with writing(self._engine) as conn:
            conn.execute(insert(COST_IMPORT).values(**import_row(record)))
            if replaces:
                conn.execute(
                    update(COST_IMPORT)
                    .where(COST_IMPORT.c.import_id.in_(list(replaces)))
                    .values(replaced_by=record.import_id)
                )

    def forget(self, import_id: int, replaces: Sequence[int] = ()) -> None:
        """Undo :meth:`record` (the billing database could not commit the rows it describes)."""
        with writing(self._engine) as conn:
            conn.execute(delete(COST_IMPORT).where(COST_IMPORT.c.import_id == import_id))
            if replaces:
                conn.execute(
                    update(COST_IMPORT).where(COST_IMPORT.c.import_id.in_(list(replaces))).values(replaced_by=None)
                )

    def imports(self, include_replaced: bool = True) -> list[ImportRecord]:
        query = select(COST_IMPORT).order_by(COST_IMPORT.c.import_id)
        if not include_replaced:
            query = query.where(COST_IMPORT.c.replaced_by.is_(None))
        with reading(self._engine) as conn:
            return [_record(row._mapping) for row in conn.execute(query)]


def import_row(record: ImportRecord) -> dict[str, Any]:
    """The record as the ``cost_import`` row (and, with ``imported_at`` as text, as JSON)."""
    return {
        "import_id": record.import_id,
        "file": record.file,
        "format": record.format,
        "sha256": record.sha256,
        "imported_at": record.imported_at,
        "rows": record.rows,
        "rejected": record.rejected,
        "periods": list(record.periods),
        "currencies": list(record.currencies),
        "totals": record.totals,
        "rejected_lines": list(record.rejected_lines),
        "adjustments": list(record.adjustments),
        "billing_db": record.billing_db,
        "replaced_by": record.replaced_by,
    }


def _record(row: Any) -> ImportRecord:
    return ImportRecord(
        import_id=int(row["import_id"]),
        file=row["file"],
        format=row["format"],
        sha256=row["sha256"],
        imported_at=row["imported_at"],
        rows=int(row["rows"]),
        rejected=int(row["rejected"]),
        periods=tuple(row["periods"] or ()),
        currencies=tuple(row["currencies"] or ()),
        totals=dict(row["totals"] or {}),
        rejected_lines=tuple(row["rejected_lines"] or ()),
        adjustments=tuple(row["adjustments"] or ()),
        billing_db=row["billing_db"],
        replaced_by=row["replaced_by"],
    )
