"""AzureTagWriter with the real azure-mgmt-resource client against the writable fake ARM server."""

from __future__ import annotations

import pytest
from planted_clouds import APP_GROUP_TAGS, AZURE_TOKEN, DEV, PROD, arm_id
from servers import WritableArmFake

from tagwarden.engine.collectors.azure import AzureCollector
from tagwarden.engine.collectors.interface import CollectorOptions, CollectStats
from tagwarden.remediations.clouds.interface import TagWriter, WriterError, WriterOptions, WriterStats
from tagwarden.remediations.clouds.registry import writer_for
from tagwarden.remediations.targets import TagEdit, TagWrite, Target

VM = arm_id(PROD, "rg-app", "Microsoft.Compute/virtualMachines", "vm_never_tagged")
STORAGE = arm_id(PROD, "rg-app", "Microsoft.Storage/storageAccounts", "storage_missing_owner")
SITE = arm_id(DEV, "rg-dev", "Microsoft.Web/sites", "site_owner_only")
GROUP = f"/subscriptions/{PROD}/resourceGroups/rg-app"
GONE = arm_id(PROD, "rg-app", "Microsoft.Compute/virtualMachines", "vm_deleted_meanwhile")


def target(resource_id: str, resource_type: str = "Microsoft.Compute/virtualMachines") -> Target:
    return Target("azure", resource_id, resource_type, account=resource_id.split("/")[2])


def writer(arm: WritableArmFake, token: str = AZURE_TOKEN) -> tuple[TagWriter, WriterStats]:
    stats = WriterStats()
    options = WriterOptions(endpoint=arm.base_url, environ={"TAGWARDEN_AZURE_TOKEN": token})
    return writer_for("azure", options, stats), stats


def test_write_then_read_back_with_tags_update_at_scope(arm: WritableArmFake) -> None:
    tag_writer, stats = writer(arm)
    edits = (TagEdit("CostCenter", None, "cc-1000"), TagEdit("Owner", None, "alice@example.org"))
    outcomes = tag_writer.write([TagWrite(target(VM), edits)])
    assert [(outcome.ok, outcome.error) for outcome in outcomes] == [(True, None)]
    assert tag_writer.current_tags([target(VM)]) == {VM: {"CostCenter": "cc-1000", "Owner": "alice@example.org"}}

    patches = [body for body in arm.bodies if body.method == "PATCH"]
    assert [body.path for body in patches] == [f"{VM}/providers/Microsoft.Resources/tags/default"]
    assert patches[0].json == {
        "operation": "Merge",
        "properties": {"tags": {"CostCenter": "cc-1000", "Owner": "alice@example.org"}},
    }
    assert set(arm.api_versions) == {"2021-04-01"}
    assert stats.api_calls == {"resources.Tags_UpdateAtScope": 1, "resources.Tags_GetAtScope": 1}


def test_merge_leaves_tags_the_edit_does_not_name_and_delete_removes_only_named_keys(arm: WritableArmFake) -> None:
    tag_writer, _ = writer(arm)
    storage = target(STORAGE, "Microsoft.Storage/storageAccounts")
    tag_writer.write([TagWrite(storage, (TagEdit("Owner", None, "data@example.org"),))])
    assert tag_writer.current_tags([storage])[STORAGE] == {"CostCenter": "cc-1000", "Owner": "data@example.org"}

    outcomes = tag_writer.write([TagWrite(storage, (TagEdit("Owner", "data@example.org", None),))])
    assert outcomes[0].ok
    assert tag_writer.current_tags([storage])[STORAGE] == {"CostCenter": "cc-1000"}
    assert arm.bodies[-1].json == {"operation": "Delete", "properties": {"tags": {"Owner": "data@example.org"}}}


def test_case_only_rename_keeps_the_value(arm: WritableArmFake) -> None:
    """ARM compares names case-insensitively: the delete must go before the merge, or the new key is lost."""
    tag_writer, _ = writer(arm)
    site = target(SITE, "Microsoft.Web/sites")
    rename = (TagEdit("Owner", "x", None), TagEdit("owner", None, "x"))
    assert tag_writer.write([TagWrite(site, rename)])[0].ok
    assert tag_writer.current_tags([site]) == {SITE: {"owner": "x"}}


def test_resource_group_and_subscription_targets(arm: WritableArmFake) -> None:
    tag_writer, _ = writer(arm)
    group = target(GROUP, "Microsoft.Resources/resourceGroups")
    subscription = target(f"/subscriptions/{PROD}", "Microsoft.Resources/subscriptions")
    writes = [
        TagWrite(group, (TagEdit("Environment", None, "prod"),)),
        TagWrite(subscription, (TagEdit("Owner", None, "cloud@example.org"),)),
    ]
    assert all(outcome.ok for outcome in tag_writer.write(writes))
    assert tag_writer.current_tags([group, subscription]) == {
        GROUP: {**APP_GROUP_TAGS, "Environment": "prod"},
        f"/subscriptions/{PROD}": {"CostCenter": "cc-1000", "Owner": "cloud@example.org"},
    }


