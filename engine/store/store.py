"""The store's front door: every live scan with its history, in SQLite or PostgreSQL.

Each method is one short transaction on a connection of its own, so one ``Store`` may be shared by
threads, and several processes may write to the same database at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Self, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from tagwarden.engine.resources import Resource
from tagwarden.engine.results import PolicyRef, Result, Summary
from tagwarden.engine.store import lifecycle, migrations, rows
from tagwarden.engine.store.changes import changes_between
from tagwarden.engine.store.connection import create_store_engine
from tagwarden.engine.store.errors import StoreError, mask_url, store_error
from tagwarden.engine.store.models import ScanChanges, ScanInfo, StoredResource, StoredResult

_T = TypeVar("_T")


class Store:
    def __init__(self, engine: Engine, url: str) -> None:
        """Use :meth:`open`, which also brings the schema up to date."""
        self._engine = engine
        self._url = url

    @classmethod
    def open(cls, url: str) -> Self:
        """Open (creating or migrating the schema) and mark scans whose process is gone as incomplete."""
        engine = create_store_engine(url)
        store = cls(engine, url)
        try:
            with store._failing_as("open"):
                migrations.migrate(engine)
                lifecycle.mark_abandoned(engine, lifecycle.Process.current())
        except StoreError:
            engine.dispose()
            raise
        return store

    @property
    def url(self) -> str:
        """The URL with its password masked, for messages."""
        return mask_url(self._url)

    def begin_scan(self, source: str, policy: PolicyRef, parameters: Mapping[str, Any]) -> int:
        with self._failing_as("write to"):
            me = lifecycle.Process.current()
            lifecycle.mark_abandoned(self._engine, me)
            return lifecycle.begin(self._engine, source, policy, parameters, me)

    def add_batch(self, scan_id: int, resources: Sequence[Resource], results: Sequence[Result]) -> None:
        """Store one batch atomically (all of it or nothing) and record that the scan is alive.

        A scan that goes 15 minutes without a batch is taken as dead; an empty batch keeps it alive.
        """
        self.add_rows(scan_id, rows.BatchRows.of(resources, results))

    def add_rows(self, scan_id: int, batch: rows.BatchRows) -> None:
        """As ``add_batch``, for a batch already turned into rows (in a worker process)."""
        with self._failing_as("write to"):
            rows.add_batch(self._engine, scan_id, batch)

    def finish_scan(self, scan_id: int, summary: Summary, stats: Mapping[str, Any]) -> None:
        with self._failing_as("write to"):
            lifecycle.finish(self._engine, scan_id, summary, stats)

    def fail_scan(self, scan_id: int, reason: str) -> None:
        with self._failing_as("write to"):
            lifecycle.fail(self._engine, scan_id, reason)

    def discard_scan(self, scan_id: int, reason: str) -> None:
        """Delete an unfinished scan and everything it wrote (bad input: no partial results are kept)."""
        with self._failing_as("write to"):
            lifecycle.discard(self._engine, scan_id, reason)

    def scans(self, source: str | None = None, limit: int = 50) -> list[ScanInfo]:
        """Newest first."""
        with self._failing_as("read"):
            return lifecycle.list_scans(self._engine, source, limit)

    def latest_complete_scan(self, source: str | None = None) -> ScanInfo | None:
        with self._failing_as("read"):
            return lifecycle.latest_complete(self._engine, source)

    def resources_of(self, scan_id: int) -> Iterator[StoredResource]:
        """Streamed, by address and instance."""
        return self._streamed(rows.resources_of(self._engine, scan_id))

    def results_of(self, scan_id: int, statuses: set[str] | None = None) -> Iterator[StoredResult]:
        """Streamed, by address, instance and rule; ``statuses`` such as ``{"fail", "unknown"}``."""
        return self._streamed(rows.results_of(self._engine, scan_id, statuses))

    def changes(self, old_scan: int, new_scan: int) -> ScanChanges:
        with self._failing_as("read"):
            return changes_between(self._engine, old_scan, new_scan)

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def _failing_as(self, what: str) -> Iterator[None]:
        """Database errors, and the modules' own StoreErrors, become one StoreError that names the store."""
        try:
            yield
        except (SQLAlchemyError, StoreError) as exc:
            raise store_error(self._url, what, exc) from exc

    def _streamed(self, items: Iterator[_T]) -> Iterator[_T]:
        with self._failing_as("read"):
            yield from items
