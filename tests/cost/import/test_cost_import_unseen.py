"""Regressions found by importing exports the other tests had not seen (real-world header and line quirks)."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from cost_import_support import Importer, to_parquet
from test_cost_import_formats import gcp_record

CUR_HEADER = [
    "bill/BillingPeriodStartDate", "lineItem/UsageAccountId", "lineItem/LineItemType", "lineItem/UsageStartDate",
    "lineItem/UnblendedCost", "lineItem/CurrencyCode", "lineItem/ResourceId",
    "resourceTags/user:CostCenter", "resourceTags/user:costcenter", "resourceTags/user:Env",
]  # fmt: skip


def test_legacy_cur_tag_columns_that_differ_only_by_case_stay_two_keys(importer: Importer, csv_file) -> None:
    # AWS tag keys are case-sensitive, so a CUR can hold both columns; DuckDB names ignore case
    common = ["2026-10-01T00:00:00Z", "111122223333", "Usage", "2026-10-02T00:00:00Z"]
    path = csv_file(
        "cur.csv", CUR_HEADER,
        [*common, "1.10", "USD", "i-1", "cc-1", "", "prod"],
        [*common, "2.20", "USD", "i-2", "", "cc-2", ""],
        [*common, "3.30", "USD", "i-3", "cc-1", "cc-3", ""],
    )  # fmt: skip
    summary = importer.run(path)
    assert (summary.format, summary.rows, summary.rejected) == ("cur", 3, 0)
    assert importer.rows("SELECT Tags, BilledCost FROM billing ORDER BY source_line") == [
        ({"CostCenter": "cc-1", "Env": "prod"}, Decimal("1.10")),
        ({"costcenter": "cc-2"}, Decimal("2.20")),
        ({"CostCenter": "cc-1", "costcenter": "cc-3"}, Decimal("3.30")),
    ]


def test_a_json_line_that_is_not_an_object_is_rejected_not_the_whole_file(importer: Importer, tmp_path: Path) -> None:
    lines = [json.dumps(gcp_record()), "[1, 2]", "", json.dumps(gcp_record(cost=2)), '"text"', "42"]
    path = tmp_path / "gcp.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = importer.run(path)
    # the blank line 3 is no record: neither stored nor rejected
    assert (summary.rows, summary.rejected) == (2, 3)
    assert [(r.line, r.reason) for r in summary.rejections] == [
        (2, "not a JSON object"), (5, "not a JSON object"), (6, "not a JSON object"),
    ]  # fmt: skip
    assert importer.rows("SELECT source_line, BilledCost FROM billing ORDER BY source_line") == [
        (1, Decimal("1.234567")), (4, Decimal("2")),
    ]  # fmt: skip


def test_a_text_date_that_does_not_parse_rejects_its_row_with_its_line(importer: Importer, csv_file) -> None:
    # Azure dates are parsed in SQL (two spellings): a bad one used to leave the row stored without its date
    header = ["date", "billingPeriodStartDate", "subscriptionId", "meterCategory", "costInBillingCurrency",
              "billingCurrency", "tags"]  # fmt: skip
    path = csv_file(
        "azure.csv", header,
        ["10/06/2026", "2026-10-01", "sub-1", "VM", "2.5", "EUR", ""],
        ["13/07/2026", "2026-10-01", "sub-1", "VM", "1", "EUR", ""],
        ["2026-10-08", "not a date", "sub-1", "VM", "4", "EUR", ""],
        ["", "2026-10-01", "sub-1", "VM", "8", "EUR", ""],
    )  # fmt: skip
    summary = importer.run(path)
    assert (summary.format, summary.rows, summary.rejected) == ("azure", 2, 2)
    assert [(r.line, r.reason) for r in summary.rejections] == [
        (3, "not a date in column date"), (4, "not a date in column billingPeriodStartDate"),
    ]  # fmt: skip
    assert importer.rows("SELECT source_line, BilledCost, adjustment_of FROM billing ORDER BY source_line") == [
        (2, Decimal("2.5"), None), (5, Decimal("8"), None),
    ]  # fmt: skip


def test_a_gcp_json_line_with_a_bad_usage_time_is_rejected(importer: Importer, tmp_path: Path) -> None:
    lines = [json.dumps(gcp_record()), json.dumps(gcp_record(usage_start_time="yesterday"))]
    path = tmp_path / "gcp.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = importer.run(path)
    assert (summary.rows, [(r.line, r.reason) for r in summary.rejections]) == (
        1, [(2, "not a date in column usage_start_time")],
    )  # fmt: skip


def test_azure_billing_period_end_becomes_focus_exclusive_end(importer: Importer, csv_file) -> None:
    header = ["date", "billingPeriodStartDate", "billingPeriodEndDate", "subscriptionId", "meterCategory",
              "costInBillingCurrency", "billingCurrency"]  # fmt: skip
    path = csv_file("azure.csv", header, ["10/06/2026", "10/01/2026", "10/31/2026", "sub-1", "VM", "2.5", "EUR"])
    importer.run(path)
    assert importer.rows("SELECT BillingPeriodStart, BillingPeriodEnd FROM billing") == [
        (datetime(2026, 10, 1), datetime(2026, 11, 1)),
    ]


def test_gzip_json_lines_whose_name_does_not_end_in_gz(importer: Importer, tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "billing-export.json"  # gzip content, no ".gz": DuckDB would guess from the name
    lines = [json.dumps(gcp_record()), json.dumps(gcp_record(cost=2))]
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    summary = importer.run(path)
    assert (summary.format, summary.rows, summary.rejected) == ("gcp", 2, 0)
    assert importer.rows("SELECT sum(BilledCost) FROM billing") == [(Decimal("3.234567"),)]


def test_legacy_cur_in_parquet_has_a_resource_tags_column_per_key(importer: Importer, csv_file, tmp_path: Path) -> None:
    # the Athena layout of a legacy CUR: CUR 2.0's snake_case names, tags as resource_tags_user_<key> columns
    header = ["bill_billing_period_start_date", "line_item_usage_start_date", "line_item_line_item_type",
              "line_item_unblended_cost", "line_item_currency_code", "line_item_resource_id",
              "resource_tags_user_cost_center", "resource_tags_aws_created_by"]  # fmt: skip
    source = csv_file(
        "athena.csv", header,
        ["2026-10-01T00:00:00Z", "2026-10-02T00:00:00Z", "Usage", "1.5", "USD", "i-1", "cc-1", "me"],
        ["2026-10-01T00:00:00Z", "2026-10-02T00:00:00Z", "Usage", "2.5", "USD", "i-2", "", ""],
    )  # fmt: skip
    for path in (source, to_parquet(source, tmp_path / "athena.parquet")):
        summary = importer.run(path, replace=True)
        assert (summary.format, summary.rows, summary.rejected) == ("cur2", 2, 0)
        query = f"SELECT Tags FROM billing WHERE import_id = {summary.import_id} ORDER BY source_line"
        assert importer.rows(query) == [
            ({"cost_center": "cc-1", "aws:created_by": "me"},), ({},),
        ]  # fmt: skip


def test_a_focus_row_without_effective_cost_is_rejected_not_left_out_of_totals(importer: Importer, csv_file) -> None:
    header = ["BillingCurrency", "BillingPeriodStart", "BilledCost", "EffectiveCost", "ChargePeriodStart"]
    path = csv_file(
        "focus.csv", header,
        ["USD", "2026-07-01", "5", "", "2026-07-02"], ["USD", "2026-07-01", "7", "7", "2026-07-02"],
    )  # fmt: skip
    summary = importer.run(path)
    assert [(r.line, r.reason) for r in summary.rejections] == [(2, "no valid EffectiveCost")]
    assert [(t.currency, t.billed, t.effective) for t in summary.totals] == [("USD", Decimal("7"), Decimal("7"))]


def test_a_header_longer_than_any_fixed_block_is_read_whole(importer: Importer, csv_file) -> None:
    # a legacy CUR with thousands of tag keys: this header is about 150,000 characters
    keys = [f"SomeRatherLongTagKeyNumber{n:05d}" for n in range(3000)]
    header = [*CUR_HEADER[:7], *(f"resourceTags/user:{key}" for key in keys)]
    common = ["2026-10-01T00:00:00Z", "111122223333", "Usage", "2026-10-02T00:00:00Z", "1", "USD", "i-1"]
    path = csv_file(
        "wide.csv", header,
        [*common, *("v" if n == 0 else "" for n in range(3000))],
        [*common, *("w" if n == 2999 else "" for n in range(3000))],
    )  # fmt: skip
    summary = importer.run(path)
    assert (summary.rows, summary.rejected) == (2, 0)
    assert importer.rows("SELECT Tags FROM billing ORDER BY source_line") == [({keys[0]: "v"},), ({keys[-1]: "w"},)]
