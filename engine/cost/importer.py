"""``cost import``: one billing file into the billing database, in one DuckDB transaction, never row by row.

The steps: hash the file (the same content is imported once; a big file is hashed while DuckDB reads it),
read its header, pick the format (given or detected), check the required columns, then one
``INSERT ... SELECT`` maps the whole file onto the FOCUS
columns of ``billing``. Rows the reader cannot parse land in DuckDB's rejects table with their line
numbers; rows that parse but lack what every later figure needs (a period, a currency, a cost, usable
tags) are found by one query and removed. Rows of periods already closed are filed into the next open
period as adjustments. The SQL store's ``cost_import`` row is written just before the DuckDB commit and
removed again if that commit fails, so neither database keeps half an import.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from tagwarden.engine.cost.formats.interface import BillingFormat, BillingFormatError, SourceHeader
from tagwarden.engine.cost.formats.registry import detect_format, get_format
from tagwarden.engine.cost.formats.sql import JSON_LINE_COLUMN, SqlColumns, quote_identifier, quote_literal
from tagwarden.engine.cost.import_log import CostImportLog, ImportRecord
from tagwarden.engine.cost.reading import REJECTS_TABLE, SourceRelation, detect_kind, read_header, relation
from tagwarden.engine.cost.storage import BILLING_COLUMNS, ROWS_TABLE, parquet_folder, recreate_billing_view

HASH_FIRST_BELOW_BYTES = 256 << 20  # smaller files are hashed before the import starts
HASH_CHUNK_BYTES = 8 << 20  # large reads: a third less time than hashlib.file_digest's 256 KiB on a 6 GB file
REJECTED_LINES_KEPT = 100  # in the store's record; the count is always complete
_PERIOD = "strftime(coalesce(BillingPeriodStart, ChargePeriodStart), '%Y-%m')"
# a row with a date column that does not parse is inserted with adjustment_of = this marker + the column's
# name (inside the import's transaction only: it is rejected and deleted before anything else reads it)
_BAD_DATE_MARKER = "!unparsed date:"
_PROBLEMS = (  # (condition on a stored row, SQL giving why it is rejected), first match wins
    (
        f"starts_with(adjustment_of, '{_BAD_DATE_MARKER}')",
        f"'not a date in column ' || substr(adjustment_of, {len(_BAD_DATE_MARKER) + 1})",
    ),
    ("period IS NULL", quote_literal("no valid billing period or charge period start date")),
    ("BillingCurrency IS NULL OR trim(BillingCurrency) = ''", quote_literal("no currency")),
    ("BilledCost IS NULL", quote_literal("no valid cost")),
    # FOCUS requires it; a row without it would drop out of every EffectiveCost total unnoticed
    ("EffectiveCost IS NULL", quote_literal("no valid EffectiveCost")),
    ("Tags IS NULL", quote_literal("tags are not a JSON object with distinct keys")),
)


class ImportRefused(Exception):
    """The import would duplicate or alter what must not change (same file again, a closed period)."""


@dataclass(frozen=True)
class Rejection:
    line: int
    reason: str


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    rows: int
    billed: Decimal
    effective: Decimal


@dataclass(frozen=True)
class Adjustment:
    of_period: str
    period: str
    rows: int


@dataclass(frozen=True)
class ImportSummary:
    import_id: int
    file: Path
    format: str
    format_title: str
    detected: bool
    sha256: str
    rows: int
    rejected: int
    rejections: tuple[Rejection, ...]  # the first REJECTED_LINES_KEPT, by line
    periods: tuple[str, ...]
    totals: tuple[CurrencyTotal, ...]
    adjustments: tuple[Adjustment, ...] = ()
    replaced: tuple[int, ...] = field(default=())

    @property
    def currencies(self) -> tuple[str, ...]:
        return tuple(total.currency for total in self.totals)


def import_billing(
    path: Path,
    conn: duckdb.DuckDBPyConnection,
    log: CostImportLog,
    *,
    billing_db: str,
    format_name: str = "auto",
    closed: Iterable[str] = (),
    replace: bool = False,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> ImportSummary:
    """Import ``path``; raises BillingFormatError (cannot import it) or ImportRefused (must not)."""
    path = path.absolute()
    if not path.is_file():
        raise BillingFormatError(f"{path}: no such file")
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="tagwarden-sha256") as hasher:
        # a big file is hashed while DuckDB reads it (hashlib lets go of the GIL); a small one first, so
        # that importing the same file again is refused at once
        hashing = hasher.submit(_sha256, path, stop)
        overlap = path.stat().st_size > HASH_FIRST_BELOW_BYTES
        try:
            return _import(path, conn, log, hashing, overlap, billing_db, format_name, set(closed), replace, now)
        finally:
            stop.set()  # an import that failed early does not wait for the hash of a big file


def _import(
    path: Path,
    conn: duckdb.DuckDBPyConnection,
    log: CostImportLog,
    hashing: Future[str],
    overlap: bool,
    billing_db: str,
    format_name: str,
    closed_set: set[str],
    replace: bool,
    now: Callable[[], datetime],
) -> ImportSummary:
    digest = "" if overlap else hashing.result()
    replaces = () if overlap else _previous_imports(conn, path, digest, replace, closed_set)
    header = read_header(conn, path, detect_kind(path))
    billing_format = _pick_format(path, header, format_name)
    missing = billing_format.missing_columns(header)
    if missing:
        raise BillingFormatError(
            f"{path}: missing required column{'s' * (len(missing) > 1)} for {billing_format.title}: "
            + ", ".join(missing)
        )
    import_id = max(_last_billing_import_id(conn), log.last_import_id()) + 1
    source = relation(path, header, billing_format.read_types(header))
    target = _parquet_target(conn, import_id) if _dedupable_tag_columns(billing_format, source) else None

    conn.execute("BEGIN TRANSACTION")
    replaced_files: list[Path] = []
    try:
        if target is None:
            rejections = _insert(conn, import_id, billing_format, source)
        else:
            rejections = _write_parquet(conn, import_id, billing_format, source, target, closed_set)
        if overlap:
            digest = hashing.result()
            replaces = _previous_imports(conn, path, digest, replace, closed_set)
        for previous in replaces:
            replaced_files += [
                _database_folder(conn) / str(row[0])
                for row in conn.execute("SELECT path FROM billing_file WHERE import_id = ?", [previous]).fetchall()
            ]
            conn.execute(f"DELETE FROM {ROWS_TABLE} WHERE import_id = ?", [previous])
            conn.execute("DELETE FROM billing_file WHERE import_id = ?", [previous])
            conn.execute("DELETE FROM billing_tag_set WHERE import_id = ?", [previous])
            conn.execute("DELETE FROM billing_import WHERE import_id = ?", [previous])
        if target is not None or replaced_files:
            recreate_billing_view(conn)
        if target is None:
            adjustments = _file_closed_periods_as_adjustments(conn, import_id, closed_set)
        else:
            adjustments = _adjustments_written(conn, import_id) if closed_set else []
        summary = _summarise(
            conn, import_id, path, billing_format, format_name == "auto", digest, rejections, adjustments, replaces
        )
        imported_at = now()
        _record_in_billing(conn, summary, imported_at)
        record = _import_record(summary, imported_at, billing_db)
        log.record(record, replaces)
    except BaseException:
        conn.execute("ROLLBACK")
        _remove(target)
        raise
    try:
        conn.execute("COMMIT")
    except duckdb.Error:
        log.forget(import_id, replaces)
        _remove(target)
        raise
    for replaced in replaced_files:
        _remove(replaced)
    return summary


def _parquet_target(conn: duckdb.DuckDBPyConnection, import_id: int) -> Path | None:
    """Where a Parquet import's rows go; None for an in-memory database (its rows go into the table)."""
    row = conn.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    if not row or not row[0] or str(row[0]) == ":memory:":
        return None
    return _database_folder(conn) / f"import-{import_id}.parquet"


