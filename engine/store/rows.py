"""A scan's resources and results: written a batch per transaction, read back as streams."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Select, select
from sqlalchemy.exc import IntegrityError

from tagwarden.engine.resources import Resource
from tagwarden.engine.results import Result
from tagwarden.engine.store import lifecycle
from tagwarden.engine.store.bulk import insert_values
from tagwarden.engine.store.codec import (
    RESOURCE_COLUMNS,
    RESOURCE_KEY_COLUMNS,
    RESULT_COLUMNS,
    describe_key,
    duplicate_keys,
    resource_values,
    result_values,
    stored_resource,
    stored_result,
)
from tagwarden.engine.store.connection import reading, writing
from tagwarden.engine.store.errors import StoreError
from tagwarden.engine.store.models import StoredResource, StoredResult
from tagwarden.engine.store.tables import RESOURCE, RESULT

STREAM_CHUNK = 1_000


@dataclass(frozen=True)
class BatchRows:
    """A batch as table rows without their scan id (``codec.RESOURCE_COLUMNS`` / ``RESULT_COLUMNS`` order):
    built where the batch was evaluated, so that a worker process sends tuples rather than objects."""

    resources: list[tuple[Any, ...]]
    results: list[tuple[Any, ...]]

    @classmethod
    def of(cls, resources: Sequence[Resource], results: Sequence[Result]) -> BatchRows:
        return cls([resource_values(r) for r in resources], [result_values(r) for r in results])


def add_batch(engine: Engine, scan_id: int, batch: BatchRows) -> None:
    address, instance = RESOURCE_KEY_COLUMNS
    keys = [(row[address], row[instance]) for row in batch.resources]
    duplicates = duplicate_keys((key, instance_key or None) for key, instance_key in keys)
    if duplicates:
        raise StoreError(f"scan {scan_id}: the batch holds {duplicates[0]} more than once")
    try:
        with writing(engine) as conn:
            lifecycle.touch(conn, scan_id)  # first: on PostgreSQL it also locks the scan row against finish/fail
            insert_values(conn, RESOURCE, ("scan_id", *RESOURCE_COLUMNS), [(scan_id, *r) for r in batch.resources])
            insert_values(conn, RESULT, ("scan_id", *RESULT_COLUMNS), [(scan_id, *r) for r in batch.results])
    except IntegrityError as exc:
        stored_before = _already_stored(engine, scan_id, set(keys))
        if stored_before:
            raise StoreError(f"scan {scan_id} already holds {stored_before[0]} (from an earlier batch)") from exc
        raise


def _already_stored(engine: Engine, scan_id: int, wanted: set[tuple[str, str]]) -> list[str]:
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
