"""What changed between two scans, worked out by the database (anti-joins on the scan indexes)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Engine, Select, and_, exists, select
from sqlalchemy.sql.elements import ColumnElement

from tagwarden.engine.resources import TagValue
from tagwarden.engine.results import Status
from tagwarden.engine.store import lifecycle
from tagwarden.engine.store.codec import decode_tags, stored_resource, stored_result
from tagwarden.engine.store.connection import reading
from tagwarden.engine.store.models import ScanChanges, StoredResource, StoredResult, TagChange
from tagwarden.engine.store.tables import NO_INSTANCE, RESOURCE, RESULT

FAIL = Status.FAIL.value


def changes_between(engine: Engine, old_scan: int, new_scan: int) -> ScanChanges:
    with reading(engine) as conn:
        lifecycle.require_scan(conn, old_scan)
        lifecycle.require_scan(conn, new_scan)
        return ScanChanges(
            old_scan=old_scan,
            new_scan=new_scan,
            appeared=_resources_only_in(conn, new_scan, old_scan),
            disappeared=_resources_only_in(conn, old_scan, new_scan),
            newly_failing=_failures_only_in(conn, new_scan, old_scan, resource_must_remain=False),
            fixed=_failures_only_in(conn, old_scan, new_scan, resource_must_remain=True),
            tag_changes=_tag_changes(conn, old_scan, new_scan),
        )


def _resources_only_in(conn: Connection, scan_id: int, other_scan: int) -> list[StoredResource]:
    query = (
        select(RESOURCE)
        .where(RESOURCE.c.scan_id == scan_id, ~_resource_in(other_scan, RESOURCE.c.address, RESOURCE.c.instance))
        .order_by(RESOURCE.c.address, RESOURCE.c.instance)
    )
    return [stored_resource(row) for row in conn.execute(query)]


def _failures_only_in(
    conn: Connection, scan_id: int, other_scan: int, *, resource_must_remain: bool
) -> list[StoredResult]:
    other = RESULT.alias("other")
    same_failure_in_other = exists().where(
        other.c.scan_id == other_scan,
        other.c.address == RESULT.c.address,
        other.c.instance == RESULT.c.instance,
        other.c.rule == RESULT.c.rule,
        other.c.key.is_not_distinct_from(RESULT.c.key),
        other.c.status == FAIL,
    )
    query: Select[Any] = select(RESULT).where(
        RESULT.c.scan_id == scan_id, RESULT.c.status == FAIL, ~same_failure_in_other
    )
    if resource_must_remain:
        query = query.where(_resource_in(other_scan, RESULT.c.address, RESULT.c.instance))
    query = query.order_by(RESULT.c.address, RESULT.c.instance, RESULT.c.rule, RESULT.c.id)
    return [stored_result(row) for row in conn.execute(query)]


def _resource_in(scan_id: int, address: ColumnElement[str], instance: ColumnElement[str]) -> ColumnElement[bool]:
    other = RESOURCE.alias("other_resource")
    return exists().where(other.c.scan_id == scan_id, other.c.address == address, other.c.instance == instance)


def _tag_changes(conn: Connection, old_scan: int, new_scan: int) -> list[TagChange]:
    old = RESOURCE.alias("old")
    new = RESOURCE.alias("new")
    query = (
        select(new.c.address, new.c.instance, old.c.tags.label("old_tags"), new.c.tags.label("new_tags"))
        .join(old, and_(old.c.address == new.c.address, old.c.instance == new.c.instance))
        .where(new.c.scan_id == new_scan, old.c.scan_id == old_scan)
        .order_by(new.c.address, new.c.instance)
    )
    found: list[TagChange] = []
    for row in conn.execution_options(stream_results=True, yield_per=1_000).execute(query):
        if row.old_tags != row.new_tags:
            instance = None if row.instance == NO_INSTANCE else row.instance
            found.append(_diff(row.address, instance, decode_tags(row.old_tags), decode_tags(row.new_tags)))
    return found


def _diff(address: str, instance: str | None, old: Mapping[str, TagValue], new: Mapping[str, TagValue]) -> TagChange:
    return TagChange(
        address=address,
        instance=instance,
        added={key: value for key, value in new.items() if key not in old},
        removed={key: value for key, value in old.items() if key not in new},
        changed={key: (old[key], value) for key, value in new.items() if key in old and old[key] != value},
    )