def _database_folder(conn: duckdb.DuckDBPyConnection) -> Path:
    row = conn.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    assert row is not None and row[0]
    return parquet_folder(Path(str(row[0])).absolute())


def _remove(file: Path | None) -> None:
    if file is not None:
        file.unlink(missing_ok=True)


def _pick_format(path: Path, header: SourceHeader, format_name: str) -> BillingFormat:
    if format_name != "auto":
        return get_format(format_name)
    found = detect_format(header)
    if found is None:
        shown = ", ".join(header.columns[:12]) + (", ..." if len(header.columns) > 12 else "")
        raise BillingFormatError(
            f"{path}: not a billing format tagwarden knows (FOCUS, AWS CUR 2.0 or legacy, Azure, GCP); "
            f"its columns: {shown}. Use --format to say which it is."
        )
    return found


def _sha256(path: Path, stop: threading.Event) -> str:
    digest = hashlib.sha256()
    buffer = bytearray(HASH_CHUNK_BYTES)
    view = memoryview(buffer)
    with path.open("rb", buffering=0) as stream:
        while not stop.is_set() and (read := stream.readinto(buffer)):
            digest.update(view[:read])
    return digest.hexdigest()


def _previous_imports(
    conn: duckdb.DuckDBPyConnection, path: Path, digest: str, replace: bool, closed: set[str]
) -> tuple[int, ...]:
    found = conn.execute(
        "SELECT import_id, file, imported_at FROM billing_import WHERE sha256 = ? ORDER BY import_id", [digest]
    ).fetchall()
    if not found:
        return ()
    first_id, first_file, first_at = found[0]
    if not replace:
        raise ImportRefused(
            f"{path}: this content was already imported (import {first_id}, {first_file},"
            f" {first_at:%Y-%m-%d %H:%M} UTC); use --replace to import it again in place of that import"
        )
    ids = tuple(int(row[0]) for row in found)
    if closed:
        in_closed = sorted(_periods_of(conn, ids) & closed)  # rows counted in a period that is now frozen
        if in_closed:
            raise ImportRefused(
                f"{path}: import {first_id} has rows in closed period(s) {', '.join(in_closed)}; a closed period does"
                " not change, so it cannot be replaced (reopen the period first)"
            )
    return ids


