"""The REPORT DICT from a real store (SQLite and PostgreSQL) and a billing table, figures worked out by hand.

Estate (AWS account 111122223333 unless said otherwise), with its October spend:
  i-1   cc-1000, prod        compliant               100.00
  i-2   cc-1000, no env      fails environment        50.00  (billed by its bare id, as legacy CUR does)
  i-3   CC-2000, dev         compliant                30.00
  logs  no tags              untagged                 20.00
  i-5   cc-2000, prod        unmanaged (shadow IT)    10.00
  acct1 cc-2000, prod        compliant (Azure)         5.00  (billed id in another case)
  vpc   untaggable: never counted
  i-9   billed only (cc-2000, not scanned)             7.00
  tax   no resource, shared proportionally             9.00
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from billing_table import create_billing, insert_rows
from sqlalchemy import update

from tagwarden.engine.evaluation.evaluate import evaluate
from tagwarden.engine.evaluation.shadow import ManagedInventory, shadow_results
from tagwarden.engine.policy.loader import load_policy
from tagwarden.engine.policy.model import Policy
from tagwarden.engine.reporting.build import build_report
from tagwarden.engine.resources import Resource, Taggability, TagSet
from tagwarden.engine.results import PolicyRef, Status, UnknownMode
from tagwarden.engine.scoring import summarize
from tagwarden.engine.store import Store
from tagwarden.engine.store.tables import SCAN

ACCOUNT = "111122223333"
SUBSCRIPTION = "0000-aaaa"
AZURE_ID = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/RG-App/providers/Microsoft.Storage/storageAccounts/acct1"
TODAY = date(2026, 11, 5)

POLICY = f"""
tagwarden: 1
name: report-test
keys:
  CostCenter: {{aliases: [cost_center]}}
rules:
  - id: cost-center
    severity: high
    require: CostCenter
    allowed: [cc-1000, cc-2000]
    value_case: insensitive
  - id: environment
    require: Environment
    allowed: [prod, dev]
exemptions:
  - {{rule: environment, resources: ["arn:aws:ec2:*:{ACCOUNT}:instance/i-3"], reason: migrating, expires: 2026-11-10}}
  - {{rule: environment, resources: ["arn:aws:ec2:*:{ACCOUNT}:instance/i-1"], reason: cc-1000 pilot,
      expires: 2026-11-20}}
  - {{rule: environment, resources: ["arn:aws:ec2:*:{ACCOUNT}:instance/i-3"], reason: later, expires: 2027-03-01}}
allocation:
  key: CostCenter
  shared:
    - name: tax
      when: {{ChargeCategory: Tax}}
      split: proportional
