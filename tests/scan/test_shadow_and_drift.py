"""Shadow IT and drift: live resources against Terraform state, both state formats."""

from __future__ import annotations

import json

import pytest

from tagwarden.engine.evaluation.shadow import shadow_results
from tagwarden.engine.resources import Resource, TagSet
from tagwarden.iac_checks.terraform.state import StateError, read_states

STATE_V4 = {
    "version": 4,
    "resources": [
        {"mode": "managed", "type": "aws_s3_bucket", "name": "declared_bucket",
         "instances": [{"attributes": {"id": "declared-bucket", "arn": "arn:aws:s3:::declared-bucket",
                                       "tags_all": {"Owner": "a@example.org", "CostCenter": "cc-1"}}}]},
        {"mode": "managed", "type": "aws_instance", "name": "web", "module": "module.app",
         "instances": [{"attributes": {"id": "i-0declared", "tags": {"Owner": "b@example.org"}}}]},
        {"mode": "data", "type": "aws_caller_identity", "name": "me", "instances": [{"attributes": {"id": "1"}}]},
    ],
}
SHOW_JSON = {"values": {"root_module": {"child_modules": [{"resources": [
    {"address": "module.net.azurerm_resource_group.rg", "mode": "managed",
     "values": {"id": "/subscriptions/S1/resourceGroups/RG-Declared", "tags": {"Owner": "c@example.org"}}},
    {"address": "module.net.google_storage_bucket.b", "mode": "managed",
     "values": {"id": "declared-gcs", "self_link": "https://www.googleapis.com/storage/v1/b/declared-gcs",
                "effective_labels": {"owner": "d"}}},
]}]}}}


@pytest.fixture
def managed(write):
    return read_states([write("a.tfstate", json.dumps(STATE_V4)), write("b.json", json.dumps(SHOW_JSON))])


def live(provider: str, identifier: str, tags: dict, **context) -> Resource:
    return Resource(provider=provider, type="x", address=identifier, id=identifier, tags=TagSet(tags),
                    context=context)


def outcome(resource: Resource, managed) -> tuple[str, str, str | None]:
    (result,) = shadow_results(resource, managed)
    return result.rule, result.status.value, result.reason


def test_declared_with_the_same_tags_is_no_drift(managed) -> None:
    bucket = live("aws", "arn:aws:s3:::declared-bucket", {"Owner": "a@example.org", "CostCenter": "cc-1"})
    assert outcome(bucket, managed) == ("drift", "pass", None)


def test_tags_changed_in_the_console_are_drift(managed) -> None:
    instance = live("aws", "arn:aws:ec2:eu-west-1:1:instance/i-0declared", {"Owner": "x@example.org", "Extra": "1"})
    (result,) = shadow_results(instance, managed)
    assert (result.rule, result.reason, result.expected) == ("drift", "drift", "module.app.aws_instance.web")
    assert "Extra added in the cloud" in result.message
    assert "Owner changed from 'b@example.org' to 'x@example.org'" in result.message


def test_nobody_declared_it_is_shadow_it(managed) -> None:
    assert outcome(live("aws", "arn:aws:s3:::console-bucket", {}), managed) == ("unmanaged", "fail", "unmanaged")


def test_cloudformation_managed_is_not_shadow_it(managed) -> None:
    stack = live("aws", "arn:aws:s3:::stack-bucket", {}, managed_by="cloudformation")
    assert shadow_results(stack, managed) == []


def test_azure_ids_match_case_insensitively_and_gcp_by_name(managed) -> None:
    group = live("azure", "/subscriptions/s1/resourcegroups/rg-declared", {"Owner": "c@example.org"})
    assert outcome(group, managed) == ("drift", "pass", None)
    bucket = live("gcp", "//storage.googleapis.com/projects/_/buckets/declared-gcs", {"owner": "d"})
    assert outcome(bucket, managed) == ("drift", "pass", None)


def test_bad_state_files_are_clear_errors(write) -> None:
    with pytest.raises(StateError, match="line 1: not valid JSON"):
        read_states([write("bad.tfstate", "{")])
    with pytest.raises(StateError, match="neither a Terraform state"):
        read_states([write("other.json", '{"a": 1}')])
