"""A scan's resources and results: written a batch per transaction, read back as streams."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Engine, Select, select
from sqlalchemy.exc import IntegrityError

from tagwarden.engine.resources import Resource
from tagwarden.engine.results import Result
from tagwarden.engine.store import lifecycle
from tagwarden.engine.store.bulk import insert_rows
from tagwarden.engine.store.codec import (
    describe_key,
    duplicate_keys,
    resource_row,
    result_row,
    stored_resource,
    stored_result,
)
from tagwarden.engine.store.connection import reading, writing
from tagwarden.engine.store.errors import StoreError
from tagwarden.engine.store.models import StoredResource, StoredResult
from tagwarden.engine.store.tables import NO_INSTANCE, RESOURCE, RESULT

STREAM_CHUNK = 1_000


def add_batch(engine: Engine, scan_id: int, resources: Sequence[Resource], results: Sequence[Result]) -> None:
    duplicates = duplicate_keys(resources)
    if duplicates:
        raise StoreError(f"scan {scan_id}: the batch holds {duplicates[0]} more than once")
    resource_rows = [resource_row(scan_id, resource) for resource in resources]
    result_rows = [result_row(scan_id, result) for result in results]
    try:
        with writing(engine) as conn:
            lifecycle.touch(conn, scan_id)  # first: on PostgreSQL it also locks the scan row against finish/fail
            insert_rows(conn, RESOURCE, resource_rows)
            insert_rows(conn, RESULT, result_rows)
    except IntegrityError as exc:
        stored_before = _already_stored(engine, scan_id, resources)
        if stored_before:
            raise StoreError(f"scan {scan_id} already holds {stored_before[0]} (from an earlier batch)") from exc
        raise


def _already_stored(engine: Engine, scan_id: int, resources: Sequence[Resource]) -> list[str]:
    wanted = {(resource.address, resource.instance or NO_INSTANCE) for resource in resources}
    query = select(RESOURCE.c.address, RESOURCE.c.instance).where(
        RESOURCE.c.scan_id == scan_id, RESOURCE.c.address.in_(sorted({address for address, _ in wanted}))
    )
    with reading(engine) as conn:
        found = {(row.address, row.instance) for row in conn.execute(query)}
    return sorted(describe_key(address, instance or None) for address, instance in wanted & found)


def resources_of(engine: Engine, scan_id: int) -> Iterator[StoredResource]:
    query = select(RESOURCE).where(RESOURCE.c.scan_id == scan_id).order_by(RESOURCE.c.address, RESOURCE.c.instance)
    return (stored_resource(row) for row in stream(engine, query))


def results_of(engine: Engine, scan_id: int, statuses: set[str] | None) -> Iterator[StoredResult]:
    query = select(RESULT).where(RESULT.c.scan_id == scan_id)
    if statuses is not None:
        query = query.where(RESULT.c.status.in_(sorted(statuses)))
    query = query.order_by(RESULT.c.address, RESULT.c.instance, RESULT.c.rule, RESULT.c.id)
    return (stored_result(row) for row in stream(engine, query))


def stream(engine: Engine, query: Select[Any]) -> Iterator[Any]:
    """Rows in chunks (a server-side cursor on PostgreSQL); the connection is held until exhausted or closed."""
    with reading(engine) as conn:
        yield from conn.execution_options(stream_results=True, yield_per=STREAM_CHUNK).execute(query)