def _periods_of(conn: duckdb.DuckDBPyConnection, ids: Sequence[int]) -> set[str]:
    rows = conn.execute("SELECT DISTINCT period FROM billing WHERE list_contains(?, import_id)", [list(ids)]).fetchall()
    return {str(row[0]) for row in rows if row[0] is not None}


def _last_billing_import_id(conn: duckdb.DuckDBPyConnection) -> int:
    row = conn.execute("SELECT coalesce(max(import_id), 0) FROM billing_import").fetchone()
    return int(row[0]) if row else 0


def _insert(
    conn: duckdb.DuckDBPyConnection, import_id: int, billing_format: BillingFormat, source: SourceRelation
) -> list[Rejection]:
    conn.execute(f"DROP TABLE IF EXISTS {REJECTS_TABLE}")
    mapped, from_sql, columns = _mapped_columns(billing_format, source)
    rejections = _unreadable_json_lines(conn, source)
    _insert_rows(
        conn,
        source.header.kind == "parquet",
        f"""
        INSERT INTO {ROWS_TABLE}
        SELECT {import_id} AS import_id, __line AS source_line, {_PERIOD} AS period, * EXCLUDE (__line, __bad_date),
               __bad_date AS adjustment_of
        FROM (SELECT __line, {mapped}, {_bad_date_marker(columns.unparsed_dates)} AS __bad_date
              FROM {from_sql} WHERE {source.row_filter})
        """,
    )
    if source.first_line_from_row_ids is not None:
        _number_lines_from_row_ids(conn, import_id, source.first_line_from_row_ids)
    if source.counts_rejects:
        rejections += _reader_rejections(conn, import_id)
    rejections += _unusable_rows(conn, import_id)
    return sorted(rejections, key=lambda rejection: rejection.line)


