"""Resources, results and policies for the store tests (importable by the worker processes too)."""

from __future__ import annotations

from collections.abc import Mapping

from tagwarden.engine.resources import Resource, TagSet, TagValue
from tagwarden.engine.results import PolicyRef, Result, Status, Summary

POLICY = PolicyRef(name="acme-baseline", digest="sha256:" + "ab" * 32)


def resource(address: str, tags: Mapping[str, TagValue] | None = None, **fields: object) -> Resource:
    values: dict[str, object] = {"provider": "aws", "type": "ec2:instance", "id": address, **fields}
    return Resource(address=address, tags=TagSet(known=dict(tags or {})), **values)  # type: ignore[arg-type]


def result(target: Resource, rule: str = "required-tags", status: Status = Status.FAIL, **fields: object) -> Result:
    values: dict[str, object] = {"severity": "high", "message": f"{rule} on {target.address}", **fields}
    return Result(rule=rule, status=status, resource=target, **values)  # type: ignore[arg-type]


def summary(resources: int = 0, failed: int = 0) -> Summary:
    return Summary(
        resources=resources,
        evaluated=resources,
        compliant=resources - failed,
        failed=failed,
        unknown=0,
        exempt=0,
        unclassified=0,
        score=100.0 if not resources else round(100.0 * (resources - failed) / resources, 1),
    )


def batch(prefix: str, size: int, results_per_resource: int = 2) -> tuple[list[Resource], list[Result]]:
    """``size`` resources named ``<prefix>-<n>``, each with ``results_per_resource`` failing results."""
    resources = [
        resource(f"{prefix}-{n}", {"Owner": f"team-{n % 7}", "CostCenter": f"cc-{n % 13}"}) for n in range(size)
    ]
    results = [
        result(item, rule=f"rule-{r}", key="CostCenter") for item in resources for r in range(results_per_resource)
    ]
    return resources, results
