"""report.csv, allocation.csv and report.json from a report dict."""

from __future__ import annotations

import csv
import io
import json

import pytest
import render_samples as samples

from tagwarden.engine.reporting.render.csv_format import ALLOCATION_COLUMNS, DRILLDOWN_COLUMNS, CsvRenderer
from tagwarden.engine.reporting.render.interface import RenderError
from tagwarden.engine.reporting.render.json_format import JsonRenderer
from tagwarden.engine.reporting.render.registry import RENDERERS, build, get_renderer


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    return CsvRenderer().render(samples.report())


def test_drilldown_has_one_row_per_resource(files: dict[str, str]) -> None:
    assert files["report.csv"].splitlines()[0] == ",".join(DRILLDOWN_COLUMNS)
    rows = rows_of(files["report.csv"])
    assert len(rows) == len(samples.PROD_WEB + samples.PROD_HOSTILE + samples.PROD_NOBODY + samples.DEV_DATA)
    first = rows[0]
    assert first["account"] == "111122223333" and first["owner"] == "cc-1000" and first["cost"] == "1234.56"
    assert rows_of(files["report.csv"])[2]["failed_rules"] == "owner;cost-center"
    nobody = next(row for row in rows if row["name"] == "orphan")
    assert nobody["owner"] == "" and nobody["status"] == "untagged"


def test_formulas_from_strangers_are_neutralised(files: dict[str, str]) -> None:
    rows = rows_of(files["report.csv"])
    formula_named = next(row for row in rows if row["resource_id"].endswith("i-0gone"))
    assert formula_named["name"] == "'" + samples.FORMULA
    hostile_account = next(row for row in rows if row["account"] == "444455556666")
    assert hostile_account["account_name"] == samples.ATTRIBUTE  # a quote is not a formula; csv quoting keeps it
    for row in rows:
        assert not any(cell.startswith(("=", "+", "@")) for cell in row.values())


def test_allocation_csv_per_owner_and_currency_with_unallocated(files: dict[str, str]) -> None:
    assert files["allocation.csv"].splitlines()[0] == ",".join(ALLOCATION_COLUMNS)
    rows = rows_of(files["allocation.csv"])
    assert [(r["currency"], r["owner"], r["total"]) for r in rows] == [
        ("USD", "cc-1000", "666666.67"),
        ("USD", "cc-2000", "320987.65"),
        ("USD", samples.HOSTILE_OWNER, "100.00"),
        ("USD", samples.ATTRIBUTE, "50.00"),
        ("USD", "(unallocated)", "146913.57"),
        ("EUR", "cc-3000", "4000.00"),
        ("EUR", "(unallocated)", "1000.00"),
    ]
    assert rows[0]["direct"] == "600000.00" and rows[0]["shared"] == "66666.67"


def test_negative_money_stays_a_number() -> None:
    owners = [{"value": "-x", "direct": -5.0, "shared": 0, "total": -5.0}]
    allocation = dict(samples.REPORT["allocation"], owners=owners)
    rows = rows_of(CsvRenderer().render(samples.report(allocation=allocation))["allocation.csv"])
    assert rows[0]["owner"] == "'-x" and rows[0]["direct"] == "-5.00"


def test_no_billing_gives_an_allocation_csv_with_its_header_only() -> None:
    files = CsvRenderer().render(samples.report(allocation=None))
    assert files["allocation.csv"] == ",".join(ALLOCATION_COLUMNS) + "\n"


def test_json_is_the_dict_as_it_is() -> None:
    report = samples.report()
    assert json.loads(JsonRenderer().render(report)["report.json"]) == report


def test_registry_names_every_renderer_once_and_refuses_unknown_names() -> None:
    assert set(RENDERERS) == {"html", "csv", "json"}
    assert get_renderer("csv").files == ("report.csv", "allocation.csv")
    with pytest.raises(RenderError, match="known formats: html, csv, json"):
        get_renderer("pdf")
    with pytest.raises(ValueError, match="two report formats"):
        build([JsonRenderer(), JsonRenderer()])


def test_resources_the_build_did_not_list_get_one_row_that_keeps_the_owners_sum() -> None:
    # the build lists an owner's costliest 1000 resources and counts the rest in "more_items"
    items = [{"id": f"r{n}", "name": "", "cost": 2.5, "status": "not_scanned", "failed_rules": []} for n in range(3)]
    owner = {"owner": "=cc-1", "cost": 1007.5, "resources": 5, "items": items, "more_items": 2}
    drilldown = [{"account": "111", "name": "prod", "cost": 1007.5, "resources": 5, "owners": [owner]}]
    rows = rows_of(CsvRenderer().render(samples.report(drilldown=drilldown))["report.csv"])
    assert len(rows) == 4
    assert rows[-1]["resource_id"] == "(2 more resources, not listed)" and rows[-1]["owner"] == "'=cc-1"
    assert rows[-1]["cost"] == "1000.00" and sum(float(row["cost"]) for row in rows) == 1007.5
