"""The compliance score: the share of evaluated resources for which no applicable rule fails."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tagwarden.engine.resources import Resource, Taggability
from tagwarden.engine.results import Result, Status, Summary, UnknownMode


class ScoreCounter:
    """Counts compliance resource by resource, so a scan of millions never holds every result."""

    def __init__(self, unknown_mode: UnknownMode) -> None:
        self.unknown_mode = unknown_mode
        self.resources = self.evaluated = self.compliant = 0
        self.failed = self.unknown = self.exempt = 0

    def add(self, resource: Resource, statuses: Iterable[Status]) -> None:
        if resource.taggability is Taggability.UNTAGGABLE:
            return
        self.resources += 1
        if resource.taggability is not Taggability.TAGGABLE:
            return
        self.evaluated += 1
        seen = set(statuses)
        if Status.FAIL in seen:
            self.failed += 1
        elif Status.UNKNOWN in seen:
            self.unknown += 1
            self.compliant += self.unknown_mode is UnknownMode.PASS
        else:
            self.compliant += 1
            self.exempt += Status.EXEMPT in seen

    def merge(self, other: ScoreCounter) -> None:
        """Add the counts of another counter (a batch evaluated elsewhere)."""
        self.resources += other.resources
        self.evaluated += other.evaluated
        self.compliant += other.compliant
        self.failed += other.failed
        self.unknown += other.unknown
        self.exempt += other.exempt

    def summary(self) -> Summary:
        return Summary(
            resources=self.resources,
            evaluated=self.evaluated,
            compliant=self.compliant,
            failed=self.failed,
            unknown=self.unknown,
            exempt=self.exempt,
            unclassified=self.resources - self.evaluated,
            score=score(self.compliant, self.evaluated),
        )


ResourceKey = tuple[str, str, str, str | None]


def resource_key(resource: Resource) -> ResourceKey:
    return (resource.file or "", resource.address, resource.id or "", resource.instance)


def summarize(resources: Sequence[Resource], results: Iterable[Result], unknown_mode: UnknownMode) -> Summary:
    statuses: dict[ResourceKey, list[Status]] = {}
    for result in results:
        if result.reason not in ("unclassified", "parse_error"):
            statuses.setdefault(resource_key(result.resource), []).append(result.status)
    counter = ScoreCounter(unknown_mode)
    for resource in resources:
        counter.add(resource, statuses.get(resource_key(resource), ()))
    return counter.summary()


def score(compliant: int, total: int) -> float:
    return round(100.0 * compliant / total, 1) if total else 100.0
