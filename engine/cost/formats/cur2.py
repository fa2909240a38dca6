"""AWS CUR 2.0 (Data Exports): snake_case columns; tags in the ``resource_tags`` map.

``resource_tags`` is a MAP in Parquet and a JSON object in CSV. Its keys carry a source prefix:
``user_<Key>`` for user-defined tags (stored as ``<Key>``) and ``aws_<key>`` for AWS-generated ones
(stored as ``aws:<key>``, as legacy CUR spells them), so both CUR generations give the same tag keys.
"""

from __future__ import annotations

from tagwarden.engine.cost.formats import aws_cur
from tagwarden.engine.cost.formats.interface import Columns, ReadType, SourceHeader
from tagwarden.engine.cost.formats.sql import EMPTY_TAGS, quote_literal, tags_from_json_object

FLAT_TAG_PREFIX = "resource_tags_"

ROLES: aws_cur.Roles = {
    "billing_period_start": ("bill_billing_period_start_date",),
    "billing_period_end": ("bill_billing_period_end_date",),
    "usage_start": ("line_item_usage_start_date",),
    "usage_end": ("line_item_usage_end_date",),
    "currency": ("line_item_currency_code",),
    "unblended": ("line_item_unblended_cost",),
    "net_unblended": ("line_item_net_unblended_cost",),
    "public_on_demand": ("pricing_public_on_demand_cost",),
    "reservation_effective": ("reservation_effective_cost",),
    "savings_plan_effective": ("savings_plan_savings_plan_effective_cost",),
    "ri_unused_upfront": ("reservation_unused_amortized_upfront_fee_for_billing_period",),
    "ri_unused_recurring": ("reservation_unused_recurring_fee",),
    "sp_total_commitment": ("savings_plan_total_commitment_to_date",),
    "sp_used_commitment": ("savings_plan_used_commitment",),
    "line_item_type": ("line_item_line_item_type",),
    "description": ("line_item_line_item_description",),
    "payer_account": ("bill_payer_account_id",),
    "payer_account_name": ("bill_payer_account_name",),
    "usage_account": ("line_item_usage_account_id",),
    "usage_account_name": ("line_item_usage_account_name",),
    "resource_id": ("line_item_resource_id",),
    "product_family": ("product_product_family",),
    "product_name": ("product_product_name", "product_servicename"),
    "product_code": ("line_item_product_code",),
    "region": ("product_region_code", "product_region"),
}


class Cur2Format:
    name = "cur2"
    title = "AWS CUR 2.0"

    def matches(self, header: SourceHeader) -> bool:
        return header.has("line_item_unblended_cost") and header.has("line_item_usage_start_date")

    def missing_columns(self, header: SourceHeader) -> list[str]:
        return aws_cur.missing(header, ROLES)

    def read_types(self, header: SourceHeader) -> dict[str, ReadType]:
        return aws_cur.read_types(header, ROLES)

    def tag_source_columns(self, header: SourceHeader) -> tuple[str, ...]:
        found = header.find("resource_tags")
        return (found,) if found else _flat_tag_columns(header)

    def projection(self, columns: Columns) -> dict[str, str]:
        return aws_cur.projection(columns, ROLES, _tags(columns))


def _flat_tag_columns(header: SourceHeader) -> tuple[str, ...]:
    """A legacy CUR delivered as Parquet (the Athena layout) has CUR 2.0's snake_case names but one
    ``resource_tags_user_<key>`` column per tag key instead of the ``resource_tags`` map."""
    return tuple(column for column in header.columns if column.lower().startswith(FLAT_TAG_PREFIX))


def _flat_tags(columns: Columns, tag_columns: tuple[str, ...]) -> str:
    entries = ", ".join(
        f"{{'key': {quote_literal(column[len(FLAT_TAG_PREFIX) :])}, 'value': {columns.text(column)}}}"
        for column in tag_columns
    )
    present = f"list_filter([{entries}], lambda entry: entry.value IS NOT NULL AND entry.value <> '')"
    return f"TRY(map_from_entries({present}))"


def _tags(columns: Columns) -> str:
    column = columns.header.find("resource_tags")
    if column is None:
        tag_columns = _flat_tag_columns(columns.header)
        return _renamed(_flat_tags(columns, tag_columns)) if tag_columns else EMPTY_TAGS
    if columns.header.type_of(column).startswith("MAP"):
        source = f"coalesce(CAST({columns.raw(column)} AS MAP(VARCHAR, VARCHAR)), {EMPTY_TAGS})"
    else:
        source = tags_from_json_object(columns.text(column))
    return _renamed(source)


def _renamed(source: str) -> str:
    """``user_<Key>`` -> ``<Key>``, ``aws_<key>`` -> ``aws:<key>``; NULL (unusable tags) stays NULL."""
    renamed = (
        f"list_transform(map_entries({source}), lambda entry: {{'key': CASE "
        "WHEN starts_with(entry.key, 'user_') THEN substr(entry.key, 6) "
        "WHEN starts_with(entry.key, 'aws_') THEN 'aws:' || substr(entry.key, 5) "
        "ELSE entry.key END, 'value': entry.value})"
    )
    return f"TRY(map_from_entries({renamed}))"
