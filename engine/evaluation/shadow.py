"""Shadow IT and drift, pure: a live resource against what IaC declares (Terraform state).

``unmanaged``: no IaC declares the resource. ``drift``: IaC declares it with other tags.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from tagwarden.engine.evaluation.builtin_rules import DRIFT, UNMANAGED
from tagwarden.engine.resources import Resource
from tagwarden.engine.results import Result, Status

_GCP_PREFIX = re.compile(r"^(?:https://www\.googleapis\.com/[a-z]+/v[0-9a-z.]+/|//[a-z0-9.-]+\.googleapis\.com/)")


@dataclass(frozen=True)
class DeclaredResource:
    address: str  # the Terraform address in state
    tags: Mapping[str, str] | None  # what state says the tags are (None: not recorded)


@dataclass
class ManagedInventory:
    """What Terraform state files declare, indexed by every identifier a live resource may carry."""

    by_key: dict[str, DeclaredResource] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)

    def add(self, identifiers: list[str], declared: DeclaredResource) -> None:
        for identifier in identifiers:
            if identifier:
                self.by_key.setdefault(normalise(identifier), declared)

    def find(self, resource: Resource) -> DeclaredResource | None:
        for key in live_keys(resource):
            found = self.by_key.get(key)
            if found is not None:
                return found
        return None


def normalise(identifier: str) -> str:
    """ARNs as they are; Azure ids case-folded; GCP self links and asset names as ``projects/...``."""
    text = identifier.strip()
    if text.startswith("/subscriptions/"):
        return text.casefold()
    return _GCP_PREFIX.sub("", text)


def live_keys(resource: Resource) -> list[str]:
    keys = [normalise(value) for value in (resource.id, resource.address) if value]
    identifier = resource.id or resource.address
    if resource.provider == "aws" and identifier.startswith("arn:"):
        keys.append(re.split(r"[:/]", identifier)[-1])  # i-0abc, vol-0abc, bucket name, queue name
    if resource.provider == "gcp":
        keys.append(identifier.rsplit("/", 1)[-1])  # bucket names are global
    return keys


def shadow_results(resource: Resource, inventory: ManagedInventory) -> list[Result]:
    declared = inventory.find(resource)
    if declared is None:
        if resource.context.get("managed_by"):  # IaC-origin tags say so (CloudFormation stacks, ...)
            return []
        return [
            Result(
                rule=UNMANAGED.id,
                severity=UNMANAGED.severity,
                status=Status.FAIL,
                resource=resource,
                reason="unmanaged",
                message="no Terraform state given declares this resource (shadow IT)",
            )
        ]
    differences = tag_differences(declared.tags, resource)
    if not differences:
        return [
            Result(
                rule=DRIFT.id,
                severity=DRIFT.severity,
                status=Status.PASS,
                resource=resource,
                message=f"tags match {declared.address}",
            )
        ]
    return [
        Result(
            rule=DRIFT.id,
            severity=DRIFT.severity,
            status=Status.FAIL,
            resource=resource,
            reason="drift",
            expected=declared.address,
            message=f"tags differ from {declared.address}: " + "; ".join(differences),
        )
    ]


def tag_differences(declared: Mapping[str, str] | None, resource: Resource) -> list[str]:
    if declared is None:
        return []
    live = {key: value for key, value in resource.tags.known.items() if isinstance(value, str)}
    differences = [f"{key} added in the cloud" for key in sorted(set(live) - set(declared))]
    differences += [f"{key} removed in the cloud" for key in sorted(set(declared) - set(live))]
    differences += [
        f"{key} changed from {declared[key]!r} to {live[key]!r}"
        for key in sorted(set(live) & set(declared))
        if live[key] != declared[key]
    ]
    return differences
