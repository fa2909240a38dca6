"""The REPORT DICT of a period (see the cost contract and shared/spec/cli-and-outputs.md "Report JSON").

Figures come from the period's scans in the store (compliance), the DuckDB billing table
(allocation, spend per resource) and the policy (expiring exemptions). A closed period gives the
figures frozen at its close. ``scope_owner`` keeps one owner's resources and spend only: every
list is built from that owner's resources, and nothing naming another owner is added.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from tagwarden.engine.cost.allocation import (
    DEFAULT_COST,
    NO_CURRENCY,
    Allocation,
    allocate,
    billing_columns,
    cost_column_of,
)
from tagwarden.engine.cost.join import ResourceIndex, account_spend, billed_resources
from tagwarden.engine.cost.money import as_number
from tagwarden.engine.cost.owners import AllocationError, OwnerClassifier
from tagwarden.engine.globs import name_matches
from tagwarden.engine.policy.model import Policy
from tagwarden.engine.reporting.scores import ResourceView, compliance_block, headline, resource_views
from tagwarden.engine.reporting.trend import complete_scans, scans_for_period, trend, trend_periods
from tagwarden.engine.results import UnknownMode
from tagwarden.engine.store import Store
from tagwarden.engine.store.models import ScanInfo

REPORT_VERSION = "1"
OFFENDERS = 20
EXPIRY_WINDOW_DAYS = 30
ITEMS_PER_OWNER = 1000  # drill-down rows per account and owner, by spend; the rest is counted in "more_items"
UNKNOWN_MODE = UnknownMode.WARN  # what live scans use


def build_report(
    store: Store,
    billing_conn: Any | None,
    policy: Policy,
    period: str,
    *,
    scope_owner: str | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    today = today or datetime.now(UTC).date()
    frozen = frozen_report_of(store, period)
    if frozen is not None and scope_owner is None:
        return frozen
    builder = _Builder(store, billing_conn, policy, scope_owner)
    scans = builder.frozen_scans(frozen) if frozen is not None else scans_for_period(builder.scans, period)
    report = builder.report(period, scans, today)
    if frozen is not None:  # a scoped view of a closed period: from the frozen scans and allocation, marked closed
        report["closed"] = True
        report["audit"] = frozen.get("audit")
        report["allocation"] = scoped_allocation(frozen.get("allocation"), builder.scope)
    return report


def scoped_allocation(block: dict[str, Any] | None, owner: str | None) -> dict[str, Any] | None:
    """One owner's part of an allocation block (a frozen one: the figures stay those of the close)."""
    if block is None or owner is None:
        return block
    blocks = [block, *(block.get("other_currencies") or [])]
    mine = []
    for each in blocks:
        owners = [row for row in each.get("owners") or [] if row.get("value") == owner]
        if not owners:
            continue
        direct = sum(row["direct"] for row in owners)
        shared = sum(row["shared"] for row in owners)
        mine.append(
            {
                **each,
                "total": round(direct + shared, 2),
                "allocated": direct,
                "shared": shared,
                "unallocated": 0.0,
                "allocated_pct": 100.0 if direct else None,
                "owners": owners,
                "unallocated_by_reason": {reason: 0.0 for reason in each.get("unallocated_by_reason") or {}},
                "other_currencies": [],
            }
        )
    if not mine:
        return None
    first, *others = mine
    first["other_currencies"] = others
    return first


def frozen_report_of(store: Store, period: str) -> dict[str, Any] | None:
    """The one call into the close helper: the frozen figures of a closed period, else None."""
    from tagwarden.engine.audit.periods import frozen_report

    return frozen_report(store, period)


