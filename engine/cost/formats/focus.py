"""FOCUS 1.0 to 1.2 (FinOps Open Cost and Usage Specification): the columns are already ours.

``Tags`` is a JSON object in a string (CSV) or a string/map column (Parquet). FOCUS 1.2 adds
``ServiceProviderName`` beside the older ``ProviderName``; either is read.
"""

from __future__ import annotations

from tagwarden.engine.cost.formats.interface import Columns, ReadType, SourceHeader
from tagwarden.engine.cost.formats.sql import EMPTY_TAGS, tags_from_json_object

REQUIRED = ("BillingPeriodStart", "ChargePeriodStart", "BilledCost", "EffectiveCost", "BillingCurrency")
MONEY_COLUMNS = ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost")
TIME_COLUMNS = ("BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd")
TEXT_COLUMNS = (
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "BillingAccountId",
    "BillingAccountName",
    "SubAccountId",
    "SubAccountName",
    "ResourceId",
    "ResourceName",
    "ResourceType",
    "ServiceName",
    "ServiceCategory",
    "RegionId",
)
_SIGNATURE = ("BilledCost", "EffectiveCost", "BillingCurrency", "ChargePeriodStart")


class FocusFormat:
    name = "focus"
    title = "FOCUS 1.0-1.2"

    def matches(self, header: SourceHeader) -> bool:
        return sum(header.has(column) for column in _SIGNATURE) >= 3

    def missing_columns(self, header: SourceHeader) -> list[str]:
        return [column for column in REQUIRED if not header.has(column)]

    def read_types(self, header: SourceHeader) -> dict[str, ReadType]:
        types: dict[str, ReadType] = {}
        for column in MONEY_COLUMNS:
            found = header.find(column)
            if found:
                types[found] = "money"
        for column in TIME_COLUMNS:
            found = header.find(column)
            if found:
                types[found] = "timestamp"
        return types

    def tag_source_columns(self, header: SourceHeader) -> tuple[str, ...]:
        found = header.find("Tags")
        return (found,) if found else ()

    def projection(self, columns: Columns) -> dict[str, str]:
        mapped = {column: columns.money(column) for column in MONEY_COLUMNS}
        mapped |= {column: columns.timestamp(column) for column in TIME_COLUMNS}
        mapped |= {column: columns.text(column) for column in TEXT_COLUMNS}
        mapped["BillingCurrency"] = columns.text("BillingCurrency")
        mapped["ProviderName"] = f"coalesce({columns.text('ProviderName')}, {columns.text('ServiceProviderName')})"
        mapped["Tags"] = _tags(columns)
        return mapped


def _tags(columns: Columns) -> str:
    column = columns.header.find("Tags")
    if column is not None and columns.header.type_of(column).startswith("MAP"):
        return f"coalesce(CAST({columns.raw(column)} AS MAP(VARCHAR, VARCHAR)), {EMPTY_TAGS})"
    return tags_from_json_object(columns.text("Tags"))
