"""Bulk inserts for the hot path (a scan's batches): COPY on PostgreSQL with psycopg 3, else executemany.

Rows arrive as dicts or tuples whose JSON columns are already JSON text, and go to the driver as they
are: SQLAlchemy's per-row parameter processing would cost more than the database itself does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, insert
from sqlalchemy.exc import DBAPIError


def insert_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    if rows:
        columns = tuple(rows[0])
        insert_values(conn, table, columns, [tuple(row[name] for name in columns) for row in rows])


def insert_values(conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert rows given as value tuples in ``columns`` order."""
    if not rows:
        return
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        _copy(conn, table, columns, rows)
    else:
        _executemany(conn, table, columns, rows)


def _copy(conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    preparer = conn.dialect.identifier_preparer
    statement = f"COPY {preparer.format_table(table)} ({', '.join(preparer.quote(c) for c in columns)}) FROM STDIN"
    driver_connection: Any = conn.connection.driver_connection  # same transaction as `conn`
    dbapi_error = conn.dialect.loaded_dbapi.Error
    try:
        with driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    except dbapi_error as exc:  # as SQLAlchemy would have raised it: IntegrityError, OperationalError...
        raise DBAPIError.instance(statement, None, exc, dbapi_error) from exc


def _executemany(conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    compiled = insert(table).compile(dialect=conn.dialect, column_keys=list(columns))
    if compiled.positional and compiled.positiontup:
        if list(compiled.positiontup) == list(columns):
            conn.exec_driver_sql(compiled.string, list(rows))
        else:
            order = [list(columns).index(name) for name in compiled.positiontup]
            conn.exec_driver_sql(compiled.string, [tuple(row[i] for i in order) for row in rows])
    else:
        conn.exec_driver_sql(compiled.string, [dict(zip(columns, row, strict=True)) for row in rows])
