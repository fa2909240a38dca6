"""Google Cloud billing export (the BigQuery table), exported as JSON Lines or as flattened CSV.

JSON keeps the nesting (``service.description``, ``labels`` as ``[{"key": k, "value": v}]``); a CSV
export spells nested fields ``service.description`` or ``service_description`` and holds ``labels`` and
``credits`` as JSON text. Both are read the same way. Tags are the resource ``labels`` over the
project's labels (a resource label wins over a project label of the same key). EffectiveCost is
``cost`` plus the (negative) ``credits`` amounts, as in Google's FOCUS view.
"""

from __future__ import annotations

from tagwarden.engine.cost.formats.interface import Columns, ReadType, SourceHeader
from tagwarden.engine.cost.formats.sql import EMPTY_TAGS, case_map, tags_from_key_value_records

CHARGE_CATEGORIES = {"regular": "Usage", "tax": "Tax", "adjustment": "Adjustment", "rounding_error": "Adjustment"}
REQUIRED = ("usage_start_time", "cost", "currency")


class GcpFormat:
    name = "gcp"
    title = "Google Cloud billing export"

    def matches(self, header: SourceHeader) -> bool:
        return header.has("billing_account_id") and header.has("usage_start_time") and header.has("cost")

    def missing_columns(self, header: SourceHeader) -> list[str]:
        return [column for column in REQUIRED if not header.has(column)]

    def read_types(self, header: SourceHeader) -> dict[str, ReadType]:
        found = header.find("cost")
        return {found: "money"} if found else {}

    def tag_source_columns(self, header: SourceHeader) -> tuple[str, ...]:
        return tuple(found for found in (header.find("labels"), header.find("project.labels")) if found)

    def projection(self, columns: Columns) -> dict[str, str]:
        start = columns.timestamp("usage_start_time")
        month = columns.text("invoice.month")  # YYYYMM
        period_start = f"coalesce(try_strptime({month} || '01', '%Y%m%d'), date_trunc('month', {start}))"
        cost = columns.money("cost")
        return {
            "BillingPeriodStart": period_start,
            "BillingPeriodEnd": f"{period_start} + INTERVAL 1 MONTH",
            "ChargePeriodStart": start,
            "ChargePeriodEnd": columns.timestamp("usage_end_time"),
            "BillingCurrency": columns.text("currency"),
            "BilledCost": cost,
            "EffectiveCost": f"{cost} + {_credits(columns)}",
            "ListCost": columns.money("cost_at_list"),
            "ContractedCost": cost,
            "ChargeCategory": case_map(columns.text("cost_type"), CHARGE_CATEGORIES, "'Usage'"),
            "ChargeDescription": columns.text("sku.description"),
            "ProviderName": "'Google Cloud'",
            "BillingAccountId": columns.text("billing_account_id"),
            "SubAccountId": columns.text("project.id"),
            "SubAccountName": columns.text("project.name"),
            "ResourceId": f"coalesce({columns.text('resource.global_name')}, {columns.text('resource.name')})",
            "ResourceName": columns.text("resource.name"),
            "ServiceName": columns.text("service.description"),
            "RegionId": f"coalesce({columns.text('location.region')}, {columns.text('location.location')})",
            "Tags": _tags(columns),
        }


def _credits(columns: Columns) -> str:
    if not columns.header.has("credits"):
        return "0"
    amounts = f"CAST(json_extract({columns.json('credits')}, '$[*].amount') AS VARCHAR[])"
    total = f"list_sum(list_transform({amounts}, lambda amount: CAST(amount AS DECIMAL(38,10))))"
    return f"coalesce({total}, 0)"


def _tags(columns: Columns) -> str:
    labels = tags_from_key_value_records(columns.json("labels")) if columns.header.has("labels") else EMPTY_TAGS
    if not columns.header.has("project.labels"):
        return labels
    project = tags_from_key_value_records(columns.json("project.labels"))
    # map_concat skips a NULL argument; unusable labels on either side must reject the row instead
    return f"CASE WHEN ({project}) IS NULL OR ({labels}) IS NULL THEN NULL ELSE map_concat({project}, {labels}) END"
