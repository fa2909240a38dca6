"""Helpers for the audit tests: a real scan in a store, last month, the contract's billing table."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb

from tagwarden.engine.resources import Resource, TagSet
from tagwarden.engine.results import PolicyRef, Result, Status, Summary
from tagwarden.engine.store import Store

# the billing table of the cost helpers' contract (notes/cost-contract.md), spelled out here
BILLING_DDL = """
CREATE TABLE billing (
    import_id INTEGER, source_line BIGINT, period VARCHAR,
    BillingPeriodStart TIMESTAMP, BillingPeriodEnd TIMESTAMP, ChargePeriodStart TIMESTAMP, ChargePeriodEnd TIMESTAMP,
    BillingCurrency VARCHAR, BilledCost DECIMAL(38,10), EffectiveCost DECIMAL(38,10), ListCost DECIMAL(38,10),
    ContractedCost DECIMAL(38,10), ChargeCategory VARCHAR, ChargeClass VARCHAR, ChargeDescription VARCHAR,
    ProviderName VARCHAR, BillingAccountId VARCHAR, BillingAccountName VARCHAR, SubAccountId VARCHAR,
    SubAccountName VARCHAR, ResourceId VARCHAR, ResourceName VARCHAR, ResourceType VARCHAR, ServiceName VARCHAR,
    ServiceCategory VARCHAR, RegionId VARCHAR, Tags MAP(VARCHAR, VARCHAR), adjustment_of VARCHAR
)
"""


def open_billing(path: Path | str) -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect(str(path))
    conn.execute(BILLING_DDL)
    return conn


POLICY = PolicyRef(name="audit-test", digest="sha256:" + "cd" * 32)


def previous_period(today: date | None = None) -> str:
    """Last month: closed now, its scans (taken today, after it ended) count."""
    first_of_this_month = (today or datetime.now(UTC).date()).replace(day=1)
    last_month = first_of_this_month - timedelta(days=1)
    return f"{last_month.year:04d}-{last_month.month:02d}"


def add_scan(store: Store, source: str = "aws", count: int = 4) -> int:
    """A complete scan of ``count`` resources, every other one failing the cost-center rule."""
    scan_id = store.begin_scan(source, POLICY, {"source": source})
    resources = [
        Resource(
            address=f"arn:{source}:{n}",
            provider="aws",
            type="ec2:instance",
            id=f"arn:{source}:{n}",
            tags=TagSet(known={"Owner": f"team-{n}"} | ({"CostCenter": "cc-1"} if n % 2 else {})),
        )
        for n in range(count)
    ]
    results = [
        Result(
            rule="cost-center",
            status=Status.PASS if n % 2 else Status.FAIL,
            resource=item,
            severity="high",
            message="CostCenter",
        )
        for n, item in enumerate(resources)
    ]
    store.add_batch(scan_id, resources, results)
    failed = count - count // 2
    store.finish_scan(
        scan_id,
        Summary(count, count, count - failed, failed, 0, 0, 0, round(100 * (count - failed) / count, 1)),
        {},
    )
    return scan_id
