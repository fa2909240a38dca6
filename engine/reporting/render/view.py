"""What the HTML template shows, taken from the report dict: figures formatted, charts drawn, rows given ids.

The template only lays this out. Optional parts of the dict (allocation without billing data, a scan,
trend, audit, accruals) may be missing or null; each is then left out rather than shown as zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from markupsafe import Markup

from tagwarden.engine.reporting.render import charts
from tagwarden.engine.reporting.render.formatting import money, number, percent, words
from tagwarden.engine.reporting.render.interface import ReportDict

CHART_OWNERS = 12  # bars drawn; the rest are summed into one "other owners" bar
ITEMS_PER_OWNER = 200  # resources listed under one owner in the HTML; report.csv has them all
UNOWNED = "(no owner)"


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    note: str = ""
    tone: str = ""


@dataclass(frozen=True)
class OwnerRows:
    key: str
    row: Mapping[str, Any]
    items: Sequence[Mapping[str, Any]]
    in_csv_only: int  # listed in the dict (so in report.csv) but cut from the page
    unlisted: int  # counted by the build ("more_items") but listed nowhere

    @property
    def hidden_items(self) -> int:
        return self.in_csv_only + self.unlisted


@dataclass(frozen=True)
class AccountRows:
    key: str
    row: Mapping[str, Any]
    owners: Sequence[OwnerRows] = field(default_factory=tuple)


def currency_of(report: ReportDict) -> str | None:
    allocation = report.get("allocation") or {}
    currency = allocation.get("currency")
    return str(currency) if currency else None


def headline(report: ReportDict) -> list[Figure]:
    currency = currency_of(report)
    compliance = report.get("compliance") or {}
    shadow = report.get("shadow") or {}
    allocation = report.get("allocation")
    figures: list[Figure] = []
    if allocation:
        figures += [
            Figure("Total spend", money(allocation.get("total"), currency), f"from {allocation.get('cost_column')}"),
            Figure("Allocated", percent(allocation.get("allocated_pct")), money(allocation.get("allocated"), currency)),
            Figure("Unallocated", money(allocation.get("unallocated"), currency), "nobody can be charged", "warn"),
        ]  # fmt: skip
    else:
        figures.append(Figure("Total spend", "no billing data", "import it with tagwarden cost import", "quiet"))
    figures += [
        Figure("Compliance score", percent(compliance.get("score")), _of(compliance), _tone(compliance.get("score"))),
        Figure("Cost-weighted score", percent(compliance.get("cost_weighted_score")),
               "weighted by each resource's spend", _tone(compliance.get("cost_weighted_score"))),
    ]  # fmt: skip
    for key in ("untagged", "unmanaged"):
        part = shadow.get(key)
        if part is None:
            continue
        count = f"{number(part.get('resources'))} resources"
        if part.get("cost") is None:  # no billing: the count is all there is to say
            figures.append(Figure(f"{key.capitalize()} resources", number(part.get("resources")), "spend unknown"))
        else:
            figures.append(Figure(f"{key.capitalize()} spend", money(part.get("cost"), currency), count))
    return figures


def _of(compliance: Mapping[str, Any]) -> str:
    return f"{number(compliance.get('compliant'))} of {number(compliance.get('resources'))} resources compliant"


def _tone(score: Any) -> str:
    if score is None:
        return ""
    return "good" if score >= 95 else "warn" if score >= 80 else "bad"


def owner_chart(report: ReportDict) -> Markup | None:
    allocation = report.get("allocation")
    owners = list((allocation or {}).get("owners") or ())
    if not owners:
        return None
    currency = currency_of(report)
    owners.sort(key=lambda owner: -float(owner.get("total") or 0))
    shown, rest = owners[:CHART_OWNERS], owners[CHART_OWNERS:]
    bars = [_owner_bar(str(owner.get("value") or UNOWNED), owner, currency) for owner in shown]
    if rest:
        summed = {key: sum(float(owner.get(key) or 0) for owner in rest) for key in ("direct", "shared", "total")}
        bars.append(_owner_bar(f"{len(rest)} other owners", summed, currency))
    legend = [("seg-direct", "direct"), ("seg-shared", "shared")]
    return charts.bar_chart("Allocation by owner", bars, legend)


def _owner_bar(label: str, owner: Mapping[str, Any], currency: str | None) -> charts.Bar:
    segments = [
        charts.Segment(float(owner.get("direct") or 0), "seg-direct", "direct"),
        charts.Segment(float(owner.get("shared") or 0), "seg-shared", "shared"),
    ]
    return charts.Bar(label, segments, money(owner.get("total"), currency))


def reason_chart(report: ReportDict) -> Markup | None:
    reasons = dict(((report.get("allocation") or {}).get("unallocated_by_reason")) or {})
    if not reasons:
        return None
    currency = currency_of(report)
    ordered = sorted(reasons.items(), key=lambda item: -float(item[1] or 0))
    bars = [
        charts.Bar(words(reason), [charts.Segment(float(amount or 0), "seg-unallocated", "unallocated")],
                   money(amount, currency))
        for reason, amount in ordered
    ]  # fmt: skip
    return charts.bar_chart("Unallocated spend by reason", bars)


def trend_chart(report: ReportDict) -> Markup | None:
    trend = list(report.get("trend") or ())
    if not trend:
        return None
    series = [
        charts.Series("compliance score", "series-score", [_float(point.get("score")) for point in trend]),
        charts.Series("cost-weighted score", "series-weighted", [_float(p.get("cost_weighted_score")) for p in trend]),
    ]
    return charts.line_chart(
        "Compliance trend",
        [str(point.get("period")) for point in trend],
        series,
        closed=[bool(point.get("closed")) for point in trend],
        label=lambda value: f"{value:.1f}",
    )


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def drilldown(report: ReportDict) -> list[AccountRows]:
    accounts = []
    for a_index, account in enumerate(report.get("drilldown") or ()):
        owners = []
        for o_index, owner in enumerate(account.get("owners") or ()):
            items = sorted(owner.get("items") or (), key=lambda item: -float(item.get("cost") or 0))
            shown = items[:ITEMS_PER_OWNER]
            unlisted = int(owner.get("more_items") or 0)
            owners.append(OwnerRows(f"a{a_index}-o{o_index}", owner, shown, len(items) - len(shown), unlisted))
        accounts.append(AccountRows(f"a{a_index}", account, owners))
    return accounts


def organisation_cost(report: ReportDict) -> Decimal | None:
    costs = [account.get("cost") for account in report.get("drilldown") or ()]
    known = [Decimal(str(cost)) for cost in costs if cost is not None]
    return sum(known, Decimal(0)) if known else None


def other_currencies(report: ReportDict) -> list[Mapping[str, Any]]:
    return list(((report.get("allocation") or {}).get("other_currencies")) or ())
