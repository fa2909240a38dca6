"""Resources from plain records: inventory JSON Lines and the examples a policy ships with."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tagwarden.engine.resources import Resource, Taggability, TagSet


class RecordError(ValueError):
    pass


def resource_from_record(
    record: Mapping[str, Any],
    classify: Callable[[str], Taggability],
    provider_of: Callable[[str], str],
) -> Resource:
    """``provider``, ``id`` (or ``address``), ``type`` and ``tags`` as in the inventory file format."""
    if not isinstance(record, Mapping):
        raise RecordError("a resource record must be a JSON object")
    resource_type = record.get("type")
    if not isinstance(resource_type, str) or not resource_type:
        raise RecordError("'type' is required and must be a string")
    tags = record.get("tags")
    if tags is None:
        tags = {}
    if not isinstance(tags, Mapping) or not all(isinstance(k, str) for k in tags):
        raise RecordError("'tags' must be an object of string keys")
    bad = [key for key, value in tags.items() if not isinstance(value, str)]
    if bad:
        raise RecordError(f"tag values must be strings (key {bad[0]!r})")
    identifier = record.get("id") or record.get("address")
    if not isinstance(identifier, str) or not identifier:
        raise RecordError("'id' is required and must be a string")
    return Resource(
        provider=str(record.get("provider") or provider_of(resource_type)),
        type=resource_type,
        address=str(record.get("address") or identifier),
        id=identifier,
        tags=TagSet(known=dict(tags)),
        taggability=classify(resource_type),
        name=_optional_text(record, "name"),
        account=_optional_text(record, "account"),
        region=_optional_text(record, "region"),
        file=_optional_text(record, "file"),
        context=_context(record),
    )


CONTEXT_FIELDS = ("created_at", "created_by", "managed_by", "parent")


def _context(record: Mapping[str, Any]) -> dict[str, Any]:
    """Creation facts, plus ``context`` (resource-group tags, project labels...) when exported."""
    extra = record.get("context")
    context: dict[str, Any] = dict(extra) if isinstance(extra, Mapping) else {}
    context.update({key: record[key] for key in CONTEXT_FIELDS if record.get(key)})
    return context


def _optional_text(record: Mapping[str, Any], key: str) -> str | None:
    value = record.get(key)
    return None if value is None else str(value)
