"""report.csv (the drill-down, one row per resource) and allocation.csv (one row per owner).

Every text cell goes through the outputs' formula neutralisation: tag values, names and owners
come from whoever tagged the resource, and ``=HYPERLINK(...)`` must stay text in a spreadsheet.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from tagwarden.engine.outputs.csv_format import neutralise
from tagwarden.engine.reporting.render.interface import ReportDict

DRILLDOWN_COLUMNS: Sequence[str] = (
    "account", "account_name", "owner", "resource_id", "name", "type", "service", "cost", "status", "failed_rules",
)  # fmt: skip
ALLOCATION_COLUMNS: Sequence[str] = ("currency", "owner", "direct", "shared", "total")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class CsvRenderer:
    name = "csv"
    description = "the drill-down (report.csv) and the allocation per owner (allocation.csv), for spreadsheets"
    files: tuple[str, ...] = ("report.csv", "allocation.csv")

    def render(self, report: ReportDict) -> dict[str, str]:
        return {
            "report.csv": _csv(DRILLDOWN_COLUMNS, drilldown_rows(report)),
            "allocation.csv": _csv(ALLOCATION_COLUMNS, allocation_rows(report)),
        }


def drilldown_rows(report: ReportDict) -> Iterator[list[str]]:
    for account in report.get("drilldown") or ():
        for owner in account.get("owners") or ():
            items = owner.get("items") or ()
            for item in items:
                rules = ";".join(str(rule) for rule in item.get("failed_rules") or ())
                yield [
                    *_texts(account.get("account"), account.get("name"), owner.get("owner"), item.get("id"),
                            item.get("name"), item.get("type"), item.get("service")),
                    _money(item.get("cost")),
                    *_texts(item.get("status"), rules),
                ]  # fmt: skip
            unlisted = int(owner.get("more_items") or 0)
            if unlisted:
                yield _unlisted_row(account, owner, items, unlisted)


def _unlisted_row(
    account: Mapping[str, Any], owner: Mapping[str, Any], items: Sequence[Mapping[str, Any]], unlisted: int
) -> list[str]:
    """The build lists an owner's costliest resources only: one row carries the rest, so the column still sums
    to the owner's spend and nobody mistakes the listed rows for all of them."""
    listed = sum((Decimal(str(item.get("cost") or 0)) for item in items), Decimal(0))
    rest = Decimal(str(owner.get("cost") or 0)) - listed
    label = f"({unlisted} more resource{'s' * (unlisted != 1)}, not listed)"
    return [
        *_texts(account.get("account"), account.get("name"), owner.get("owner"), label, "", "", ""),
        _money(rest),
        *_texts("", ""),
    ]


def allocation_rows(report: ReportDict) -> Iterator[list[str]]:
    allocation = report.get("allocation")
    if not allocation:
        return
    for block in (allocation, *(allocation.get("other_currencies") or ())):
        yield from _owner_rows(block)


def _owner_rows(block: Mapping[str, Any]) -> Iterator[list[str]]:
    currency = block.get("currency")
    for owner in block.get("owners") or ():
        money = (owner.get("direct"), owner.get("shared"), owner.get("total"))
        yield [*_texts(currency, owner.get("value")), *(_money(amount) for amount in money)]
    unallocated = block.get("unallocated")
    if unallocated:
        yield [*_texts(currency, "(unallocated)"), _money(unallocated), _money(0), _money(unallocated)]


def _money(amount: Any) -> str:
    """Plain digits with two decimals, never neutralised (a negative adjustment must stay a number)."""
    if amount is None:
        return ""
    return str(Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_EVEN))


def _texts(*values: Any) -> list[str]:
    return [neutralise("" if value is None else str(value)) for value in values]


def _csv(columns: Sequence[str], rows: Iterable[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()