"""


def arn(name: str) -> str:
    return f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/{name}"


def aws(resource_id: str, tags: dict[str, str], kind: str = "ec2:instance", **fields: Any) -> Resource:
    return Resource(
        provider="aws",
        type=kind,
        address=resource_id,
        id=resource_id,
        name=resource_id.rsplit("/", 1)[-1],
        account=ACCOUNT,
        region="eu-west-1",
        tags=TagSet(tags),
        **fields,
    )


ESTATE = [
    aws(arn("i-1"), {"CostCenter": "cc-1000", "Environment": "prod"}),
    aws(arn("i-2"), {"CostCenter": "cc-1000"}),
    aws(arn("i-3"), {"CostCenter": "CC-2000", "Environment": "dev"}),
    aws("arn:aws:s3:::logs", {}, kind="s3:bucket"),
    aws(arn("i-5"), {"CostCenter": "cc-2000", "Environment": "prod"}),
    Resource(
        provider="azure",
        type="Microsoft.Storage/storageAccounts",
        address=AZURE_ID,
        id=AZURE_ID,
        name="acct1",
        account=SUBSCRIPTION,
        tags=TagSet({"CostCenter": "cc-2000", "Environment": "prod"}),
    ),
    aws(f"arn:aws:ec2:eu-west-1:{ACCOUNT}:vpc/vpc-1", {}, kind="ec2:vpc", taggability=Taggability.UNTAGGABLE),
]


def spend(resource: str | None, cost: str, tags: dict[str, str] | None, **fields: Any) -> dict[str, Any]:
    return {
        "period": "2026-10",
        "BillingCurrency": "USD",
        "EffectiveCost": cost,
        "ChargeCategory": "Usage",
        "ProviderName": "AWS",
        "SubAccountId": ACCOUNT,
        "SubAccountName": "prod-account",
        "ServiceName": "Amazon EC2",
        "ResourceId": resource,
        "Tags": tags,
        **fields,
    }


BILLING = [
    spend(arn("i-1"), "100.00", {"CostCenter": "cc-1000", "Environment": "prod"}),
    spend("i-2", "50.00", {"CostCenter": "cc-1000"}),
    spend(arn("i-3"), "30.00", {"cost_center": "cc-2000"}),
    spend("logs", "20.00", None, ServiceName="Amazon S3"),
    spend(arn("i-5"), "10.00", {"CostCenter": "cc-2000"}),
    spend(
        AZURE_ID.lower(),
        "5.00",
        {"CostCenter": "cc-2000"},
        ProviderName="Microsoft",
        SubAccountId=SUBSCRIPTION,
        SubAccountName="azure-sub",
        ServiceName="Storage",
    ),
    spend(arn("i-9"), "7.00", {"CostCenter": "cc-2000"}),
    spend(None, "9.00", None, ChargeCategory="Tax", ServiceName="Tax"),
    spend(arn("i-1"), "80.00", {"CostCenter": "cc-1000"}, BillingCurrency="EUR"),
]


@pytest.fixture
def policy(tmp_path: Path) -> Policy:
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY, encoding="utf-8")
    return load_policy(path)


@pytest.fixture
def billing(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    conn = create_billing(tmp_path / "billing.duckdb")
    insert_rows(conn, BILLING)
    yield conn
    conn.close()


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as opened:
        yield opened


def add_scan(store: Store, policy: Policy, resources: list[Resource], *, finished: datetime | None = None) -> int:
    """A scan as `tagwarden scan` stores it: real evaluation, non-passing results kept, i-5 found unmanaged."""
    results = [r for r in evaluate(policy, resources, as_of=TODAY) if r.status is not Status.PASS]
    unmanaged = [r for res in resources if res.id == arn("i-5") for r in shadow_results(res, ManagedInventory())]
    results += unmanaged
    scan_id = store.begin_scan("aws", PolicyRef(policy.name, policy.digest), {"states": ["state.json"]})
    store.add_batch(scan_id, resources, results)
    store.finish_scan(scan_id, summarize(resources, results, UnknownMode.WARN), {})
    if finished is not None:
        with store._engine.begin() as conn:  # an older scan, for the trend
            conn.execute(update(SCAN).where(SCAN.c.id == scan_id).values(finished_at=finished, started_at=finished))
    return scan_id


def test_report_figures(store: Store, billing: duckdb.DuckDBPyConnection, policy: Policy) -> None:
    scan_id = add_scan(store, policy, ESTATE)
    report = build_report(store, billing, policy, "2026-10", today=TODAY)
    assert json.loads(json.dumps(report)) == report  # JSON-serialisable as it is
    assert report["period"] == "2026-10" and report["closed"] is False and report["scope"] is None
    assert report["scan"]["id"] == scan_id and report["policy"]["digest"] == policy.digest

    compliance = report["compliance"]
    assert (compliance["resources"], compliance["compliant"], compliance["score"]) == (6, 3, 50.0)
    assert compliance["cost_weighted_score"] == 62.8  # 135 of 215 on compliant resources
    by = compliance["by"]
    assert {row["value"]: (row["resources"], row["compliant"], row["cost"]) for row in by["owner"]} == {
        "cc-1000": (2, 1, 150.0),
        "cc-2000": (3, 2, 45.0),
        None: (1, 0, 20.0),
    }
    assert {row["value"]: row["score"] for row in by["provider"]} == {"aws": 40.0, "azure": 100.0}
    assert {row["value"]: row["resources"] for row in by["service"]} == {
        "ec2": 4,
        "s3": 1,
        "Microsoft.Storage": 1,
    }
    assert {row["value"]: row["resources"] for row in by["account"]} == {ACCOUNT: 5, SUBSCRIPTION: 1}
    assert by["rule"] == [
        {"value": "environment", "failed": 2, "severity": "medium"},
        {"value": "cost-center", "failed": 1, "severity": "high"},
        {"value": "unmanaged", "failed": 1, "severity": by["rule"][2]["severity"]},
    ]

    allocation = report["allocation"]
    assert (allocation["currency"], allocation["total"], allocation["allocated"]) == ("USD", 231.0, 202.0)
    assert (allocation["shared"], allocation["unallocated"]) == (9.0, 20.0)
    assert allocation["owners"] == [
        {"value": "cc-1000", "direct": 150.0, "shared": 6.68, "total": 156.68},
        {"value": "cc-2000", "direct": 52.0, "shared": 2.32, "total": 54.32},
    ]
    assert allocation["unallocated_by_reason"] == {"no_tags": 20.0, "missing": 0.0, "invalid": 0.0}
    [eur] = allocation["other_currencies"]
    assert (eur["currency"], eur["total"]) == ("EUR", 80.0)

    assert [(o["id"], o["cost"], o["status"]) for o in report["offenders"]] == [
        (arn("i-2"), 50.0, "failed"),
        ("arn:aws:s3:::logs", 20.0, "untagged"),
        (arn("i-5"), 10.0, "unmanaged"),
    ]
    assert report["shadow"] == {"untagged": {"resources": 1, "cost": 20.0}, "unmanaged": {"resources": 1, "cost": 10.0}}
    assert [(e["match"], e["days_left"]) for e in report["expiring_exemptions"]] == [
        (f"arn:aws:ec2:*:{ACCOUNT}:instance/i-3", 5),
        (f"arn:aws:ec2:*:{ACCOUNT}:instance/i-1", 15),
    ]

    accounts = {row["account"]: row for row in report["drilldown"]}
    assert accounts[ACCOUNT]["cost"] == 226.0 and accounts[ACCOUNT]["name"] == "prod-account"  # tax included
    owners = {row["owner"]: row for row in accounts[ACCOUNT]["owners"]}
    items = {item["id"]: item for item in owners["cc-2000"]["items"]}
    assert items[arn("i-9")]["status"] == "not_scanned" and items[arn("i-9")]["cost"] == 7.0
    assert items[arn("i-3")]["tags"] == {"CostCenter": "CC-2000", "Environment": "dev"}
    assert owners["cc-1000"]["cost"] == 150.0 and owners["cc-1000"]["score"] == 50.0
    assert accounts[SUBSCRIPTION]["owners"][0]["items"][0]["status"] == "compliant"
    assert [point["period"] for point in report["trend"]] == ["2026-10"]
    assert report["adjustments"] == [] and report["audit"] is None


def test_scope_owner_shows_nothing_of_other_owners(
    store: Store, billing: duckdb.DuckDBPyConnection, policy: Policy
) -> None:
    add_scan(store, policy, ESTATE)
    report = build_report(store, billing, policy, "2026-10", scope_owner="CC-2000", today=TODAY)
    text = json.dumps(report)
    for foreign in ("cc-1000", "i-1", "i-2", "logs", "pilot", "EUR", "156.68", 'no_tags": 20'):
        assert foreign not in text, foreign
    assert report["scope"] == {"owner": "cc-2000"}
    assert report["compliance"]["resources"] == 3 and report["compliance"]["score"] == 66.7
    assert [row["value"] for row in report["compliance"]["by"]["owner"]] == ["cc-2000"]
    assert report["allocation"]["owners"] == [{"value": "cc-2000", "direct": 52.0, "shared": 2.32, "total": 54.32}]
    assert (report["allocation"]["total"], report["allocation"]["unallocated"]) == (54.32, 0.0)
    assert {o["id"] for o in report["offenders"]} == {arn("i-5")}
    assert report["shadow"]["untagged"] == {"resources": 0, "cost": 0.0}
    assert [e["reason"] for e in report["expiring_exemptions"]] == ["migrating"]
    assert {row["account"]: row["cost"] for row in report["drilldown"]} == {ACCOUNT: 47.0, SUBSCRIPTION: 5.0}


def test_trend_and_no_billing(store: Store, policy: Policy) -> None:
    add_scan(store, policy, ESTATE[:2], finished=datetime(2026, 9, 20, tzinfo=UTC))  # 1 of 2 compliant
    add_scan(store, policy, ESTATE)
    report = build_report(store, None, policy, "2026-10", today=TODAY)
    assert report["trend"] == [
        {"period": "2026-09", "score": 50.0, "cost_weighted_score": None, "closed": False},
        {"period": "2026-10", "score": 50.0, "cost_weighted_score": None, "closed": False},
    ]
    assert report["allocation"] is None and report["compliance"]["cost_weighted_score"] is None
    assert report["shadow"]["untagged"] == {"resources": 1, "cost": None}
    september = build_report(store, None, policy, "2026-09", today=TODAY)
    assert september["compliance"]["resources"] == 6  # an open period: the latest scan since it began


def test_empty_store_and_billing_gives_every_key(tmp_path: Path, policy: Policy) -> None:
    with Store.open(f"sqlite:///{tmp_path / 'empty.db'}") as store:
        report = build_report(store, None, policy, "2026-10", today=TODAY)
    assert set(report) >= {
        "tagwarden", "period", "closed", "generated_at", "policy", "scope", "scan", "compliance", "trend",
        "allocation", "drilldown", "offenders", "shadow", "expiring_exemptions", "audit", "accruals", "adjustments",
    }  # fmt: skip
    assert report["scan"] is None and report["compliance"] is None and report["drilldown"] == []


def test_closed_period_gives_the_frozen_figures(
    store: Store, billing: duckdb.DuckDBPyConnection, policy: Policy
) -> None:
    from tagwarden.engine.audit.periods import close_period

    add_scan(store, policy, ESTATE)
    figures = build_report(store, billing, policy, "2026-10", today=TODAY)
    close_period(store, "2026-10", "finops", figures, billing_conn=billing, now=datetime.now(UTC), policy=policy)
    insert_rows(billing, [spend(arn("i-1"), "1000.00", {"CostCenter": "cc-1000"})])  # written after close
    frozen = build_report(store, billing, policy, "2026-10", today=TODAY)
    assert frozen["closed"] is True and frozen["audit"]["closed_by"] == "finops"
    assert frozen["allocation"] == figures["allocation"]  # the late row does not change a closed period
    assert frozen["compliance"] == figures["compliance"]

    scoped = build_report(store, billing, policy, "2026-10", scope_owner="cc-2000", today=TODAY)
    assert scoped["closed"] is True and scoped["scope"] == {"owner": "cc-2000"}
    assert "cc-1000" not in json.dumps(scoped)
    assert scoped["compliance"]["resources"] == 3
    assert scoped["allocation"]["owners"] == [{"value": "cc-2000", "direct": 52.0, "shared": 2.32, "total": 54.32}]

    november = build_report(store, billing, policy, "2026-11", today=TODAY)
    assert {"period": "2026-10", "closed": True, "score": 50.0, "cost_weighted_score": 62.8} in november["trend"]


def test_spend_without_an_allocation_section(store: Store, billing: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """No allocation: no owners and no allocation block, but spend per resource still weights the score."""
    path = tmp_path / "plain.yaml"
    path.write_text(POLICY.split("allocation:")[0], encoding="utf-8")
    plain = load_policy(path)
    add_scan(store, plain, ESTATE)
    report = build_report(store, billing, plain, "2026-10", today=TODAY)
    assert report["allocation"] is None
    assert report["compliance"]["cost_weighted_score"] == 62.8
    assert [row["value"] for row in report["compliance"]["by"]["owner"]] == [None]
