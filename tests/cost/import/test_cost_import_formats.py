"""Each billing format, from files the tests build: detected from the header, mapped onto FOCUS columns."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cost_import_support import Importer, to_parquet

from tagwarden.engine.cost.formats.interface import BillingFormatError

CUR2_HEADER = [
    "bill_billing_period_start_date", "bill_billing_period_end_date", "bill_payer_account_id",
    "line_item_usage_account_id", "line_item_line_item_type", "line_item_usage_start_date",
    "line_item_usage_end_date", "line_item_product_code", "line_item_resource_id", "line_item_unblended_cost",
    "line_item_currency_code", "pricing_public_on_demand_cost", "savings_plan_savings_plan_effective_cost",
    "product_region_code", "resource_tags",
]  # fmt: skip


def cur2_row(item_type: str, cost: str, tags: str = "", sp_effective: str = "") -> list[str]:
    return ["2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z", "999988887777", "111122223333", item_type,
            "2026-10-03T00:00:00Z", "2026-10-03T01:00:00Z", "AmazonEC2", "i-0abc", cost, "USD", cost,
            sp_effective, "us-east-1", tags]  # fmt: skip


def billing(importer: Importer, columns: str) -> list[tuple[Any, ...]]:
    return importer.rows(f"SELECT {columns} FROM billing ORDER BY source_line")


def test_cur2_csv_with_resource_tags_as_json(importer: Importer, csv_file) -> None:
    tags = json.dumps({"user_CostCenter": "cc-1", "user_env": "prod", "aws_createdBy": "me", "other": "x"})
    path = csv_file(
        "cur2.csv", CUR2_HEADER,
        cur2_row("Usage", "1.50", tags),
        cur2_row("SavingsPlanCoveredUsage", "2.00", sp_effective="1.20"),
        cur2_row("SavingsPlanNegation", "-2.00"),
        cur2_row("Tax", "0.30"),
    )  # fmt: skip
    summary = importer.run(path)

    assert (summary.format, summary.detected, summary.rows, summary.rejected) == ("cur2", True, 4, 0)
    assert billing(importer, "BilledCost, EffectiveCost, ChargeCategory") == [
        (Decimal("1.50"), Decimal("1.50"), "Usage"), (Decimal("2.00"), Decimal("1.20"), "Usage"),
        (Decimal("-2.00"), Decimal("0"), "Credit"), (Decimal("0.30"), Decimal("0.30"), "Tax"),
    ]  # fmt: skip
    first = billing(importer, "Tags, SubAccountId, BillingAccountId, ProviderName, ServiceName, RegionId")[0]
    assert first == (
        {"CostCenter": "cc-1", "env": "prod", "aws:createdBy": "me", "other": "x"},
        "111122223333", "999988887777", "AWS", "AmazonEC2", "us-east-1",
    )  # fmt: skip
    assert summary.periods == ("2026-10",)


def test_cur2_parquet_with_a_map_column(importer: Importer, csv_file, tmp_path: Path) -> None:
    tags = json.dumps({"user_team": "blue"})
    source = csv_file("cur2.csv", CUR2_HEADER, cur2_row("Usage", "3.25", tags), cur2_row("Usage", "1"))
    retyped = (
        "* REPLACE (CAST(CAST(resource_tags AS JSON) AS MAP(VARCHAR, VARCHAR)) AS resource_tags,"
        " CAST(line_item_unblended_cost AS DOUBLE) AS line_item_unblended_cost,"
        " CAST(line_item_usage_start_date AS TIMESTAMPTZ) AS line_item_usage_start_date)"
    )
    path = to_parquet(source, tmp_path / "cur2.parquet", retyped)
    summary = importer.run(path)
    assert (summary.format, summary.rows) == ("cur2", 2)
    assert billing(importer, "source_line, Tags, BilledCost, ChargePeriodStart") == [
        (1, {"team": "blue"}, Decimal("3.25"), datetime(2026, 10, 3)),  # Parquet: the row number
        (2, {}, Decimal("1"), datetime(2026, 10, 3)),
    ]


def test_legacy_cur_turns_resource_tag_columns_into_tags(importer: Importer, csv_file) -> None:
    header = [
        "identity/LineItemId", "bill/BillingPeriodStartDate", "bill/PayerAccountId", "lineItem/UsageAccountId",
        "lineItem/LineItemType", "lineItem/UsageStartDate", "lineItem/UnblendedCost", "lineItem/CurrencyCode",
        "lineItem/ResourceId", "product/ProductName", "reservation/EffectiveCost",
        "resourceTags/user:CostCenter", "resourceTags/user:env", "resourceTags/aws:createdBy", "resourceTags/user: org",
    ]  # fmt: skip
    common = ["2026-10-01T00:00:00Z", "999988887777", "111122223333"]
    path = csv_file(
        "cur.csv", header,
        ["a", *common, "Usage", "2026-10-02T00:00:00Z", "0.10", "USD", "i-1", "Amazon EC2", "", "cc-1", "", "me", "x"],
        ["b", *common, "DiscountedUsage", "2026-10-02T00:00:00Z", "0.50", "USD", "i-2", "Amazon EC2", "0.30",
         "", "", "", ""],
    )  # fmt: skip
    summary = importer.run(path)
    assert (summary.format, summary.detected, summary.rows) == ("cur", True, 2)
    assert billing(importer, "Tags, BilledCost, EffectiveCost, ServiceName") == [
        ({"CostCenter": "cc-1", "aws:createdBy": "me", " org": "x"}, Decimal("0.10"), Decimal("0.10"), "Amazon EC2"),
        ({}, Decimal("0.50"), Decimal("0.30"), "Amazon EC2"),
    ]


AZURE_HEADER = [
    "billingAccountId", "billingPeriodStartDate", "billingPeriodEndDate", "date", "subscriptionId",
    "subscriptionName", "resourceId", "resourceLocation", "meterCategory", "meterName", "costInBillingCurrency",
    "billingCurrency", "chargeType", "tags", "serviceFamily",
]  # fmt: skip
VM = "/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-1"


def azure_row(day: str, cost: str, tags: str, currency: str = "EUR") -> list[str]:
    return ["ba-1", "10/01/2026", "10/31/2026", day, "sub-1", "Prod", VM, "westeurope", "Virtual Machines",
            "D2s v3", cost, currency, "Usage", tags, "Compute"]  # fmt: skip


def test_azure_tags_with_and_without_braces_and_us_dates(importer: Importer, csv_file) -> None:
    path = csv_file(
        "azure.csv", AZURE_HEADER,
        azure_row("10/15/2026", "1.10", '"env": "prod","team":"x"'),
        azure_row("10/16/2026", "2.20", '{"env": "dev", " org": "y"}'),
        azure_row("10/17/2026", "3.30", ""),
    )  # fmt: skip
    summary = importer.run(path)
    assert (summary.format, summary.detected, summary.rows, summary.rejected) == ("azure", True, 3, 0)
    assert billing(importer, "Tags, ChargePeriodStart, period, SubAccountId, ResourceName, ProviderName") == [
        ({"env": "prod", "team": "x"}, datetime(2026, 10, 15), "2026-10", "sub-1", "vm-1", "Microsoft"),
        ({"env": "dev", " org": "y"}, datetime(2026, 10, 16), "2026-10", "sub-1", "vm-1", "Microsoft"),
        ({}, datetime(2026, 10, 17), "2026-10", "sub-1", "vm-1", "Microsoft"),
    ]
    assert [(t.currency, t.billed) for t in summary.totals] == [("EUR", Decimal("6.60"))]


def test_azure_ea_spelling_is_matched_without_regard_to_case(importer: Importer, csv_file) -> None:
    header = ["SubscriptionGuid", "Date", "MeterCategory", "InstanceId", "Cost", "BillingCurrencyCode", "Tags"]
    path = csv_file("ea.csv", header, ["sub-2", "2026-09-30", "Storage", VM, "0.01", "USD", '"a": "b"'])
    summary = importer.run(path)
    assert (summary.format, summary.rows, summary.periods) == ("azure", 1, ("2026-09",))
    assert billing(importer, "Tags, SubAccountId, BilledCost") == [({"a": "b"}, "sub-2", Decimal("0.01"))]


def gcp_record(**overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "billing_account_id": "0123-4567",
        "service": {"id": "6F81", "description": "Compute Engine"},
        "sku": {"id": "CP-1", "description": "N1 Predefined Instance Core"},
        "usage_start_time": "2026-10-01T00:00:00-07:00",
        "usage_end_time": "2026-10-01T01:00:00-07:00",
        "project": {"id": "proj-1", "name": "Project One", "labels": [{"key": "team", "value": "t1"}]},
        "labels": [{"key": "env", "value": "prod"}, {"key": "team", "value": "t2"}],
        "location": {"region": "europe-west1"},
        "cost": 1.234567,
        "currency": "EUR",
        "invoice": {"month": "202610"},
        "cost_type": "regular",
        "credits": [{"name": "CUD", "amount": -0.2}],
        "resource": {"name": "vm-1", "global_name": "//compute.googleapis.com/projects/proj-1/zones/z/instances/1"},
    }
    record.update(overrides)
    return record


def test_gcp_json_lines_with_label_records_and_credits(importer: Importer, tmp_path: Path) -> None:
    second = gcp_record(cost=2, credits=[], usage_start_time="2026-10-31 23:30:00 UTC", invoice={"month": "202610"})
    del second["labels"]
    lines = [json.dumps(gcp_record()), json.dumps(second), "{not json", json.dumps(gcp_record(labels=[
        {"key": "a", "value": "1"}, {"key": "a", "value": "2"}]))]  # fmt: skip
    path = tmp_path / "gcp.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = importer.run(path)

    assert (summary.format, summary.detected, summary.rows, summary.rejected) == ("gcp", True, 2, 2)
    assert [(r.line, r.reason) for r in summary.rejections] == [
        (3, "not a JSON object"), (4, "tags are not a JSON object with distinct keys"),
    ]  # fmt: skip
    assert billing(importer, "source_line, Tags, BilledCost, EffectiveCost, ChargePeriodStart, period") == [
        (1, {"team": "t2", "env": "prod"}, Decimal("1.234567"), Decimal("1.034567"), datetime(2026, 10, 1, 7),
         "2026-10"),
        (2, {"team": "t1"}, Decimal("2"), Decimal("2"), datetime(2026, 10, 31, 23, 30), "2026-10"),
    ]  # fmt: skip
    assert billing(importer, "SubAccountId, ServiceName, RegionId, ResourceName, ProviderName")[0] == (
        "proj-1", "Compute Engine", "europe-west1", "vm-1", "Google Cloud",
    )  # fmt: skip


def test_gcp_flattened_csv_export(importer: Importer, csv_file) -> None:
    header = ["billing_account_id", "service.description", "usage_start_time", "usage_end_time", "project.id",
              "labels", "cost", "currency", "invoice.month", "credits"]  # fmt: skip
    path = csv_file(
        "gcp.csv", header,
        ["0123", "BigQuery", "2026-09-30 22:00:00 UTC", "2026-09-30 23:00:00 UTC", "p-2",
         '[{"key": "env", "value": "dev"}]', "0.5", "USD", "202609", '[{"amount": -0.1}]'],
    )  # fmt: skip
    summary = importer.run(path)
    assert (summary.format, summary.rows, summary.periods) == ("gcp", 1, ("2026-09",))
    assert billing(importer, "Tags, ServiceName, SubAccountId, EffectiveCost") == [
        ({"env": "dev"}, "BigQuery", "p-2", Decimal("0.4"))
    ]


def test_a_format_given_that_does_not_fit_names_the_missing_columns(importer: Importer, csv_file) -> None:
    path = csv_file("cur2.csv", CUR2_HEADER, cur2_row("Usage", "1"))
    with pytest.raises(BillingFormatError, match=r"missing required columns for FOCUS.*BillingPeriodStart"):
        importer.run(path, format_name="focus")
