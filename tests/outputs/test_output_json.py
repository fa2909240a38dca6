from __future__ import annotations

import json
from dataclasses import replace

from tagwarden.engine.outputs.json_format import JsonFormat
from tagwarden.engine.resources import Resource, TagSet
from tagwarden.engine.results import PolicyRef, Report, Result, Status, Summary


def test_the_spec_example_renders_exactly() -> None:
    resource = Resource(
        provider="aws", type="aws_vpc", address="module.network.aws_vpc.this", tags=TagSet(),
        file="modules/network/main.tf", line=12,
    )  # fmt: skip
    result = Result(
        "cost-center", "high", Status.FAIL, resource, reason="not_allowed", key="CostCenter",
        value="cc-99", expected="one of $cost_centers", message="CostCenter 'cc-99' is not a known cost center",
    )  # fmt: skip
    summary = Summary(120, 118, 104, 12, 2, 1, 2, 88.1)
    report = Report(PolicyRef("acme-baseline", "sha256:abc"), summary, [result])
    assert json.loads(JsonFormat().render(report, root="ignored")) == {
        "tagwarden": "1",
        "policy": {"name": "acme-baseline", "digest": "sha256:abc"},
        "summary": {"resources": 120, "evaluated": 118, "compliant": 104, "failed": 12,
                    "unknown": 2, "exempt": 1, "unclassified": 2, "score": 88.1},
        "results": [
            {
                "rule": "cost-center", "severity": "high", "status": "fail", "reason": "not_allowed",
                "key": "CostCenter", "value": "cc-99", "expected": "one of $cost_centers",
                "message": "CostCenter 'cc-99' is not a known cost center",
                "depends_on": [],
                "resource": {
                    "address": "module.network.aws_vpc.this", "type": "aws_vpc", "provider": "aws",
                    "file": "modules/network/main.tf", "line": 12,
                    "id": None, "account": None, "region": None,
                    "instance": None,  # an extension of the contract: additions are allowed
                },
            }
        ],
    }  # fmt: skip


def test_keys_come_in_the_order_of_the_contract(report: Report) -> None:
    document = json.loads(JsonFormat().render(report))
    assert list(document) == ["tagwarden", "policy", "summary", "results"]
    assert list(document["results"][0]) == [
        "rule", "severity", "status", "reason", "key", "value", "expected", "message", "depends_on", "resource",
    ]  # fmt: skip
    assert list(document["results"][0]["resource"]) == [
        "address", "type", "provider", "file", "line", "id", "account", "region", "instance",
    ]  # fmt: skip


def test_every_non_pass_result_sorted_by_file_line_rule(report: Report) -> None:
    results = json.loads(JsonFormat().render(report))["results"]
    assert [(r["resource"]["file"], r["resource"]["line"], r["rule"], r["status"]) for r in results] == [
        (None, None, "owner", "fail"),
        ("broken.tf", 3, "parse-error", "fail"),
        ("main.tf", 10, "cost-center", "fail"),
        ("main.tf", 20, "owner", "unknown"),
        ("main.tf", 30, "cost-center", "exempt"),
        ("main.tf", 40, "taggability", "unknown"),
        ("main.tf", 50, "owner", "fail"),
        ("modules/network/main.tf", 12, "cost-center", "fail"),
        ("modules/network/main.tf", 25, "team", "fail"),
        ("modules/network/main.tf", 40, "description", "fail"),
    ]


def test_show_all_adds_the_passes(report: Report) -> None:
    results = json.loads(JsonFormat().render(report, show_all=True))["results"]
    passes = [(r["resource"]["address"], r["rule"]) for r in results if r["status"] == "pass"]
    assert passes == [
        ("aws_s3_bucket.fully_tagged", "cost-center"),
        ("aws_s3_bucket.fully_tagged", "owner"),
        ("aws_s3_bucket.missing_cost_center", "owner"),
    ]


def test_unknown_carries_what_it_depends_on(report: Report) -> None:
    results = json.loads(JsonFormat().render(report))["results"]
    unknown = next(r for r in results if r["reason"] == "known_after_apply")
    assert unknown["depends_on"] == ["var.owner"]


def test_hostile_values_round_trip_exactly(hostile: Report) -> None:
    results = json.loads(JsonFormat().render(hostile))["results"]
    assert [(r["key"], r["value"], r["message"]) for r in results] == [
        (r.key, r.value, r.message) for r in hostile.results
    ]
    assert results[0]["resource"]["file"] == "weird `dir`/a#b?|c.tf"


def test_a_missing_message_is_filled_from_the_fields(report: Report) -> None:
    quiet = replace(report, results=[replace(report.results[2], message="")])
    assert json.loads(JsonFormat().render(quiet))["results"][0]["message"] == "CostCenter: missing"
