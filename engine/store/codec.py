"""Resources and results to table rows and back.

Rows for ``bulk.insert_rows`` carry their JSON columns as JSON text already. Tag values are JSON
strings, or ``{"unknown": [deps]}`` for an :class:`Unknown`; no tag value is an object otherwise,
so the two never collide.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row

from tagwarden.engine.resource_json import decode_tag_value, encode_tag_value
from tagwarden.engine.resources import Resource, Taggability, TagSet, TagValue
from tagwarden.engine.results import PolicyRef, Result, Status, Summary
from tagwarden.engine.store.connection import json_dumps
from tagwarden.engine.store.models import ScanInfo, ScanStatus, StoredResource, StoredResult
from tagwarden.engine.store.tables import NO_INSTANCE


def decode_tags(raw: Mapping[str, Any]) -> dict[str, TagValue]:
    return {key: decode_tag_value(value) for key, value in raw.items()}


RESOURCE_COLUMNS = (
    "provider", "type", "address", "instance", "resource_id", "name", "account", "region", "file", "line",
    "taggability", "tags", "open_deps", "context", "managed",
)  # fmt: skip
RESULT_COLUMNS = (
    "address", "instance", "rule", "severity", "status", "reason", "key", "value", "expected", "message",
    "depends_on", "note",
)  # fmt: skip
RESOURCE_KEY_COLUMNS = (RESOURCE_COLUMNS.index("address"), RESOURCE_COLUMNS.index("instance"))


def resource_values(resource: Resource) -> tuple[Any, ...]:
    """A ``resource`` row without its scan id, in ``RESOURCE_COLUMNS`` order (cheap to send between processes)."""
    return (
        resource.provider,
        resource.type,
        resource.address,
        _instance_column(resource.instance),
        resource.id,
        resource.name,
        resource.account,
        resource.region,
        resource.file,
        resource.line,
        resource.taggability.value,
        json_dumps({key: encode_tag_value(value) for key, value in resource.tags.known.items()}),
        _json_list(resource.tags.open_deps),
        json_dumps(resource.context),
        _managed(resource.context),
    )


def result_values(result: Result) -> tuple[Any, ...]:
    """A ``result`` row without its scan id, in ``RESULT_COLUMNS`` order."""
    return (
        result.resource.address,
        _instance_column(result.resource.instance),
        result.rule,
        result.severity,
        str(result.status),
        result.reason,
        result.key,
        result.value,
        result.expected,
        result.message,
        _json_list(result.depends_on),
        result.note,
    )


def resource_row(scan_id: int, resource: Resource) -> dict[str, Any]:
    return {"scan_id": scan_id, **dict(zip(RESOURCE_COLUMNS, resource_values(resource), strict=True))}


def result_row(scan_id: int, result: Result) -> dict[str, Any]:
    return {"scan_id": scan_id, **dict(zip(RESULT_COLUMNS, result_values(result), strict=True))}


def stored_resource(row: Row[Any]) -> StoredResource:
    resource = Resource(
        provider=row.provider,
        type=row.type,
        address=row.address,
        instance=_instance_value(row.instance),
        tags=TagSet(known=decode_tags(row.tags), open_deps=tuple(row.open_deps)),
        taggability=Taggability(row.taggability),
        id=row.resource_id,
        name=row.name,
        account=row.account,
        region=row.region,
        file=row.file,
        line=row.line,
        context=row.context,
    )
    return StoredResource(scan_id=row.scan_id, resource=resource, managed=row.managed)


def stored_result(row: Row[Any]) -> StoredResult:
    return StoredResult(
        scan_id=row.scan_id,
        address=row.address,
        instance=_instance_value(row.instance),
        rule=row.rule,
        severity=row.severity,
        status=Status(row.status),
        reason=row.reason,
        key=row.key,
        value=row.value,
        expected=row.expected,
        message=row.message,
        depends_on=tuple(row.depends_on),
        note=row.note,
    )


def scan_info(row: Row[Any]) -> ScanInfo:
    return ScanInfo(
        id=row.id,
        source=row.source,
        status=ScanStatus(row.status),
        started_at=utc(row.started_at),
        finished_at=_optional_utc(row.finished_at),
        heartbeat_at=_optional_utc(row.heartbeat_at),
        host=row.host,
        pid=row.pid,
        policy=PolicyRef(name=row.policy_name, digest=row.policy_digest),
        parameters=row.parameters,
        summary=None if row.summary is None else Summary(**row.summary),
        stats=row.stats,
        failure=row.failure,
    )


def summary_json(summary: Summary) -> dict[str, Any]:
    return asdict(summary)


def utc(moment: datetime) -> datetime:
    """SQLite hands timestamps back without a zone; the store writes only UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def duplicate_keys(keys: Iterable[tuple[str, str | None]]) -> list[str]:
    """The (address, instance) keys that occur more than once, described."""
    seen: set[tuple[str, str | None]] = set()
    duplicates: list[str] = []
    for key in keys:
        if key in seen:
            duplicates.append(describe_key(*key))
        seen.add(key)
    return duplicates


def describe_key(address: str, instance: str | None) -> str:
    return address if instance is None else f"{address}[{instance}]"


def _json_list(items: Sequence[str]) -> str:
    return json_dumps(items) if items else "[]"  # the common case, half a million times a scan


def _optional_utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else utc(moment)


def _instance_column(instance: str | None) -> str:
    return NO_INSTANCE if instance is None else instance


def _instance_value(column: str) -> str | None:
    return None if column == NO_INSTANCE else column


def _managed(context: Mapping[str, Any]) -> bool | None:
    explicit = context.get("managed")
    if isinstance(explicit, bool):
        return explicit
    return True if context.get("managed_by") else None
