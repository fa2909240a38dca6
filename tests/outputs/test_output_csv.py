from __future__ import annotations

import csv
import io

import pytest

from tagwarden.engine.outputs.csv_format import COLUMNS, CsvFormat, neutralise
from tagwarden.engine.results import Report


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_header_and_one_row_per_non_pass_result(report: Report) -> None:
    text = CsvFormat().render(report, root="infra")
    assert text.splitlines()[0] == ",".join(COLUMNS)
    parsed = rows(text)
    assert len(parsed) == 10
    assert parsed[7] == {
        "file": "modules/network/main.tf", "line": "12", "address": "module.network.aws_vpc.invalid_cost_center",
        "type": "aws_vpc", "provider": "aws", "account": "", "region": "", "id": "", "rule": "cost-center",
        "severity": "high", "status": "fail", "reason": "not_allowed", "key": "CostCenter", "value": "cc-99",
        "expected": "one of $cost_centers", "message": "CostCenter 'cc-99' is not a known cost center",
        "depends_on": "",
    }  # fmt: skip


def test_show_all_adds_passes(report: Report) -> None:
    parsed = rows(CsvFormat().render(report, show_all=True))
    assert len(parsed) == len(report.results)
    assert sum(row["status"] == "pass" for row in parsed) == 3


def test_depends_on_is_joined(report: Report) -> None:
    unknown = next(row for row in rows(CsvFormat().render(report)) if row["reason"] == "known_after_apply")
    assert unknown["depends_on"] == "var.owner"


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=b", "a=b"),
        ("", ""),
        ("cc-1000", "cc-1000"),
    ],
)
def test_formula_cells_are_neutralised(cell: str, safe: str) -> None:
    assert neutralise(cell) == safe


def test_hostile_values(hostile: Report) -> None:
    text = CsvFormat().render(hostile)
    parsed = rows(text)
    assert len(parsed) == 2
    assert parsed[0]["key"] == "'" + (hostile.results[0].key or "")
    assert parsed[0]["value"] == hostile.results[0].value  # starts with "<", so left as it is
    assert parsed[1]["value"] == "'" + (hostile.results[1].value or "")
    assert parsed[1]["message"] == "'" + hostile.results[1].message
    assert parsed[0]["file"] == "weird `dir`/a#b?|c.tf"
    for row in parsed:
        assert not any(value.startswith(("=", "+", "-", "@", "\t", "\r")) for value in row.values())