class _Builder:
    def __init__(self, store: Store, billing_conn: Any | None, policy: Policy, scope_owner: str | None) -> None:
        self.store = store
        self.billing = billing_conn if billing_conn is not None and _has_billing(billing_conn) else None
        self.policy = policy
        self.classifier = OwnerClassifier(policy) if policy.allocation else None
        self.scope = self._canonical(scope_owner)
        self.scans = complete_scans(store)
        self.cost_column = cost_column_of(policy.allocation) if policy.allocation else DEFAULT_COST
        self._views: dict[tuple[int, ...], list[ResourceView]] = {}
        self._period_cache: dict[tuple[str, tuple[int, ...]], tuple[list[ResourceView], dict[str, Any]]] = {}

    def _canonical(self, owner: str | None) -> str | None:
        if owner is None:
            return None
        return self.classifier.canonical(owner) if self.classifier is not None else owner

    def frozen_scans(self, frozen: dict[str, Any]) -> list[ScanInfo]:
        named = {entry.get("id") for entry in frozen.get("scans") or [] if isinstance(entry, dict)}
        if isinstance(frozen.get("scan"), dict):
            named.add(frozen["scan"].get("id"))
        return [scan for scan in self.scans if scan.id in named]

    def report(self, period: str, scans: Sequence[ScanInfo], today: date) -> dict[str, Any]:
        allocations = self._allocations(period)
        currency = self._currency(period)
        views, accounts = self._period_views(period, scans, currency)
        newest = max(scans, key=lambda scan: scan.id) if scans else None
        return {
            "tagwarden": REPORT_VERSION,
            "period": period,
            "closed": False,
            "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "policy": {"name": self.policy.name, "digest": self.policy.digest},
            "scope": None if self.scope is None else {"owner": self.scope},
            "scan": _scan_entry(newest) if newest else None,
            "scans": [_scan_entry(scan) for scan in scans],
            "compliance": compliance_block(views, self.policy) if scans else None,
            "trend": self._trend(period),
            "allocation": _allocation_block(allocations),
            "drilldown": drilldown(views, accounts, scoped=self.scope is not None),
            "offenders": offenders(views),
            "shadow": shadow(views, billed=currency is not None) if scans else None,
            "expiring_exemptions": self._expiring(views, today),
            "audit": None,
            "accruals": None,
            "adjustments": self._adjustments(period),
        }

    def _allocations(self, period: str) -> list[Allocation]:
        if self.billing is None or self.classifier is None:
            return []
        return allocate(self.billing, self.policy, period, scope_owner=self.scope)

    def _period_views(
        self, period: str, scans: Sequence[ScanInfo], currency: str | None
    ) -> tuple[list[ResourceView], dict[str, tuple[str | None, Decimal | None]]]:
        cache_key = (period, tuple(scan.id for scan in scans))
        cached = self._period_cache.get(cache_key)
        if cached is not None:
            return cached
        views = [_copy(view) for view in self._scan_views(scans)]
        accounts: dict[str, tuple[str | None, Decimal | None]] = {}
        if currency is not None and self.billing is not None:
            billed = billed_resources(self.billing, period, currency, self.cost_column, self.classifier)
            views = attach_spend(views, billed)
            accounts = dict(account_spend(self.billing, period, currency, self.cost_column))
        if self.scope is not None:
            views = [view for view in views if view.owner == self.scope]
            accounts = {}  # an account's whole bill would show other owners' spend
        self._period_cache[cache_key] = (views, accounts)
        return views, accounts

    def _scan_views(self, scans: Sequence[ScanInfo]) -> list[ResourceView]:
        key = tuple(scan.id for scan in scans)
        if key not in self._views:
            self._views[key] = resource_views(self.store, key, self.classifier, UNKNOWN_MODE)
        return self._views[key]

    def _trend(self, period: str) -> list[dict[str, Any]]:
        from tagwarden.engine.audit.periods import closed_periods

        periods = trend_periods(self.scans, closed_periods(self.store), period)
        return trend(periods, lambda p: frozen_report_of(self.store, p), self._live_point(period), self.scope)

    def _live_point(self, current: str) -> Callable[[str], dict[str, Any] | None]:
        def point(period: str) -> dict[str, Any] | None:
            scans = scans_for_period(self.scans, period, bounded=period != current)
            if not scans:
                return None
            currency = self._currency(period)
            views, _ = self._period_views(period, scans, currency)
            figures = headline(views)
            return {"score": figures["score"], "cost_weighted_score": figures["cost_weighted_score"]}

        return point

    def _currency(self, period: str) -> str | None:
        """The period's main currency (most billing rows, as in the allocation); spend per resource is in it."""
        if self.billing is None:
            return None
        found = self.billing.execute(
            f"SELECT coalesce(nullif(BillingCurrency, ''), '{NO_CURRENCY}') AS code, count(*) AS n FROM billing "
            "WHERE period = ? GROUP BY code ORDER BY n DESC, code LIMIT 1",
            [period],
        ).fetchone()
        return None if found is None else str(found[0])

    def _expiring(self, views: Sequence[ResourceView], today: date) -> list[dict[str, Any]]:
        found = []
        for exemption in self.policy.exemptions:
            if exemption.expires is None:
                continue
            days_left = (exemption.expires - today).days
            if not 0 <= days_left <= EXPIRY_WINDOW_DAYS:
                continue
            if self.scope is not None and not any(
                name_matches(pattern, view.id) for pattern in exemption.resources for view in views
            ):
                continue  # a scoped report names only exemptions of that owner's resources
            found.append(
                {
                    "rule": exemption.rule,
                    "match": ", ".join(exemption.resources),
                    "expires": exemption.expires.isoformat(),
                    "days_left": days_left,
                    "reason": exemption.reason,
                }
            )
        return sorted(found, key=lambda item: (item["days_left"], item["rule"], item["match"]))

    def _adjustments(self, period: str) -> list[dict[str, Any]]:
        if self.billing is None or self.scope is not None:
            return []
        from tagwarden.engine.audit.periods import adjustments_for

        return adjustments_for(self.billing, period)


def _has_billing(conn: Any) -> bool:
    try:
        billing_columns(conn)
    except AllocationError:
        return False
    return True


def _scan_entry(scan: ScanInfo) -> dict[str, Any]:
    finished = scan.finished_at
    return {
        "id": scan.id,
        "source": scan.source,
        "finished_at": finished.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if finished else None,
    }


