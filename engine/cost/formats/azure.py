"""Azure cost details exports (EA, MCA and pay-as-you-go; actual or amortised cost).

Column names differ by agreement type and export version (``costInBillingCurrency``, ``CostInBillingCurrency``,
``Cost``, ``PreTaxCost``; ``SubscriptionId`` / ``SubscriptionGuid``...): they are matched without regard
to case, first candidate first. Dates come as ``MM/DD/YYYY`` or ISO 8601. ``Tags`` is a JSON object with
or without its braces (``"env": "prod","team":"x"``). A daily row's charge period is that day.
"""

from __future__ import annotations

from tagwarden.engine.cost.formats.interface import Columns, ReadType, SourceHeader
from tagwarden.engine.cost.formats.sql import case_map, tags_from_json_object

DATE_FORMATS = ("%m/%d/%Y", "%m/%d/%Y %H:%M:%S")
COST = ("costInBillingCurrency", "CostInBillingCurrency", "Cost", "PreTaxCost", "costInPricingCurrency", "costInUsd")
CURRENCY = ("billingCurrency", "billingCurrencyCode", "BillingCurrencyCode", "Currency")
DATE = ("date", "UsageDateTime", "UsageDate")
PERIOD_START = ("billingPeriodStartDate", "BillingPeriodStartDate")
SUBSCRIPTION = ("subscriptionId", "SubscriptionGuid", "SubscriptionId")
RESOURCE_ID = ("resourceId", "ResourceId", "InstanceId", "instanceName")
CHARGE_CATEGORIES = {
    "Usage": "Usage",
    "UnusedReservation": "Usage",
    "UnusedSavingsPlan": "Usage",
    "Purchase": "Purchase",
    "Refund": "Credit",
    "Tax": "Tax",
    "RoundingAdjustment": "Adjustment",
}


class AzureFormat:
    name = "azure"
    title = "Azure cost details"

    def matches(self, header: SourceHeader) -> bool:
        return header.has(*SUBSCRIPTION, "meterCategory", "MeterCategory") and header.has(*COST)

    def missing_columns(self, header: SourceHeader) -> list[str]:
        required = {"costInBillingCurrency": COST, "billingCurrency": CURRENCY, "date": DATE}
        return [name for name, candidates in required.items() if not header.has(*candidates)]

    def read_types(self, header: SourceHeader) -> dict[str, ReadType]:
        money: dict[str, ReadType] = {}
        for candidates in (COST, ("paygCostInBillingCurrency",)):
            found = header.find(*candidates)
            if found:
                money[found] = "money"
        return money  # dates are parsed in SQL: two spellings are in use

    def tag_source_columns(self, header: SourceHeader) -> tuple[str, ...]:
        found = header.find("tags", "Tags")
        return (found,) if found else ()

    def projection(self, columns: Columns) -> dict[str, str]:
        day = columns.timestamp(*DATE, formats=DATE_FORMATS)
        period_start = columns.timestamp(*PERIOD_START, formats=DATE_FORMATS)
        period_end = columns.timestamp("billingPeriodEndDate", "BillingPeriodEndDate", formats=DATE_FORMATS)
        charge_type = columns.text("chargeType", "ChargeType")
        resource_id = columns.text(*RESOURCE_ID)
        cost = columns.money(*COST)
        month_of_day = f"date_trunc('month', {day})"
        return {
            "BillingPeriodStart": f"coalesce({period_start}, {month_of_day})",
            # Azure names the period's last day; FOCUS's end is exclusive (the next day's midnight)
            "BillingPeriodEnd": f"coalesce({period_end} + INTERVAL 1 DAY, {month_of_day} + INTERVAL 1 MONTH)",
            "ChargePeriodStart": day,
            "ChargePeriodEnd": f"{day} + INTERVAL 1 DAY",
            "BillingCurrency": columns.text(*CURRENCY),
            "BilledCost": cost,
            "EffectiveCost": cost,
            "ListCost": columns.money("paygCostInBillingCurrency", "PayGPrice"),
            "ContractedCost": cost,
            "ChargeCategory": case_map(charge_type, CHARGE_CATEGORIES, "coalesce(" + charge_type + ", 'Usage')"),
            "ChargeClass": f"CASE WHEN {charge_type} = 'Refund' THEN 'Correction' END",
            "ChargeDescription": columns.text("meterName", "MeterName", "ProductName", "productName"),
            "ProviderName": "'Microsoft'",
            "BillingAccountId": columns.text("billingAccountId", "BillingAccountId", "EnrollmentNumber"),
            "BillingAccountName": columns.text("billingAccountName", "BillingAccountName"),
            "SubAccountId": columns.text(*SUBSCRIPTION),
            "SubAccountName": columns.text("subscriptionName", "SubscriptionName"),
            "ResourceId": f"nullif({resource_id}, '')",
            "ResourceName": f"nullif(regexp_extract({resource_id}, '[^/]+$'), '')",
            "ResourceType": columns.text("consumedService", "ConsumedService"),
            "ServiceName": columns.text("meterCategory", "MeterCategory", "serviceName", "ServiceName"),
            "ServiceCategory": columns.text("serviceFamily", "ServiceFamily"),
            "RegionId": columns.text("resourceLocation", "ResourceLocation", "location"),
            "Tags": _tags(columns),
        }


def _tags(columns: Columns) -> str:
    raw = f"trim({columns.text('tags', 'Tags')})"
    braced = f"CASE WHEN {raw} = '' OR starts_with({raw}, '{{') THEN {raw} ELSE '{{' || {raw} || '}}' END"
    return tags_from_json_object(braced)
