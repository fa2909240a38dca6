"""Billing rows joined to scanned resources by resource id: the spend of each scanned resource.

DuckDB sums the period's spend per billed resource (one row per resource id and tag map); the
join itself is a dictionary lookup per *distinct* billed resource, never per billing row.

What is matched (``match_keys``):

* AWS: the ARN exactly. A billed id that is not an ARN (legacy CUR gives ``i-0abc`` for an
  instance, the bucket name for S3) matches the one resource of that account (SubAccountId) whose
  ARN ends in ``/i-0abc`` or ``:i-0abc``; when several would, none does.
* Azure: the resource id case-insensitively (ARM ids change case between APIs and exports), with
  any trailing ``/`` ignored.
* GCP: the full resource name without its service host: ``//compute.googleapis.com/projects/p/
  zones/z/instances/i``, ``projects/p/zones/z/instances/i`` and the self link
  ``https://www.googleapis.com/compute/v1/projects/p/zones/z/instances/i`` are one resource.
  A bare name (``i``) matches the one resource of that project (SubAccountId) it ends with.
* Anything else (Oracle, ...): the id exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tagwarden.engine.cost.owners import OwnerClassifier, provider_of_billing

_GCP_PREFIX = re.compile(r"^(?://[^/]+/|https://www\.googleapis\.com/[a-z]+/v[0-9a-z]+/)")


@dataclass(frozen=True, slots=True)
class BilledResource:
    """The period's spend (exact) on one billed resource id, in one currency."""

    resource_id: str
    provider: str
    account: str | None
    account_name: str | None
    service: str | None
    name: str | None
    type: str | None
    owner: str | None  # from the billing tags: the valid allocation key value carrying most of the spend
    cost: Decimal


def full_key(provider: str, resource_id: str) -> str:
    """The key a billed id and a scanned id share when they name the same resource."""
    text = resource_id.strip()
    if provider == "azure":
        return "azure|" + text.casefold().rstrip("/")
    if provider == "gcp":
        return "gcp|" + _GCP_PREFIX.sub("", text)
    return f"{provider}|{text}"


def short_key(provider: str, account: str | None, resource_id: str) -> str | None:
    """The fallback key of a bare id (not an ARN, not a path) within its account or project."""
    text = resource_id.strip()
    if provider not in ("aws", "gcp") or not account:
        return None
    tail = re.split(r"[/:]", text)[-1]
    return f"{provider}|{account}|{tail}" if tail else None


def is_bare(provider: str, resource_id: str) -> bool:
    text = resource_id.strip()
    if provider == "aws":
        return not text.startswith("arn:")
    if provider == "gcp":
        return "/" not in text
    return False


class ResourceIndex:
    """Scanned resources by the keys billing ids are matched on; values are whatever the caller keeps."""

    def __init__(self, items: Iterable[tuple[str, str, str | None, Any]]) -> None:
        """``items``: (provider, resource id, account, value)."""
        self._full: dict[str, Any] = {}
        self._short: dict[str, Any] = {}
        ambiguous: set[str] = set()
        for provider, resource_id, account, value in items:
            self._full.setdefault(full_key(provider, resource_id), value)
            short = short_key(provider, account, resource_id)
            if short is None:
                continue
            if short in self._short and self._short[short] is not value:
                ambiguous.add(short)
            self._short[short] = value
        for short in ambiguous:
            del self._short[short]

    def find(self, provider: str, resource_id: str, account: str | None) -> Any | None:
        found = self._full.get(full_key(provider, resource_id))
        if found is None and is_bare(provider, resource_id):
            short = short_key(provider, account, resource_id)
            found = self._short.get(short) if short else None
        return found


def billed_resources(
    conn: Any, period: str, currency: str, cost_column: str, classifier: OwnerClassifier | None
) -> list[BilledResource]:
    """Spend per billed resource id of ``period`` in ``currency`` (rows without a ResourceId are left out)."""
    query = f"""
        SELECT ResourceId, ProviderName, SubAccountId, max(SubAccountName), max(ServiceName),
               max(ResourceName), max(ResourceType), Tags,
               coalesce(sum(CAST("{cost_column}" AS DECIMAL(38, 10))), 0)
        FROM billing
        WHERE period = ? AND coalesce(nullif(BillingCurrency, ''), 'XXX') = ? AND coalesce(ResourceId, '') <> ''
        GROUP BY ResourceId, ProviderName, SubAccountId, Tags
    """
    merged: dict[tuple[str, str, str | None], _Merging] = {}
    for resource_id, provider_name, account, account_name, service, name, kind, tags, amount in conn.execute(
        query, [period, currency]
    ).fetchall():
        provider = provider_of_billing(provider_name)
        owner = classifier.classify(tags, provider).owner if classifier is not None else None
        slot = merged.setdefault((resource_id, provider, account), _Merging(account_name, service, name, kind))
        slot.add(owner, Decimal(amount))
    return [
        BilledResource(rid, provider, account, m.account_name, m.service, m.name, m.kind, m.owner(), m.cost)
        for (rid, provider, account), m in sorted(merged.items(), key=lambda item: (item[0][0], item[0][1]))
    ]


def account_spend(conn: Any, period: str, currency: str, cost_column: str) -> dict[str, tuple[str | None, Decimal]]:
    """Spend per account (SubAccountId, '' when none) with its name, resource id or not."""
    query = f"""
        SELECT coalesce(SubAccountId, ''), max(SubAccountName),
               coalesce(sum(CAST("{cost_column}" AS DECIMAL(38, 10))), 0)
        FROM billing WHERE period = ? AND coalesce(nullif(BillingCurrency, ''), 'XXX') = ?
        GROUP BY 1
    """
    return {
        str(account): (name, Decimal(amount))
        for account, name, amount in conn.execute(query, [period, currency]).fetchall()
    }


class _Merging:
    """One billed resource's groups (one per tag map) as they come from DuckDB."""

    def __init__(self, account_name: str | None, service: str | None, name: str | None, kind: str | None) -> None:
        self.account_name, self.service, self.name, self.kind = account_name, service, name, kind
        self.cost = Decimal(0)
        self._by_owner: dict[str | None, Decimal] = {}

    def add(self, owner: str | None, amount: Decimal) -> None:
        self.cost += amount
        self._by_owner[owner] = self._by_owner.get(owner, Decimal(0)) + amount

    def owner(self) -> str | None:
        named = [(amount, owner) for owner, amount in self._by_owner.items() if owner is not None]
        if not named:
            return None
        return sorted(named, key=lambda item: (-abs(item[0]), item[1]))[0][1]