def _mapped_columns(billing_format: BillingFormat, source: SourceRelation) -> tuple[str, str, SqlColumns]:
    columns = SqlColumns(source.header)
    projection = billing_format.projection(columns)
    from_sql = source.from_sql
    tag_columns = _dedupable_tag_columns(billing_format, source)
    if tag_columns:
        from_sql, projection["Tags"] = _tags_once_per_distinct_value(source, tag_columns, projection["Tags"])
    mapped = ", ".join(
        f"CAST({projection.get(name, 'NULL')} AS {sql_type}) AS {quote_identifier(name)}"
        for name, sql_type in BILLING_COLUMNS
        if name not in ("import_id", "source_line", "period", "adjustment_of")
    )
    return mapped, from_sql, columns


def _write_parquet(
    conn: duckdb.DuckDBPyConnection,
    import_id: int,
    billing_format: BillingFormat,
    source: SourceRelation,
    target: Path,
    closed: set[str],
) -> list[Rejection]:
    """A Parquet import's rows as a Parquet file beside the database, listed in ``billing_file`` (the caller
    makes the view show it). Rows of closed periods are filed as adjustments as they are written; the file
    gets its final name only inside the transaction, and the caller removes it if that transaction fails."""
    from_sql, tags_null = _tag_set_numbers(conn, import_id, billing_format, source)
    columns = SqlColumns(source.header)
    projection = billing_format.projection(columns)
    mapped = ", ".join(
        f"CAST({projection.get(name, 'NULL')} AS {sql_type}) AS {quote_identifier(name)}"
        for name, sql_type in BILLING_COLUMNS
        if name not in ("import_id", "source_line", "period", "adjustment_of", "Tags")
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    period, adjustment = "__period", "CAST(NULL AS VARCHAR)"
    if closed:
        moves = " ".join(f"WHEN {quote_literal(p)} THEN {quote_literal(next_open_period(p, closed))}" for p in closed)
        period = f"CASE __period {moves} ELSE __period END"
        listed = ", ".join(quote_literal(p) for p in sorted(closed))
        adjustment = f"CASE WHEN __period IN ({listed}) THEN __period END"
    select = f"""
        SELECT {import_id} AS import_id, __line AS source_line, {period} AS period,
               * EXCLUDE (__line, __bad_date, __period), coalesce(__bad_date, {adjustment}) AS adjustment_of
        FROM (SELECT *, {_PERIOD} AS __period
              FROM (SELECT __line, {mapped}, __tag_set AS tag_set, __tags_null,
                           {_bad_date_marker(columns.unparsed_dates)} AS __bad_date
                    FROM {from_sql} WHERE {source.row_filter}))
    """
    try:
        # each row's problem is written with it (one more column, not in the view): finding them reads only it
        with_problem = f"SELECT * EXCLUDE (__tags_null), {_problem_reason(tags_null)} AS __problem FROM ({select})"
        _insert_rows(conn, True, f"COPY ({with_problem}) TO {quote_literal(str(partial))} (FORMAT parquet)")
        written = f"read_parquet({quote_literal(str(partial))})"
        found = conn.execute(
            f"SELECT source_line, __problem FROM {written} WHERE __problem IS NOT NULL ORDER BY source_line"
        ).fetchall()
        rejections = [Rejection(int(line), str(why)) for line, why in found]
        if rejections:  # rare: the file is written again without them
            cleaned = target.with_name(target.name + ".clean")
            _insert_rows(
                conn,
                True,
                f"COPY (SELECT * FROM {written} WHERE __problem IS NULL) TO {quote_literal(str(cleaned))}"
                " (FORMAT parquet)",
            )
            os.replace(cleaned, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    # the name only: the view finds it through file_search_path, so the store's folder can move
    conn.execute("INSERT INTO billing_file VALUES (?, ?)", [import_id, target.name])
    return rejections


def _tag_set_numbers(
    conn: duckdb.DuckDBPyConnection, import_id: int, billing_format: BillingFormat, source: SourceRelation
) -> tuple[str, str]:
    """Each distinct tag text parsed once into ``billing_tag_set``; a FROM giving each row its ``__tag_set``
    and ``__tags_null`` (its tags do not parse), and the condition standing for ``Tags IS NULL``."""
    tag_columns = _dedupable_tag_columns(billing_format, source)
    tags_sql = billing_format.projection(SqlColumns(source.header))["Tags"]
    quoted = [quote_identifier(column) for column in tag_columns]
    conn.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE __tag_sets AS
        SELECT row_number() OVER () AS tag_set, {", ".join(quoted)}, CAST({tags_sql} AS MAP(VARCHAR, VARCHAR)) AS __map
        FROM (SELECT DISTINCT {", ".join(quoted)} FROM {source.from_sql})
        """
    )
    conn.execute(f"INSERT INTO billing_tag_set SELECT {import_id}, tag_set, __map FROM temp.__tag_sets")
    on = " AND ".join(f"__rows.{q} IS NOT DISTINCT FROM __sets.{q}" for q in quoted)
    from_sql = (
        "(SELECT __rows.*, __sets.tag_set AS __tag_set, __sets.__map IS NULL AS __tags_null"
        f" FROM {source.from_sql} AS __rows JOIN temp.__tag_sets AS __sets ON {on})"
    )
    return from_sql, "__tags_null"


def _adjustments_written(conn: duckdb.DuckDBPyConnection, import_id: int) -> list[Adjustment]:
    found = conn.execute(
        "SELECT adjustment_of, period, count(*) FROM billing WHERE import_id = ? AND adjustment_of IS NOT NULL"
        " GROUP BY ALL ORDER BY 1",
        [import_id],
    ).fetchall()
    return [Adjustment(str(of), str(into), int(rows)) for of, into, rows in found]


def _insert_rows(conn: duckdb.DuckDBPyConnection, lines_numbered_by_reader: bool, insert_sql: str) -> None:
    """Run the import's INSERT; when every row carries its line from the reader (Parquet's file_row_number),
    insertion order does not matter, and dropping it lets both cores append row groups (measured: 10M rows
    about 1 s less on 2 cores). CSV and JSON Lines number rows by their order, so it is kept for them."""
    if not lines_numbered_by_reader:
        conn.execute(insert_sql)
        return
    conn.execute("SET preserve_insertion_order = false")
    try:
        conn.execute(insert_sql)
    finally:
        conn.execute("SET preserve_insertion_order = true")


def _bad_date_marker(unparsed_dates: dict[str, str]) -> str:
    if not unparsed_dates:
        return "CAST(NULL AS VARCHAR)"
    branches = " ".join(
        f"WHEN {condition} THEN {quote_literal(_BAD_DATE_MARKER + column)}"
        for column, condition in unparsed_dates.items()
    )
    return f"CASE {branches} END"


def _dedupable_tag_columns(billing_format: BillingFormat, source: SourceRelation) -> tuple[str, ...]:
    """Text tag columns of a Parquet file: reading them twice costs little there (a CSV would be parsed twice)."""
    if source.header.kind != "parquet":
        return ()
    columns = billing_format.tag_source_columns(source.header)
    return columns if all(source.header.type_of(column) == "VARCHAR" for column in columns) else ()


def _tags_once_per_distinct_value(source: SourceRelation, columns: tuple[str, ...], tags_sql: str) -> tuple[str, str]:
    """A FROM joining each row to its tag map, parsed once per distinct tag text: billing files repeat a few
    hundred tag sets over millions of rows, and parsing JSON into a MAP is most of an import's work."""
    quoted = [quote_identifier(column) for column in columns]
    on = " AND ".join(f"__rows.{q} IS NOT DISTINCT FROM __tag_maps.{q}" for q in quoted)
    distinct = f"(SELECT DISTINCT {', '.join(quoted)} FROM {source.from_sql})"
    tag_maps = f"(SELECT {', '.join(quoted)}, {tags_sql} AS __tags FROM {distinct})"
    joined = f"{source.from_sql} AS __rows JOIN {tag_maps} AS __tag_maps ON {on}"
    from_sql = f"(SELECT __rows.*, __tag_maps.__tags FROM {joined})"
    return from_sql, "__tags"


def _number_lines_from_row_ids(conn: duckdb.DuckDBPyConnection, import_id: int, first_line: int) -> None:
    """The import's rows went in in file order (DuckDB keeps insertion order) as one run of row ids."""
    low, high, count = conn.execute(
        "SELECT min(rowid), max(rowid), count(*) FROM billing_rows WHERE import_id = ?", [import_id]
    ).fetchone() or (None, None, 0)
    if not count:
        return
    if high - low + 1 != count:  # not one run: the numbering would be wrong, so there is none
        raise RuntimeError(f"the {count} rows of import {import_id} are not one run of row ids: no line numbers")
    conn.execute(
        "UPDATE billing_rows SET source_line = rowid - ? + ? WHERE import_id = ?", [low, first_line, import_id]
    )


def _unreadable_json_lines(conn: duckdb.DuckDBPyConnection, source: SourceRelation) -> list[Rejection]:
    if source.header.kind != "json":
        return []
    rows = conn.execute(
        f"SELECT __line FROM {source.from_sql} WHERE NOT coalesce({source.row_filter}, false)"
        f" AND trim(coalesce({JSON_LINE_COLUMN}, '')) <> '' ORDER BY __line"  # a blank line is no record: skipped
    ).fetchall()
    conn.execute(f"DROP TABLE IF EXISTS {REJECTS_TABLE}")  # this pass's rejects are counted by the insert's pass
    return [Rejection(int(row[0]), "not a JSON object") for row in rows]


def _reader_rejections(conn: duckdb.DuckDBPyConnection, import_id: int) -> list[Rejection]:
    """Lines the CSV reader rejected; the stored rows' line numbers are shifted past them."""
    exists = conn.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [REJECTS_TABLE]).fetchone()
    if not exists or not exists[0]:
        return []
    found = conn.execute(
        f"SELECT line, first(error_message ORDER BY column_idx) FROM {REJECTS_TABLE} GROUP BY line ORDER BY line"
    ).fetchall()
    if not found:
        return []
    # the k-th rejected line L_k moves every row whose provisional line is >= L_k - k + 1 one line down
    conn.execute(
        f"""
        UPDATE billing_rows SET source_line = source_line + shifts.shift
        FROM (
            SELECT first_line AS low, lead(first_line, 1, 9223372036854775807) OVER (ORDER BY k) - 1 AS high, k AS shift
            FROM (SELECT line - row_number() OVER (ORDER BY line) + 1 AS first_line,
                         row_number() OVER (ORDER BY line) AS k
                  FROM (SELECT DISTINCT line FROM {REJECTS_TABLE}))
        ) AS shifts
        WHERE billing_rows.import_id = ? AND billing_rows.source_line BETWEEN shifts.low AND shifts.high
        """,
        [import_id],
    )
    conn.execute(f"DROP TABLE IF EXISTS {REJECTS_TABLE}")
    return [Rejection(int(line), _short(str(message))) for line, message in found]


