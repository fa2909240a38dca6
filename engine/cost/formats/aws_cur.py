"""What AWS Cost and Usage Reports have in common, CUR 2.0 and legacy: one mapping onto FOCUS, by role.

Each format names the columns for each role (``unblended``, ``usage_start``, ...); this module turns the
roles into FOCUS columns the way AWS's own FOCUS export does: EffectiveCost is the amortised cost
(Savings Plan / Reserved Instance effective cost for covered usage, zero for the negation lines that
would otherwise count the commitment twice), BilledCost the unblended cost, ListCost the public
on-demand cost.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from tagwarden.engine.cost.formats.interface import Columns, ReadType, SourceHeader
from tagwarden.engine.cost.formats.sql import case_map

# line item type -> FOCUS ChargeCategory
CHARGE_CATEGORIES = {
    "Usage": "Usage",
    "DiscountedUsage": "Usage",
    "SavingsPlanCoveredUsage": "Usage",
    "Tax": "Tax",
    "Credit": "Credit",
    "Refund": "Credit",
    "BundledDiscount": "Credit",
    "Discount": "Credit",
    "EdpDiscount": "Credit",
    "PrivateRateDiscount": "Credit",
    "DistributorDiscount": "Credit",
    "SavingsPlanNegation": "Credit",
    "Fee": "Purchase",
    "RIFee": "Purchase",
    "SavingsPlanRecurringFee": "Purchase",
    "SavingsPlanUpfrontFee": "Purchase",
}
REQUIRED_ROLES = ("billing_period_start", "usage_start", "unblended", "currency")
MONEY_ROLES = (
    "unblended",
    "net_unblended",
    "public_on_demand",
    "reservation_effective",
    "savings_plan_effective",
    "ri_unused_upfront",
    "ri_unused_recurring",
    "sp_total_commitment",
    "sp_used_commitment",
)
TIME_ROLES = ("billing_period_start", "billing_period_end", "usage_start", "usage_end")

Roles = Mapping[str, tuple[str, ...]]  # role -> candidate column names, first present wins


def missing(header: SourceHeader, roles: Roles) -> list[str]:
    return [roles[role][0] for role in REQUIRED_ROLES if not header.has(*roles[role])]


def read_types(header: SourceHeader, roles: Roles) -> dict[str, ReadType]:
    types: dict[str, ReadType] = {}
    kinds: tuple[tuple[tuple[str, ...], ReadType], ...] = ((MONEY_ROLES, "money"), (TIME_ROLES, "timestamp"))
    for role_names, kind in kinds:
        for role in role_names:
            found = header.find(*roles.get(role, ()))
            if found:
                types[found] = kind
    return types


def projection(columns: Columns, roles: Roles, tags: str) -> dict[str, str]:
    def text(role: str) -> str:
        return columns.text(*roles.get(role, ()))

    def money(role: str) -> str:
        return columns.money(*roles.get(role, ()))

    item_type = text("line_item_type")
    unblended = money("unblended")
    return {
        "BillingPeriodStart": columns.timestamp(*roles["billing_period_start"]),
        "BillingPeriodEnd": columns.timestamp(*roles.get("billing_period_end", ())),
        "ChargePeriodStart": columns.timestamp(*roles["usage_start"]),
        "ChargePeriodEnd": columns.timestamp(*roles.get("usage_end", ())),
        "BillingCurrency": text("currency"),
        "BilledCost": unblended,
        "EffectiveCost": _effective_cost(item_type, unblended, money),
        "ListCost": money("public_on_demand"),
        "ContractedCost": f"coalesce({money('net_unblended')}, {unblended})",
        "ChargeCategory": case_map(item_type, CHARGE_CATEGORIES, "'Adjustment'"),
        "ChargeClass": f"CASE WHEN {item_type} = 'Refund' THEN 'Correction' END",
        "ChargeDescription": text("description"),
        "ProviderName": "'AWS'",
        "BillingAccountId": text("payer_account"),
        "BillingAccountName": text("payer_account_name"),
        "SubAccountId": text("usage_account"),
        "SubAccountName": text("usage_account_name"),
        "ResourceId": f"nullif({text('resource_id')}, '')",
        "ResourceType": text("product_family"),
        "ServiceName": f"coalesce({text('product_name')}, {text('product_code')})",
        "RegionId": text("region"),
        "Tags": tags,
    }


def _effective_cost(item_type: str, unblended: str, m: Callable[[str], str]) -> str:
    unused_ri = f"{m('ri_unused_upfront')} + {m('ri_unused_recurring')}"
    unused_sp = f"{m('sp_total_commitment')} - {m('sp_used_commitment')}"
    return (
        f"CASE {item_type} "
        f"WHEN 'SavingsPlanCoveredUsage' THEN coalesce({m('savings_plan_effective')}, {unblended}) "
        f"WHEN 'DiscountedUsage' THEN coalesce({m('reservation_effective')}, {unblended}) "
        f"WHEN 'SavingsPlanNegation' THEN CAST(0 AS DECIMAL(38,10)) "
        f"WHEN 'SavingsPlanUpfrontFee' THEN CAST(0 AS DECIMAL(38,10)) "
        f"WHEN 'RIFee' THEN coalesce({unused_ri}, {unblended}) "
        f"WHEN 'SavingsPlanRecurringFee' THEN coalesce({unused_sp}, {unblended}) "
        f"ELSE {unblended} END"
    )
