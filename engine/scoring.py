"""The compliance score: the share of evaluated resources for which no applicable rule fails."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tagwarden.engine.resources import Resource, Taggability
from tagwarden.engine.results import Result, Status, Summary, UnknownMode


def _resource_key(resource: Resource) -> tuple[str, str, str, str | None]:
    return (resource.file or "", resource.address, resource.id or "", resource.instance)


def summarize(resources: Sequence[Resource], results: Iterable[Result], unknown_mode: UnknownMode) -> Summary:
    statuses: dict[tuple[str, str, str, str | None], set[Status]] = {}
    for result in results:
        if result.reason in ("unclassified", "parse_error"):
            continue
        statuses.setdefault(_resource_key(result.resource), set()).add(result.status)
    counted = [resource for resource in resources if resource.taggability is not Taggability.UNTAGGABLE]
    evaluated = [resource for resource in counted if resource.taggability is Taggability.TAGGABLE]
    failed = unknown = exempt = compliant = 0
    for resource in evaluated:
        seen = statuses.get(_resource_key(resource), set())
        if Status.FAIL in seen:
            failed += 1
        elif Status.UNKNOWN in seen:
            unknown += 1
            compliant += unknown_mode is UnknownMode.PASS
        else:
            compliant += 1
            exempt += Status.EXEMPT in seen
    return Summary(
        resources=len(counted),
        evaluated=len(evaluated),
        compliant=compliant,
        failed=failed,
        unknown=unknown,
        exempt=exempt,
        unclassified=len(counted) - len(evaluated),
        score=score(compliant, len(evaluated)),
    )


def score(compliant: int, total: int) -> float:
    return round(100.0 * compliant / total, 1) if total else 100.0