def _any_problem() -> str:
    return " OR ".join(f"({condition})" for condition, _ in _PROBLEMS)


def _problem_reason(tags_null: str = "Tags IS NULL") -> str:
    """Why a stored row is rejected (SQL; NULL when it is not)."""
    conditions = [(tags_null if condition == "Tags IS NULL" else condition, why) for condition, why in _PROBLEMS]
    return "CASE " + " ".join(f"WHEN {condition} THEN {why}" for condition, why in conditions) + " END"


def _unusable_rows(conn: duckdb.DuckDBPyConnection, import_id: int) -> list[Rejection]:
    found = conn.execute(
        f"SELECT source_line, {_problem_reason()} FROM {ROWS_TABLE} WHERE import_id = ? AND ({_any_problem()})"
        " ORDER BY source_line",
        [import_id],
    ).fetchall()
    if found:
        conn.execute(f"DELETE FROM {ROWS_TABLE} WHERE import_id = ? AND ({_any_problem()})", [import_id])
    return [Rejection(int(line), str(why)) for line, why in found]


def next_open_period(period: str, closed: set[str]) -> str:
    year, month = (int(part) for part in period.split("-"))
    while f"{year:04d}-{month:02d}" in closed:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return f"{year:04d}-{month:02d}"


def _file_closed_periods_as_adjustments(
    conn: duckdb.DuckDBPyConnection, import_id: int, closed: set[str]
) -> list[Adjustment]:
    if not closed:
        return []
    periods = [
        str(row[0])
        for row in conn.execute(
            "SELECT DISTINCT period FROM billing WHERE import_id = ? ORDER BY period", [import_id]
        ).fetchall()
    ]
    adjustments = []
    for period in periods:
        if period not in closed:
            continue
        target = next_open_period(period, closed)
        moved = conn.execute(
            "UPDATE billing_rows SET adjustment_of = period, period = ? WHERE import_id = ? AND period = ?",
            [target, import_id, period],
        ).fetchone()
        adjustments.append(Adjustment(period, target, int(moved[0]) if moved else 0))
    return adjustments


