"""Reports built by hand for the output tests. Resource names say the outcome they carry.

``regenerate_golden.py`` imports this file too, so the golden cases are listed here once.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tagwarden.engine.resources import Resource, Taggability, TagSet
from tagwarden.engine.results import PolicyRef, Report, Result, RuleInfo, Status, Summary, UnknownMode

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
GOLDEN = FIXTURES / "outputs"
SCHEMAS = FIXTURES / "schemas"

# The checked folder, relative to the repository root, in every golden case.
ROOT = "infra"

HOSTILE = (
    '<script>alert(1)</script> | =HYPERLINK("http://evil.example","x")\n'
    "::error::injected %0A `tick` @octocat [link](http://evil.example) \x1b[31mred\r\x07"
)
HOSTILE_KEY = "=cmd|' /C calc'!A0"
HOSTILE_FORMULA = '=HYPERLINK("http://evil.example","click")'

RULES = (
    RuleInfo("cost-center", "CostCenter is present and a known cost center", "high", "Bills go to it."),
    RuleInfo("owner", "Owner is present", "medium"),
    RuleInfo("team", "Team is present", "low"),
    RuleInfo("description", "Description is present", "info"),
    RuleInfo("taggability", "Every type is classified", "low"),
)


def tf(address: str, line: int, file: str = "main.tf", **fields: Any) -> Resource:
    kind = address.rsplit(".", 2)[-2]
    return Resource(provider="aws", type=kind, address=address, tags=TagSet(), file=file, line=line, **fields)


FULLY_TAGGED = tf("aws_s3_bucket.fully_tagged", 1)
MISSING_COST_CENTER = tf("aws_s3_bucket.missing_cost_center", 10)
OWNER_KNOWN_AFTER_APPLY = tf("aws_instance.owner_known_after_apply", 20)
EXEMPT_LEGACY_LOGS = tf("aws_s3_bucket.exempt_legacy_logs", 30)
UNCLASSIFIED_WIDGET = tf("custom_widget.unclassified_type", 40, taggability=Taggability.UNCLASSIFIED)
INVALID_COST_CENTER = tf("module.network.aws_vpc.invalid_cost_center", 12, "modules/network/main.tf")
LOW_MISSING_TEAM = tf("module.network.aws_subnet.low_missing_team", 25, "modules/network/main.tf")
INFO_MISSING_DESCRIPTION = tf("module.network.aws_route.info_missing_description", 40, "modules/network/main.tf")
FOR_EACH_MISSING_OWNER = tf("aws_sqs_queue.for_each_missing_owner", 50, instance='"orders"')
BROKEN_FILE = Resource(provider="terraform", type="file", address="broken.tf", tags=TagSet(), file="broken.tf", line=3)
LIVE_MISSING_OWNER = Resource(
    provider="aws",
    type="s3:bucket",
    address="arn:aws:s3:::live-missing-owner",
    tags=TagSet(),
    id="arn:aws:s3:::live-missing-owner",
    account="111122223333",
    region="eu-west-1",
)

SAMPLE_RESULTS = (
    Result("cost-center", "high", Status.PASS, FULLY_TAGGED, key="CostCenter", value="cc-1000"),
    Result("owner", "medium", Status.PASS, FULLY_TAGGED, key="Owner", value="web@example.org"),
    Result(
        "cost-center", "high", Status.FAIL, MISSING_COST_CENTER,
        reason="missing", key="CostCenter", expected="one of $cost_centers",
        message="CostCenter is missing",
    ),
    Result("owner", "medium", Status.PASS, MISSING_COST_CENTER, key="Owner", value="web@example.org"),
    Result(
        "owner", "medium", Status.UNKNOWN, OWNER_KNOWN_AFTER_APPLY,
        reason="known_after_apply", key="Owner", depends_on=("var.owner",),
        message="Owner is (known after apply: var.owner)",
    ),
    Result(
        "cost-center", "high", Status.EXEMPT, EXEMPT_LEGACY_LOGS,
        key="CostCenter", note="tagwarden:ignore cost-center legacy bucket, removed in Q3",
        message="CostCenter is missing",
    ),
    Result(
        "taggability", "low", Status.UNKNOWN, UNCLASSIFIED_WIDGET,
        reason="unclassified", message="custom_widget is not in the taggability registry",
    ),
    Result(
        "cost-center", "high", Status.FAIL, INVALID_COST_CENTER,
        reason="not_allowed", key="CostCenter", value="cc-99", expected="one of $cost_centers",
        message="CostCenter 'cc-99' is not a known cost center",
    ),
    Result("team", "low", Status.FAIL, LOW_MISSING_TEAM, reason="missing", key="Team", message="Team is missing"),
    Result("description", "info", Status.FAIL, INFO_MISSING_DESCRIPTION, reason="missing", key="Description"),
    Result(
        "owner", "medium", Status.FAIL, FOR_EACH_MISSING_OWNER,
        reason="missing", key="Owner", message="Owner is missing",
    ),
    Result("parse-error", "high", Status.FAIL, BROKEN_FILE, message="unexpected '}' at line 3"),
    Result(
        "owner", "medium", Status.FAIL, LIVE_MISSING_OWNER,
        reason="missing", key="Owner", message="Owner is missing",
    ),
)  # fmt: skip

SAMPLE_SUMMARY = Summary(
    resources=11, evaluated=10, compliant=1, failed=7, unknown=1, exempt=1, unclassified=1, score=10.0
)


def sample_report(unknown_mode: UnknownMode = UnknownMode.WARN) -> Report:
    return Report(
        policy=PolicyRef("acme-baseline", "sha256:0123456789abcdef"),
        summary=SAMPLE_SUMMARY,
        results=SAMPLE_RESULTS,
        rules=RULES,
        notes=("module.remote (registry source) not followed",),
        unknown_mode=unknown_mode,
    )


def hostile_report() -> Report:
    """Tag values, keys and file names as a stranger's pull request could write them."""
    resource = tf("aws_s3_bucket.hostile_tag_values", 7, file="weird `dir`/a#b?|c.tf")
    results = (
        Result(
            "cost-center", "high", Status.FAIL, resource,
            reason="not_allowed", key=HOSTILE_KEY, value=HOSTILE, expected="one of $cost_centers",
            message=f"CostCenter '{HOSTILE}' is not a known cost center",
        ),
        Result(
            "owner", "medium", Status.UNKNOWN, resource,
            key="Owner", value=HOSTILE_FORMULA, message=f"{HOSTILE_FORMULA} is known after apply",
        ),
    )  # fmt: skip
    summary = replace(SAMPLE_SUMMARY, resources=1, evaluated=1, compliant=0, failed=1, unknown=1, exempt=0, score=0.0)
    return Report(
        policy=PolicyRef("acme-baseline", "sha256:0123456789abcdef"),
        summary=summary,
        results=results,
        rules=RULES,
    )


