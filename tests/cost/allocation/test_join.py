"""Billing ids matched to scanned ids, per cloud, and spend per billed resource."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

import duckdb
import pytest

from tagwarden.engine.cost.join import ResourceIndex, account_spend, billed_resources
from tagwarden.engine.cost.owners import OwnerClassifier
from tagwarden.engine.policy.model import Policy

BillingDb = Callable[[Iterable[Mapping[str, Any]]], duckdb.DuckDBPyConnection]

SCANNED = [
    ("aws", "arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc", "111122223333", "web"),
    ("aws", "arn:aws:s3:::logs-bucket", "111122223333", "bucket"),
    ("aws", "arn:aws:ec2:eu-west-1:444455556666:volume/vol-1", "444455556666", "vol-a"),
    ("aws", "arn:aws:ec2:us-east-1:444455556666:volume/vol-1", "444455556666", "vol-b"),  # same bare id twice
    (
        "azure",
        "/subscriptions/0000-aaaa/resourceGroups/RG-App/providers/Microsoft.Storage/storageAccounts/acct1",
        "0000-aaaa",
        "storage",
    ),
    ("gcp", "//compute.googleapis.com/projects/proj-1/zones/europe-west1-b/instances/vm-1", "proj-1", "vm"),
]


@pytest.fixture
def index() -> ResourceIndex:
    return ResourceIndex(SCANNED)


@pytest.mark.parametrize(
    ("provider", "billed_id", "account", "found"),
    [
        ("aws", "arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc", "111122223333", "web"),
        ("aws", "arn:aws:ec2:eu-west-1:111122223333:instance/I-0ABC", "111122223333", None),  # ARNs are exact
        ("aws", "i-0abc", "111122223333", "web"),  # legacy CUR: bare instance id within the account
        ("aws", "i-0abc", "999999999999", None),  # ... not in another account
        ("aws", "logs-bucket", "111122223333", "bucket"),
        ("aws", "vol-1", "444455556666", None),  # ambiguous bare id: no match rather than a guess
        (
            "azure",
            "/subscriptions/0000-AAAA/resourcegroups/rg-app/providers/microsoft.storage/storageaccounts/ACCT1/",
            "0000-aaaa",
            "storage",
        ),
        ("gcp", "//compute.googleapis.com/projects/proj-1/zones/europe-west1-b/instances/vm-1", "proj-1", "vm"),
        ("gcp", "projects/proj-1/zones/europe-west1-b/instances/vm-1", None, "vm"),
        (
            "gcp",
            "https://www.googleapis.com/compute/v1/projects/proj-1/zones/europe-west1-b/instances/vm-1",
            None,
            "vm",
        ),
        ("gcp", "vm-1", "proj-1", "vm"),
        ("gcp", "projects/proj-2/zones/europe-west1-b/instances/vm-1", "proj-2", None),
        ("oracle", "ocid1.instance.oc1..abc", None, None),
    ],
)
def test_ids_match_per_cloud(
    index: ResourceIndex, provider: str, billed_id: str, account: str | None, found: str | None
) -> None:
    assert index.find(provider, billed_id, account) == found


def test_spend_per_billed_resource(billing_db: BillingDb, policy_file: Callable[[str], Policy]) -> None:
    policy = policy_file(
        """
tagwarden: 1
name: join
rules:
  - {id: team, require: team, allowed: [red, blue]}
allocation: {key: team}
"""
    )

    def line(resource: str | None, cost: str, tags: dict[str, str] | None, currency: str = "USD") -> dict[str, Any]:
        return {
            "period": "2026-10",
            "BillingCurrency": currency,
            "EffectiveCost": cost,
            "ProviderName": "AWS",
            "SubAccountId": "111122223333",
            "SubAccountName": "prod",
            "ServiceName": "Amazon EC2",
            "ResourceId": resource,
            "Tags": tags,
        }

    conn = billing_db(
        [
            line("i-1", "10.00", {"team": "red"}),
            line("i-1", "12.50", {"team": "blue"}),  # the tags changed in the month: most spend wins
            line("i-1", "0.25", None),
            line("i-2", "3.00", {"team": "green"}),  # not a valid owner
            line(None, "4.00", None),  # tax without a resource: counted per account, not per resource
            line("i-1", "99.00", {"team": "red"}, currency="EUR"),
        ]
    )
    billed = billed_resources(conn, "2026-10", "USD", "EffectiveCost", OwnerClassifier(policy))
    assert [(b.resource_id, b.cost, b.owner, b.account_name, b.provider) for b in billed] == [
        ("i-1", Decimal("22.75"), "blue", "prod", "aws"),
        ("i-2", Decimal("3.00"), None, "prod", "aws"),
    ]
    assert account_spend(conn, "2026-10", "USD", "EffectiveCost") == {"111122223333": ("prod", Decimal("29.75"))}