def _summarise(
    conn: duckdb.DuckDBPyConnection,
    import_id: int,
    path: Path,
    billing_format: BillingFormat,
    detected: bool,
    digest: str,
    rejections: list[Rejection],
    adjustments: list[Adjustment],
    replaces: tuple[int, ...],
) -> ImportSummary:
    groups = conn.execute(
        """
        SELECT BillingCurrency, period, count(*), coalesce(sum(BilledCost), 0), coalesce(sum(EffectiveCost), 0)
        FROM billing WHERE import_id = ? GROUP BY BillingCurrency, period
        """,
        [import_id],
    ).fetchall()
    sums: dict[str, tuple[int, Decimal, Decimal]] = {}
    for currency, _period, count, billed, effective in groups:  # one line per currency and period: a few
        rows, billed_sum, effective_sum = sums.get(currency, (0, Decimal(0), Decimal(0)))
        sums[currency] = (rows + int(count), billed_sum + Decimal(billed), effective_sum + Decimal(effective))
    totals = tuple(CurrencyTotal(currency, *sums[currency]) for currency in sorted(sums))
    periods = sorted({str(group[1]) for group in groups})
    return ImportSummary(
        import_id=import_id,
        file=path,
        format=billing_format.name,
        format_title=billing_format.title,
        detected=detected,
        sha256=digest,
        rows=sum(total.rows for total in totals),
        rejected=len(rejections),
        rejections=tuple(rejections[:REJECTED_LINES_KEPT]),
        periods=tuple(periods),
        totals=totals,
        adjustments=tuple(adjustments),
        replaced=replaces,
    )


