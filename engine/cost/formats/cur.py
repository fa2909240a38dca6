"""Legacy AWS Cost and Usage Report: ``category/Name`` columns; one ``resourceTags/...`` column per tag key.

``resourceTags/user:CostCenter`` becomes the tag ``CostCenter``; AWS-generated tags keep their prefix
(``resourceTags/aws:createdBy`` -> ``aws:createdBy``). An empty cell means the resource lacks that tag
(a CSV cannot tell an empty value from a missing key).
"""

from __future__ import annotations

from tagwarden.engine.cost.formats import aws_cur
from tagwarden.engine.cost.formats.interface import Columns, ReadType, SourceHeader
from tagwarden.engine.cost.formats.sql import EMPTY_TAGS, quote_literal

TAG_PREFIX = "resourceTags/"
USER_PREFIX = "user:"

ROLES: aws_cur.Roles = {
    "billing_period_start": ("bill/BillingPeriodStartDate",),
    "billing_period_end": ("bill/BillingPeriodEndDate",),
    "usage_start": ("lineItem/UsageStartDate",),
    "usage_end": ("lineItem/UsageEndDate",),
    "currency": ("lineItem/CurrencyCode",),
    "unblended": ("lineItem/UnblendedCost",),
    "net_unblended": ("lineItem/NetUnblendedCost",),
    "public_on_demand": ("pricing/publicOnDemandCost",),
    "reservation_effective": ("reservation/EffectiveCost",),
    "savings_plan_effective": ("savingsPlan/SavingsPlanEffectiveCost",),
    "ri_unused_upfront": ("reservation/UnusedAmortizedUpfrontFeeForBillingPeriod",),
    "ri_unused_recurring": ("reservation/UnusedRecurringFee",),
    "sp_total_commitment": ("savingsPlan/TotalCommitmentToDate",),
    "sp_used_commitment": ("savingsPlan/UsedCommitment",),
    "line_item_type": ("lineItem/LineItemType",),
    "description": ("lineItem/LineItemDescription",),
    "payer_account": ("bill/PayerAccountId",),
    "payer_account_name": ("bill/PayerAccountName",),
    "usage_account": ("lineItem/UsageAccountId",),
    "usage_account_name": ("lineItem/UsageAccountName",),
    "resource_id": ("lineItem/ResourceId",),
    "product_family": ("product/productFamily",),
    "product_name": ("product/ProductName",),
    "product_code": ("lineItem/ProductCode",),
    "region": ("product/regionCode", "product/region"),
}


class CurFormat:
    name = "cur"
    title = "AWS CUR (legacy)"

    def matches(self, header: SourceHeader) -> bool:
        return header.has("lineItem/UnblendedCost") and header.has("lineItem/UsageStartDate")

    def missing_columns(self, header: SourceHeader) -> list[str]:
        return aws_cur.missing(header, ROLES)

    def read_types(self, header: SourceHeader) -> dict[str, ReadType]:
        return aws_cur.read_types(header, ROLES)

    def tag_source_columns(self, header: SourceHeader) -> tuple[str, ...]:
        return tuple(column for column in header.columns if column.startswith(TAG_PREFIX))

    def projection(self, columns: Columns) -> dict[str, str]:
        return aws_cur.projection(columns, ROLES, _tags(columns))


def tag_key(column: str) -> str:
    key = column[len(TAG_PREFIX) :]
    return key[len(USER_PREFIX) :] if key.startswith(USER_PREFIX) else key


def _tags(columns: Columns) -> str:
    tag_columns = [column for column in columns.header.columns if column.startswith(TAG_PREFIX)]
    if not tag_columns:
        return EMPTY_TAGS
    entries = ", ".join(
        f"{{'key': {quote_literal(tag_key(column))}, 'value': {columns.text(column)}}}" for column in tag_columns
    )
    present = f"list_filter([{entries}], lambda entry: entry.value IS NOT NULL AND entry.value <> '')"
    return f"TRY(map_from_entries({present}))"
