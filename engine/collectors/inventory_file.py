"""Inventory files (JSON Lines): written by `inventory export`, read by `scan inventory FILE`.

Read as a stream, one line at a time, so a file of millions of resources never sits in memory.
A line that does not parse is a problem with its line number; the caller decides whether the run
may go on (``--skip-bad-lines``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from tagwarden.engine.inventory import CONTEXT_FIELDS, RecordError, resource_from_record
from tagwarden.engine.resources import Resource, SourceProblem, Unknown
from tagwarden.engine.taggability.registry import TaggabilityRegistry

REQUIRED = ("provider", "id", "type", "tags")


@dataclass(frozen=True, slots=True)
class InventoryLine:
    number: int
    text: str


def read_lines(handle: IO[bytes]) -> Iterator[InventoryLine]:
    for number, raw in enumerate(handle, start=1):
        text = raw.decode("utf-8", errors="replace").strip()
        if text:
            yield InventoryLine(number, text)


def parse_line(line: InventoryLine, name: str, registry: TaggabilityRegistry) -> Resource | SourceProblem:
    try:
        record = json.loads(line.text)
    except json.JSONDecodeError as error:
        return SourceProblem(name, line.number, f"not valid JSON: {error.msg} (column {error.colno})")
    if not isinstance(record, dict):
        return SourceProblem(name, line.number, "a line must hold one JSON object")
    missing = [field for field in REQUIRED if field not in record]
    if missing:
        return SourceProblem(name, line.number, f"missing required field(s): {', '.join(missing)}")
    try:
        return resource_from_record(record, lambda t: registry.info(t).taggability, registry.provider_of)
    except RecordError as error:
        return SourceProblem(name, line.number, str(error))


def read_inventory(path: Path, registry: TaggabilityRegistry) -> Iterator[Resource | SourceProblem]:
    name = str(path)
    with path.open("rb") as handle:
        for line in read_lines(handle):
            yield parse_line(line, name, registry)


def record_of(resource: Resource) -> dict[str, Any]:
    """The inventory line for a live resource (shared/spec/cli-and-outputs.md, Inventory file)."""
    context = resource.context
    return {
        "provider": resource.provider,
        "id": resource.id or resource.address,
        "type": resource.type,
        "name": resource.name,
        "account": resource.account,
        "region": resource.region,
        "tags": {key: _text(value) for key, value in resource.tags.known.items()},
        "created_at": context.get("created_at"),
        "created_by": context.get("created_by"),
        "managed_by": context.get("managed_by"),
        "parent": context.get("parent"),
        "context": {key: value for key, value in context.items() if key not in CONTEXT_FIELDS} or None,
    }


def _text(value: str | Unknown) -> str:
    return value if isinstance(value, str) else str(value)


def write_inventory(resources: Iterable[Resource], path: Path) -> int:
    """Write atomically: a half-written inventory never replaces a good one."""
    if path.exists() and not path.is_file():  # a device or a pipe: stream into it, never replace it
        with path.open("w", encoding="utf-8") as handle:
            return _write_records(resources, handle)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with temporary.open("w", encoding="utf-8") as handle:
            count = _write_records(resources, handle)
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
    return count


def _write_records(resources: Iterable[Resource], handle: IO[str]) -> int:
    count = 0
    for resource in resources:
        handle.write(json.dumps(record_of(resource), ensure_ascii=False, separators=(",", ":")) + "\n")
        count += 1
    return count