def _record_in_billing(conn: duckdb.DuckDBPyConnection, summary: ImportSummary, imported_at: datetime) -> None:
    conn.execute(
        "INSERT INTO billing_import VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            summary.import_id,
            str(summary.file),
            summary.format,
            summary.sha256,
            imported_at.astimezone(UTC).replace(tzinfo=None),
            summary.rows,
            summary.rejected,
            list(summary.periods),
            list(summary.currencies),
        ],
    )


def _import_record(summary: ImportSummary, imported_at: datetime, billing_db: str) -> ImportRecord:
    return ImportRecord(
        import_id=summary.import_id,
        file=str(summary.file),
        format=summary.format,
        sha256=summary.sha256,
        imported_at=imported_at,
        rows=summary.rows,
        rejected=summary.rejected,
        periods=summary.periods,
        currencies=summary.currencies,
        totals={t.currency: {"billed": str(t.billed), "effective": str(t.effective)} for t in summary.totals},
        rejected_lines=tuple(rejection.line for rejection in summary.rejections),
        adjustments=tuple({"of_period": a.of_period, "period": a.period, "rows": a.rows} for a in summary.adjustments),
        billing_db=billing_db,
    )


def _short(message: str) -> str:
    first = message.strip().splitlines()[0] if message.strip() else "unparseable"
    return first if len(first) <= 200 else first[:197] + "..."
