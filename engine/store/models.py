"""What the store hands back: frozen records, detached from the database."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tagwarden.engine.resources import Resource, TagValue
from tagwarden.engine.results import PolicyRef, Status, Summary


class ScanStatus(enum.StrEnum):
    RUNNING = "running"
    COMPLETE = "complete"
    INCOMPLETE = "incomplete"  # failed, or its process died: its batches are kept but it is never "latest"


@dataclass(frozen=True, slots=True)
class ScanInfo:
    id: int
    source: str
    status: ScanStatus
    started_at: datetime
    finished_at: datetime | None
    heartbeat_at: datetime | None
    host: str
    pid: int
    policy: PolicyRef
    parameters: Mapping[str, Any]
    summary: Summary | None
    stats: Mapping[str, Any] | None
    failure: str | None  # why it is incomplete


ResourceKey = tuple[str, str | None]  # (address, instance)


@dataclass(frozen=True, slots=True)
class StoredResource:
    """A resource as a scan saw it. ``resource.suppressions`` are not kept (live resources have none)."""

    scan_id: int
    resource: Resource
    managed: bool | None  # declared by an IaC tool (context "managed_by"); None when not known

    @property
    def key(self) -> ResourceKey:
        return (self.resource.address, self.resource.instance)


@dataclass(frozen=True, slots=True)
class StoredResult:
    scan_id: int
    address: str
    instance: str | None
    rule: str
    severity: str
    status: Status
    reason: str | None
    key: str | None
    value: str | None
    expected: str | None
    message: str
    depends_on: tuple[str, ...]
    note: str | None


@dataclass(frozen=True, slots=True)
class TagChange:
    """How one resource's tags differ between two scans (a resource present in both)."""

    address: str
    instance: str | None
    added: Mapping[str, TagValue]
    removed: Mapping[str, TagValue]
    changed: Mapping[str, tuple[TagValue, TagValue]]  # key -> (old, new)


@dataclass(frozen=True, slots=True)
class ScanChanges:
    """What changed from ``old_scan`` to ``new_scan``.

    ``newly_failing`` are the new scan's failures that had no failure of the same rule and key on the
    same resource in the old scan (a resource that appeared counts too). ``fixed`` are the old scan's
    failures on resources that are still there, now without a failure of that rule and key;
    failures of resources that disappeared are neither.
    """

    old_scan: int
    new_scan: int
    appeared: list[StoredResource]
    disappeared: list[StoredResource]
    newly_failing: list[StoredResult]
    fixed: list[StoredResult]
    tag_changes: list[TagChange]

    @property
    def is_empty(self) -> bool:
        return not (self.appeared or self.disappeared or self.newly_failing or self.fixed or self.tag_changes)
