from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from typing import Any

import pytest

from tagwarden.engine.outputs.junit import JunitFormat, xml_text
from tagwarden.engine.results import Report, UnknownMode


def parse(report: Report) -> ET.Element:
    return ET.fromstring(JunitFormat().render(report, root="infra"))


@pytest.mark.parametrize("mode", list(UnknownMode))
def test_valid_against_the_junit_xsd(report: Report, mode: UnknownMode, junit_schema: Any) -> None:
    junit_schema.validate(JunitFormat().render(replace(report, unknown_mode=mode), root="infra"))


def test_hostile_and_empty_reports_are_valid(hostile: Report, empty: Report, junit_schema: Any) -> None:
    junit_schema.validate(JunitFormat().render(hostile))
    junit_schema.validate(JunitFormat().render(empty))


def test_the_xsd_catches_a_broken_report(junit_schema: Any) -> None:
    assert not junit_schema.is_valid('<testsuite name="x"><testcase/></testsuite>')


def test_one_suite_and_one_case_per_resource_and_rule(report: Report) -> None:
    root = parse(report)
    (suite,) = root.findall("testsuite")
    assert suite.attrib == {"name": "tagwarden", "tests": "13", "failures": "7", "errors": "0", "skipped": "3"}
    assert {k: root.attrib[k] for k in ("tests", "failures", "errors")} == {
        "tests": "13",
        "failures": "7",
        "errors": "0",
    }
    cases = suite.findall("testcase")
    assert len(cases) == len(report.results)
    assert [(c.get("classname"), c.get("name")) for c in cases[:3]] == [
        ("aws", "arn:aws:s3:::live-missing-owner owner"),
        ("infra/broken.tf", "broken.tf parse-error"),
        ("infra/main.tf", "aws_s3_bucket.fully_tagged cost-center"),
    ]


def outcomes(root: ET.Element) -> dict[str, str]:
    return {str(case.get("name")): next((child.tag for child in case), "pass") for case in root.iter("testcase")}


def test_failures_skips_and_passes(report: Report) -> None:
    result = outcomes(parse(report))
    assert result["aws_s3_bucket.fully_tagged cost-center"] == "pass"
    assert result["aws_s3_bucket.missing_cost_center cost-center"] == "failure"
    assert result["aws_instance.owner_known_after_apply owner"] == "skipped"
    assert result["aws_s3_bucket.exempt_legacy_logs cost-center"] == "skipped"
    assert result["custom_widget.unclassified_type taggability"] == "skipped"


def test_unknowns_fail_under_unknown_fail_but_unclassified_stays_skipped(report: Report) -> None:
    result = outcomes(parse(replace(report, unknown_mode=UnknownMode.FAIL)))
    assert result["aws_instance.owner_known_after_apply owner"] == "failure"
    assert result["custom_widget.unclassified_type taggability"] == "skipped"


def test_failure_carries_severity_message_and_details(report: Report) -> None:
    case = next(c for c in parse(report).iter("testcase") if c.get("name", "").startswith("module.network.aws_vpc"))
    failure = case.find("failure")
    assert failure is not None
    assert failure.attrib == {"type": "high", "message": "CostCenter 'cc-99' is not a known cost center"}
    assert failure.text == (
        "rule: cost-center\nseverity: high\nstatus: fail\nreason: not_allowed\nkey: CostCenter\nvalue: cc-99\n"
        "expected: one of $cost_centers\nresource: aws_vpc module.network.aws_vpc.invalid_cost_center\n"
        "location: infra/modules/network/main.tf:12"
    )


def test_hostile_values_stay_text(hostile: Report) -> None:
    root = parse(hostile)
    assert list(root.iter("script")) == []
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    expected_value = xml_text(hostile.results[0].value or "")
    assert f"value: {expected_value}\n" in (failure.text or "")
    assert failure.get("message") == xml_text(hostile.results[0].message)
    assert next(root.iter("testcase")).get("classname") == "infra/weird `dir`/a#b?|c.tf"


def test_characters_xml_cannot_carry_are_spelled_out() -> None:
    assert xml_text("a\x1bb\x00c\td\ne\r\uffff") == "a\\x1bb\\x00c\td\ne\\x0d\\xffff"