def empty_report() -> Report:
    summary = Summary(resources=0, evaluated=0, compliant=0, failed=0, unknown=0, exempt=0, unclassified=0, score=100.0)
    return Report(policy=PolicyRef("acme-baseline", "sha256:0123456789abcdef"), summary=summary, results=())


# (golden file, format, format options, show_all)
GOLDEN_CASES: tuple[tuple[str, str, dict[str, Any], bool], ...] = (
    ("sample.txt", "text", {}, False),
    ("sample-all.txt", "text", {}, True),
    ("sample-color.txt", "text", {"color": True}, False),
    ("sample.json", "json", {}, False),
    ("sample-all.json", "json", {}, True),
    ("sample.sarif", "sarif", {}, False),
    ("sample.junit.xml", "junit", {}, False),
    ("sample.md", "markdown", {}, False),
    ("sample-capped.md", "markdown", {"max_rows": 3}, False),
    ("sample.github.txt", "github", {}, False),
    ("sample.csv", "csv", {}, False),
    ("sample-all.csv", "csv", {}, True),
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "golden_case" in metafunc.fixturenames:
        metafunc.parametrize("golden_case", GOLDEN_CASES, ids=[case[0] for case in GOLDEN_CASES])


@pytest.fixture
def report() -> Report:
    return sample_report()


@pytest.fixture
def hostile() -> Report:
    return hostile_report()


@pytest.fixture
def empty() -> Report:
    return empty_report()


@pytest.fixture
def root() -> str:
    return ROOT


@pytest.fixture
def golden_dir() -> Path:
    return GOLDEN


@pytest.fixture
def golden_cases() -> tuple[tuple[str, str, dict[str, Any], bool], ...]:
    return GOLDEN_CASES