def test_retries_429_honouring_retry_after(arm: WritableArmFake) -> None:
    arm.throttle_tags[VM.lower()] = 1
    arm.tags_retry_after = "1"
    tag_writer, stats = writer(arm)
    outcomes = tag_writer.write([TagWrite(target(VM), (TagEdit("Owner", None, "a@example.org"),))])
    assert outcomes[0].ok
    assert (stats.throttles, stats.retries) == (1, 1)
    assert stats.api_calls["resources.Tags_UpdateAtScope"] == 1  # one logical call, two attempts
    throttled, retried = [request for request in arm.requests if request.method == "PATCH"]
    assert throttled.status == 429 and retried.status == 200
    assert retried.at - throttled.at >= 0.9  # waited the Retry-After second


def test_per_resource_errors_are_outcomes_and_the_rest_is_written(arm: WritableArmFake) -> None:
    arm.forbidden_tags.add(STORAGE.lower())
    tag_writer, _ = writer(arm)
    edit = (TagEdit("Owner", None, "a@example.org"),)
    writes = [
        TagWrite(target(GONE), edit),
        TagWrite(target(STORAGE, "Microsoft.Storage/storageAccounts"), edit),
        TagWrite(target(VM), edit),
    ]
    gone, forbidden, written = tag_writer.write(writes)
    assert not gone.ok and gone.error is not None and gone.error.startswith("404 ResourceNotFound")
    assert not forbidden.ok and forbidden.error is not None
    assert "403 AuthorizationFailed (missing permission Microsoft.Resources/tags/write)" in forbidden.error
    assert written.ok and written.target.resource_id == VM
    assert tag_writer.current_tags([target(GONE), target(VM)]) == {VM: {"Owner": "a@example.org"}}


def test_a_wrong_token_is_a_writer_error(arm: WritableArmFake) -> None:
    tag_writer, _ = writer(arm, token="wrong")
    with pytest.raises(WriterError, match="token"):
        tag_writer.write([TagWrite(target(VM), (TagEdit("Owner", None, "a"),))])


def test_plain_http_is_refused_off_loopback() -> None:
    with pytest.raises(WriterError, match="plain http"):
        writer_for("azure", WriterOptions(endpoint="http://arm.example.org"), WriterStats())


def test_scan_write_rescan_round_trip_with_the_real_collector(arm: WritableArmFake) -> None:
    def scan() -> dict[str, dict[str, str]]:
        options = CollectorOptions(endpoint=arm.base_url, environ={"TAGWARDEN_AZURE_TOKEN": AZURE_TOKEN})
        return {
            resource.id or "": dict(resource.tags.known)
            for resource in AzureCollector().collect(options, CollectStats())
        }

    before = scan()
    assert before[VM] == {}
    tag_writer, _ = writer(arm)
    writes = [
        TagWrite(target(VM), (TagEdit("CostCenter", None, "cc-1000"),)),
        TagWrite(
            target(GROUP, "Microsoft.Resources/resourceGroups"),
            (TagEdit("Owner", "app@example.org", "ops@example.org"),),
        ),
    ]
    assert all(outcome.ok for outcome in tag_writer.write(writes))
    after = scan()
    assert after[VM] == {"CostCenter": "cc-1000"}
    assert after[GROUP] == {"CostCenter": "cc-1000", "Owner": "ops@example.org"}
    assert {key: value for key, value in after.items() if key not in (VM, GROUP)} == {
        key: value for key, value in before.items() if key not in (VM, GROUP)
    }


def test_a_failed_merge_after_a_removal_says_the_removal_was_made(arm: WritableArmFake) -> None:
    arm.forbidden_operations.add((SITE.lower(), "merge"))
    tag_writer, _ = writer(arm)
    site = target(SITE, "Microsoft.Web/sites")
    (outcome,) = tag_writer.write([TagWrite(site, (TagEdit("Owner", "x", None), TagEdit("owner", None, "x")))])
    assert not outcome.ok and outcome.error is not None
    assert outcome.error.endswith("(the removal of Owner was already made)")
    assert tag_writer.current_tags([site]) == {SITE: {}}  # what the journal's undo must restore


def test_credentials_failing_mid_run_fail_the_remaining_resources_not_the_run(arm: WritableArmFake) -> None:
    tag_writer, _ = writer(arm)
    edit = (TagEdit("Owner", None, "a@example.org"),)
    assert tag_writer.write([TagWrite(target(VM), edit)])[0].ok
    arm.token = "rotated"
    outcomes = tag_writer.write([TagWrite(target(SITE, "Microsoft.Web/sites"), edit), TagWrite(target(GROUP), edit)])
    assert [outcome.ok for outcome in outcomes] == [False, False]
    assert all("token" in (outcome.error or "") for outcome in outcomes)


def test_an_update_answered_202_is_polled_to_its_end(arm: WritableArmFake) -> None:
    arm.accepted_async.add(VM.lower())
    tag_writer, _ = writer(arm)
    assert tag_writer.write([TagWrite(target(VM), (TagEdit("Owner", None, "a@example.org"),))])[0].ok
    polls = [request.path for request in arm.requests if request.path.startswith("/tagwarden-operations/")]
    assert polls == ["/tagwarden-operations/op1", "/tagwarden-operations/op1!"]
    assert tag_writer.current_tags([target(VM)]) == {VM: {"Owner": "a@example.org"}}
