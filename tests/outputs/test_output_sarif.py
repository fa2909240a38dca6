from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from tagwarden.engine import __version__
from tagwarden.engine.outputs.sarif import FINGERPRINT_KEY, SarifFormat, fingerprint
from tagwarden.engine.results import Report, Status, UnknownMode


def render(report: Report, root: str | None = "infra") -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SarifFormat().render(report, root=root))
    return document


def run_of(report: Report, root: str | None = "infra") -> dict[str, Any]:
    run: dict[str, Any] = render(report, root)["runs"][0]
    return run


@pytest.mark.parametrize("mode", list(UnknownMode))
def test_valid_against_the_sarif_schema(report: Report, mode: UnknownMode, sarif_validator: Any) -> None:
    sarif_validator.validate(render(replace(report, unknown_mode=mode)))


def test_hostile_and_empty_reports_are_valid(hostile: Report, empty: Report, sarif_validator: Any) -> None:
    sarif_validator.validate(render(hostile))
    sarif_validator.validate(render(empty))


def test_the_schema_catches_a_broken_log(report: Report, sarif_validator: Any) -> None:
    broken = render(report)
    broken["runs"][0]["results"][0]["level"] = "fatal"
    assert not sarif_validator.is_valid(broken)


def test_one_result_per_failure(report: Report) -> None:
    results = run_of(report)["results"]
    assert [(r["ruleId"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]) for r in results] == [
        ("owner", "arn:aws:s3:::live-missing-owner"),
        ("parse-error", "broken.tf"),
        ("cost-center", "aws_s3_bucket.missing_cost_center"),
        ("owner", 'aws_sqs_queue.for_each_missing_owner["orders"]'),
        ("cost-center", "module.network.aws_vpc.invalid_cost_center"),
        ("team", "module.network.aws_subnet.low_missing_team"),
        ("description", "module.network.aws_route.info_missing_description"),
    ]


def test_unknowns_are_results_only_when_they_count_as_failures(report: Report) -> None:
    warned = run_of(report)["results"]
    failed = run_of(replace(report, unknown_mode=UnknownMode.FAIL))["results"]
    assert all(r["properties"]["status"] == "fail" for r in warned)
    added = [r for r in failed if r["properties"]["status"] == "unknown"]
    # the unclassified type stays out: --unknown fail does not fail unclassified types
    assert [r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] for r in added] == [
        "aws_instance.owner_known_after_apply"
    ]


def test_levels_follow_severity(report: Report) -> None:
    levels = {r["properties"]["severity"]: r["level"] for r in run_of(report)["results"]}
    assert levels == {"high": "error", "medium": "error", "low": "warning", "info": "note"}


def test_tool_and_rule_metadata(report: Report) -> None:
    driver = run_of(report)["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("tagwarden", __version__)
    assert driver["informationUri"].startswith("https://")
    assert [rule["id"] for rule in driver["rules"]] == [
        "cost-center", "description", "owner", "parse-error", "taggability", "team",
    ]  # fmt: skip
    assert driver["rules"][0] == {
        "id": "cost-center",
        "name": "cost-center",
        "shortDescription": {"text": "CostCenter is present and a known cost center"},
        "fullDescription": {"text": "Bills go to it."},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["tagging", "governance", "high"], "severity": "high"},
    }
    # parse-error is not a policy rule: it is described from the finding
    assert driver["rules"][3]["shortDescription"] == {"text": "parse-error"}


def test_rule_index_points_at_the_rule(report: Report) -> None:
    run = run_of(report)
    for result in run["results"]:
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_locations_are_repository_relative(report: Report) -> None:
    results = run_of(report, root="infra/")["results"]
    physical = results[4]["locations"][0]["physicalLocation"]
    assert physical == {"artifactLocation": {"uri": "infra/modules/network/main.tf"}, "region": {"startLine": 12}}
    assert run_of(report, root=None)["results"][4]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "modules/network/main.tf"
    }


def test_live_resources_have_only_a_logical_location(report: Report) -> None:
    assert run_of(report)["results"][0]["locations"] == [
        {"logicalLocations": [{"fullyQualifiedName": "arn:aws:s3:::live-missing-owner", "kind": "resource"}]}
    ]


def test_file_names_are_percent_encoded(hostile: Report) -> None:
    location = run_of(hostile)["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "infra/weird%20%60dir%60/a%23b%3F%7Cc.tf"


def test_hostile_values_are_carried_as_data(hostile: Report) -> None:
    result = run_of(hostile)["results"][0]
    assert result["properties"]["value"] == hostile.results[0].value
    assert result["properties"]["key"] == hostile.results[0].key
    assert result["message"]["text"] == f"aws_s3_bucket.hostile_tag_values: {hostile.results[0].message}"


def test_run_properties_carry_policy_and_summary(report: Report) -> None:
    properties = run_of(report)["properties"]
    assert properties["policy"] == {"name": "acme-baseline", "digest": "sha256:0123456789abcdef"}
    assert properties["summary"]["failed"] == 7


class TestFingerprints:
    def base(self, report: Report) -> Any:
        return next(r for r in report.results if r.resource.address == "module.network.aws_vpc.invalid_cost_center")

    def test_every_result_has_one(self, report: Report) -> None:
        prints = [r["partialFingerprints"][FINGERPRINT_KEY] for r in run_of(report)["results"]]
        assert len(set(prints)) == len(prints)

    def test_stable_when_the_resource_moves_within_its_folder(self, report: Report) -> None:
        result = self.base(report)
        moved = replace(result, resource=replace(result.resource, file="modules/network/vpc.tf", line=80))
        reworded = replace(result, message="reworded", value="cc-98")
        assert fingerprint(moved, "infra") == fingerprint(result, "infra") == fingerprint(reworded, "infra")

    def test_the_same_address_in_another_root_module_differs(self, report: Report) -> None:
        result = self.base(report)
        elsewhere = replace(result, resource=replace(result.resource, file="../prod/modules/network/main.tf"))
        assert fingerprint(elsewhere, "infra") != fingerprint(result, "infra")

    def test_rule_address_instance_and_key_each_count(self, report: Report) -> None:
        result = self.base(report)
        variants = [
            replace(result, rule="owner"),
            replace(result, key="Owner"),
            replace(result, resource=replace(result.resource, address="aws_vpc.other")),
            replace(result, resource=replace(result.resource, instance="0")),
        ]
        prints = {fingerprint(v, "infra") for v in [result, *variants]}
        assert len(prints) == 5

    def test_same_whether_checked_from_the_repository_root_or_the_folder(self, report: Report) -> None:
        result = self.base(report)
        from_root = replace(result, resource=replace(result.resource, file="infra/modules/network/main.tf"))
        assert fingerprint(from_root, None) == fingerprint(result, "infra")


def test_exempt_and_passing_results_are_not_reported(report: Report) -> None:
    statuses = {r["properties"]["status"] for r in run_of(report)["results"]}
    assert statuses == {Status.FAIL.value}