def _allocation_block(allocations: Sequence[Allocation]) -> dict[str, Any] | None:
    if not allocations:
        return None
    block = allocations[0].as_dict()
    block["other_currencies"] = [allocation.as_dict() for allocation in allocations[1:]]
    return block


def _copy(view: ResourceView) -> ResourceView:
    from dataclasses import replace

    return replace(view)


def attach_spend(views: list[ResourceView], billed: Sequence[Any]) -> list[ResourceView]:
    """Each billed resource's spend on the scanned resource it names; the rest as ``not_scanned`` views.

    A scanned resource with no owner tag takes the owner its billing tags name.
    """
    index = ResourceIndex((view.provider, view.id, view.account, view) for view in views)
    for view in views:
        if view.evaluated:
            view.cost = Decimal(0)  # scanned, and no spend in the period
    extra: list[ResourceView] = []
    for item in billed:
        matched: ResourceView | None = index.find(item.provider, item.resource_id, item.account)
        if matched is not None:
            matched.cost = (matched.cost or Decimal(0)) + item.cost
            matched.owner = matched.owner or item.owner
            matched.account_name = matched.account_name or item.account_name
            continue
        extra.append(
            ResourceView(
                id=item.resource_id,
                name=item.name,
                type=item.type,
                provider=item.provider,
                account=item.account,
                service=item.service,
                owner=item.owner,
                tags={},
                evaluated=False,
                compliant=False,
                failed_rules=(),
                untagged=False,
                unmanaged=False,
                scanned=False,
                cost=item.cost,
                account_name=item.account_name,
            )
        )
    return views + extra


def offenders(views: Sequence[ResourceView]) -> list[dict[str, Any]]:
    """The non-compliant scanned resources with the most spend."""
    costly = [
        view
        for view in views
        if view.scanned and view.evaluated and not view.compliant and view.cost is not None and view.cost > 0
    ]
    costly.sort(key=lambda view: (-(view.cost or Decimal(0)), view.id))
    return [
        {
            "id": view.id,
            "name": view.name,
            "account": view.account,
            "owner": view.owner,
            "cost": as_number(view.cost),
            "failed_rules": list(view.failed_rules),
            "status": view.status,
        }
        for view in costly[:OFFENDERS]
    ]


def shadow(views: Sequence[ResourceView], *, billed: bool) -> dict[str, Any]:
    def block(members: list[ResourceView]) -> dict[str, Any]:
        cost = sum((view.cost or Decimal(0) for view in members), Decimal(0)) if billed else None
        return {"resources": len(members), "cost": as_number(cost)}

    scanned = [view for view in views if view.scanned]
    return {
        "untagged": block([view for view in scanned if view.untagged]),
        "unmanaged": block([view for view in scanned if view.unmanaged]),
    }


def drilldown(
    views: Sequence[ResourceView], accounts: dict[str, tuple[str | None, Decimal | None]], *, scoped: bool
) -> list[dict[str, Any]]:
    """Account -> owner -> resource, by spend then by name."""
    by_account: dict[str, list[ResourceView]] = {}
    for view in views:
        by_account.setdefault(view.account or "", []).append(view)
    if not scoped:
        for account in accounts:
            by_account.setdefault(account, [])
    rows = []
    for account, members in by_account.items():
        name, billed_total = accounts.get(account, (None, None))
        name = name or next((view.account_name for view in members if view.account_name), None)
        row = _group_figures(members)
        if billed_total is not None:
            row["cost"] = as_number(billed_total)
        rows.append({"account": account or None, "name": name, **row, "owners": _owners(members)})
    rows.sort(key=lambda row: (-(row["cost"] or 0), str(row["account"] or "")))
    return rows


def _owners(members: Sequence[ResourceView]) -> list[dict[str, Any]]:
    by_owner: dict[str | None, list[ResourceView]] = {}
    for view in members:
        by_owner.setdefault(view.owner, []).append(view)
    rows = []
    for owner, owned in by_owner.items():
        owned = sorted(owned, key=lambda view: (-(view.cost or Decimal(0)), view.id))
        row = {"owner": owner, **_group_figures(owned), "items": [_item(view) for view in owned[:ITEMS_PER_OWNER]]}
        if len(owned) > ITEMS_PER_OWNER:
            row["more_items"] = len(owned) - ITEMS_PER_OWNER
        rows.append(row)
    rows.sort(key=lambda row: (-(row["cost"] or 0), str(row["owner"] or "")))
    return rows


def _group_figures(members: Sequence[ResourceView]) -> dict[str, Any]:
    judged = [view for view in members if view.scanned and view.evaluated]
    costs = [view.cost for view in members if view.cost is not None]
    figures = headline(judged)
    return {
        "cost": as_number(sum(costs, Decimal(0))) if costs else None,
        "resources": figures["resources"],
        "score": figures["score"] if judged else None,
    }


def _item(view: ResourceView) -> dict[str, Any]:
    return {
        "id": view.id,
        "name": view.name,
        "type": view.type,
        "service": view.service,
        "cost": as_number(view.cost),
        "status": view.status,
        "failed_rules": list(view.failed_rules),
        "tags": dict(view.tags),
    }
