"""Compliance scores of a stored scan by account, owner, service, provider and rule.

The definitions are those of :mod:`tagwarden.engine.scoring`: a resource that cannot carry tags is
not counted; a resource that can is compliant when no applicable rule fails (``exempt`` counts as
compliant, ``unknown`` does not: live scans run with the default ``--unknown warn``). Here
"resources" is the number of evaluated resources, so that score = compliant / resources everywhere.
The cost-weighted score is the share of the spend on evaluated resources that falls on compliant
ones (``None`` when no spend is known).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tagwarden.engine.cost.money import as_number
from tagwarden.engine.cost.owners import OwnerClassifier
from tagwarden.engine.evaluation.builtin_rules import UNMANAGED
from tagwarden.engine.evaluation.evaluate import rule_infos
from tagwarden.engine.policy.model import Policy
from tagwarden.engine.resources import Taggability
from tagwarden.engine.results import Status, UnknownMode
from tagwarden.engine.scoring import ScoreCounter, score
from tagwarden.engine.store import Store

NOT_SCORED = ("unclassified", "parse_error")  # reasons the score leaves out (as scoring.summarize does)


@dataclass
class ResourceView:
    """One scanned (or only billed) resource as the report shows it."""

    id: str
    name: str | None
    type: str | None
    provider: str
    account: str | None
    service: str | None
    owner: str | None
    tags: dict[str, str]
    evaluated: bool  # can carry tags and was judged
    compliant: bool
    failed_rules: tuple[str, ...]
    untagged: bool
    unmanaged: bool
    scanned: bool = True
    cost: Decimal | None = None
    account_name: str | None = field(default=None)

    @property
    def status(self) -> str:
        if not self.scanned:
            return "not_scanned"
        if self.untagged:
            return "untagged"
        if self.unmanaged:
            return "unmanaged"
        return "compliant" if self.compliant else "failed"


def service_of(resource_type: str | None) -> str | None:
    """``ec2:instance`` -> ``ec2``, ``Microsoft.Storage/storageAccounts`` -> ``Microsoft.Storage``,
    ``storage.googleapis.com/Bucket`` -> ``storage.googleapis.com``."""
    if not resource_type:
        return None
    for separator in (":", "/"):
        if separator in resource_type:
            return resource_type.split(separator, 1)[0]
    return resource_type


def resource_views(
    store: Store, scan_ids: Iterable[int], classifier: OwnerClassifier | None, unknown_mode: UnknownMode
) -> list[ResourceView]:
    """Every resource of the scans that can carry tags (or is unclassified), judged from stored results."""
    views: list[ResourceView] = []
    for scan_id in scan_ids:
        statuses: dict[tuple[str, str | None], list[tuple[str, Status]]] = {}
        for result in store.results_of(scan_id):
            if result.reason not in NOT_SCORED:
                statuses.setdefault((result.address, result.instance), []).append((result.rule, result.status))
        for stored in store.resources_of(scan_id):
            view = _view(stored.resource, statuses.get(stored.key, []), classifier, unknown_mode)
            if view is not None:
                views.append(view)
    return views


def _view(
    resource: Any, outcomes: Sequence[tuple[str, Status]], classifier: OwnerClassifier | None, mode: UnknownMode
) -> ResourceView | None:
    if resource.taggability is Taggability.UNTAGGABLE:
        return None
    counter = ScoreCounter(mode)
    counter.add(resource, (status for _, status in outcomes))
    tags = {key: value for key, value in resource.tags.known.items() if isinstance(value, str)}
    owner = classifier.classify(tags, resource.provider).owner if classifier is not None else None
    failed = tuple(sorted({rule for rule, status in outcomes if status is Status.FAIL}))
    evaluated = counter.evaluated == 1
    return ResourceView(
        id=resource.id or resource.address,
        name=resource.name,
        type=resource.type,
        provider=resource.provider,
        account=resource.account,
        service=service_of(resource.type),
        owner=owner,
        tags=tags,
        evaluated=evaluated,
        compliant=counter.compliant == 1,
        failed_rules=failed,
        untagged=evaluated and not resource.tags.known and not resource.tags.open_deps,
        unmanaged=UNMANAGED.id in failed,
    )


def cost_weighted_score(views: Iterable[ResourceView]) -> float | None:
    spent = [view for view in views if view.scanned and view.evaluated and view.cost is not None]
    whole = sum((view.cost or Decimal(0) for view in spent), Decimal(0))
    if not spent or whole <= 0:
        return None
    compliant = sum((view.cost or Decimal(0) for view in spent if view.compliant), Decimal(0))
    return round(float(100 * compliant / whole), 1)


def headline(views: Sequence[ResourceView]) -> dict[str, Any]:
    judged = [view for view in views if view.scanned and view.evaluated]
    compliant = sum(view.compliant for view in judged)
    return {
        "resources": len(judged),
        "compliant": compliant,
        "score": score(compliant, len(judged)),
        "cost_weighted_score": cost_weighted_score(judged),
    }


def scores_by(views: Sequence[ResourceView], dimension: Callable[[ResourceView], str | None]) -> list[dict[str, Any]]:
    """[{value, resources, compliant, score, cost}] for one dimension, most resources first."""
    groups: dict[str | None, list[ResourceView]] = {}
    for view in views:
        if view.scanned and view.evaluated:
            groups.setdefault(dimension(view), []).append(view)
    rows: list[dict[str, Any]] = []
    for value, members in groups.items():
        compliant = sum(view.compliant for view in members)
        costs = [view.cost for view in members if view.cost is not None]
        rows.append(
            {
                "value": value,
                "resources": len(members),
                "compliant": compliant,
                "score": score(compliant, len(members)),
                "cost": as_number(sum(costs, Decimal(0))) if costs else None,
            }
        )
    rows.sort(key=lambda row: (-row["resources"], str(row["value"] or "")))
    return rows


def rule_failures(views: Sequence[ResourceView], policy: Policy) -> list[dict[str, Any]]:
    """[{value: rule, failed: resources, severity}], most failures first."""
    counts: dict[str, int] = {}
    for view in views:
        if view.scanned and view.evaluated:
            for rule in view.failed_rules:
                counts[rule] = counts.get(rule, 0) + 1
    severities = {info.id: info.severity for info in rule_infos(policy)}
    rows: list[dict[str, Any]] = [
        {
            "value": rule,
            "failed": failed,
            "severity": severities.get(rule, "medium"),
        }
        for rule, failed in counts.items()
    ]
    rows.sort(key=lambda row: (-row["failed"], row["value"]))
    return rows


def compliance_block(views: Sequence[ResourceView], policy: Policy) -> dict[str, Any]:
    block = headline(views)
    block["by"] = {
        "account": scores_by(views, lambda view: view.account),
        "owner": scores_by(views, lambda view: view.owner),
        "service": scores_by(views, lambda view: view.service),
        "provider": scores_by(views, lambda view: view.provider),
        "rule": rule_failures(views, policy),
    }
    return block
