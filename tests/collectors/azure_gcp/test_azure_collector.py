"""AzureCollector with the real azure-mgmt-resource clients against a fake ARM server."""

from __future__ import annotations

import functools
from typing import Any

import azure.identity
import pytest
from azure.core.exceptions import ClientAuthenticationError
from fake_cloud_servers import ArmFake
from planted_clouds import APP_GROUP_TAGS, AZURE_TOKEN, DEV, DISABLED, FORBIDDEN, PROD, arm_id

from tagwarden.engine.collectors import azure as azure_collector
from tagwarden.engine.collectors.azure import AzureCollector, StaticTokenCredential, make_credential
from tagwarden.engine.collectors.interface import CollectorError, CollectorOptions, CollectStats
from tagwarden.engine.resources import Resource, Taggability


def scan(arm: ArmFake, token: str = AZURE_TOKEN, **options: Any) -> tuple[dict[str, Resource], CollectStats]:
    stats = CollectStats()
    collector_options = CollectorOptions(endpoint=arm.base_url, environ={"TAGWARDEN_AZURE_TOKEN": token}, **options)
    found = list(AzureCollector().collect(collector_options, stats))
    by_name = {resource.name or "": resource for resource in found}
    assert len(by_name) == len(found), "names are unique in the planted estate"
    return by_name, stats


def test_finds_every_planted_resource_with_type_id_account_region_and_tags(arm: ArmFake) -> None:
    found, _ = scan(arm)

    vm = found["vm_never_tagged"]
    assert vm.provider == "azure"
    assert vm.type == "Microsoft.Compute/virtualMachines"
    assert vm.id == vm.address == arm_id(PROD, "rg-app", "Microsoft.Compute/virtualMachines", "vm_never_tagged")
    assert (vm.account, vm.region) == (PROD, "westeurope")
    assert dict(vm.tags.known) == {}
    assert vm.taggability is Taggability.TAGGABLE

    storage = found["storage_missing_owner"]
    assert storage.type == "Microsoft.Storage/storageAccounts"
    assert dict(storage.tags.known) == {"CostCenter": "cc-1000"}
    assert storage.context["created_at"] == "2026-01-05T10:00:00Z"

    vnet = found["vnet_tags_ok"]  # on the second page, after a 429
    assert dict(vnet.tags.known) == {"CostCenter": "cc-2000", "Owner": "net@example.org"}
    assert (vnet.account, vnet.region) == (PROD, "northeurope")

    disk = found["disk_lowercase_type_managed_by_vm"]
    assert disk.type == "Microsoft.Compute/disks"  # the registry's spelling of an ARM type
    assert disk.context["managed_by"] == vm.id

    site = found["site_owner_only"]  # the subscription after the forbidden one is scanned
    assert (site.type, site.account) == ("Microsoft.Web/sites", DEV)


def test_resource_group_tags_are_context_not_inherited(arm: ArmFake) -> None:
    found, _ = scan(arm)
    vm, vnet = found["vm_never_tagged"], found["vnet_tags_ok"]
    assert vm.context["resource_group"] == "rg-app"
    assert vm.context["resource_group_tags"] == APP_GROUP_TAGS
    assert vm.context["parent"] == f"/subscriptions/{PROD}/resourceGroups/rg-app"
    assert dict(vm.tags.known) == {}
    assert vnet.context["resource_group_tags"] == {}
    assert vm.context["subscription_tags"] == {"CostCenter": "cc-1000"}


def test_resource_groups_and_subscriptions_are_resources_too(arm: ArmFake) -> None:
    found, _ = scan(arm)
    group = found["rg-app"]
    assert group.type == "Microsoft.Resources/resourceGroups"
    assert group.id == f"/subscriptions/{PROD}/resourceGroups/rg-app"
    assert dict(group.tags.known) == APP_GROUP_TAGS
    assert (group.account, group.region) == (PROD, "westeurope")
    subscription = found["prod"]
    assert subscription.type == "Microsoft.Resources/subscriptions"
    assert subscription.id == f"/subscriptions/{PROD}"
    assert dict(subscription.tags.known) == {"CostCenter": "cc-1000"}
    assert "disabled" not in found  # a Disabled subscription cannot be read and is skipped


def test_pages_through_next_link_and_honours_retry_after(arm: ArmFake) -> None:
    arm.retry_after = "1"
    found, stats = scan(arm)
    assert stats.throttles >= 1 and stats.retries >= 1
    pages = [r for r in arm.requests if r.path.endswith(f"{PROD}/resources")]
    assert [r.status for r in pages] == [200, 429, 200]
    assert pages[1].query["$skiptoken"] == ["2"] and pages[2].query["$skiptoken"] == ["2"]
    assert pages[2].query["$expand"] == ["createdTime"]
    assert pages[2].at - pages[1].at >= 0.9  # Retry-After: 1 was waited out
    assert stats.api_calls["resources.Resources_List"] == 3  # two pages of PROD, one of DEV; retries not counted
    assert stats.api_calls["resources.ResourceGroups_List"] == 3
    assert stats.api_calls["resources.Subscriptions_List"] == 1
    assert stats.resources == len(found) == 10


def test_a_forbidden_subscription_is_recorded_and_the_others_scanned(arm: ArmFake) -> None:
    found, stats = scan(arm)
    assert stats.missing_permissions == {"Microsoft.Resources/subscriptions/resourceGroups/read"}
    assert len(stats.failures) == 1 and stats.failures[0].startswith(f"subscription {FORBIDDEN}: (AuthorizationFailed)")
    assert not stats.complete
    assert {r.account for r in found.values()} == {PROD, DEV}


def test_every_request_carries_the_bearer_token(arm: ArmFake) -> None:
    scan(arm)
    assert arm.requests
    assert {r.headers.get("authorization") for r in arm.requests} == {f"Bearer {AZURE_TOKEN}"}


@pytest.mark.parametrize("subscriptions", [(), (PROD,)])
def test_a_wrong_token_is_a_collector_error(arm: ArmFake, subscriptions: tuple[str, ...]) -> None:
    with pytest.raises(CollectorError, match="InvalidAuthenticationToken"):
        scan(arm, token="not-the-token", subscriptions=subscriptions)
    assert {r.status for r in arm.requests} == {401}


def test_named_subscriptions_only(arm: ArmFake) -> None:
    found, stats = scan(arm, subscriptions=(DEV.upper(), DISABLED))
    assert {r.account for r in found.values()} == {DEV, DISABLED}
    assert found["dev"].context["subscription_name"] == "dev"
    assert not any(r.path.startswith(f"/subscriptions/{PROD}/") for r in arm.requests)
    assert stats.complete


def test_subscriptions_listed_by_rest_without_the_subscriptions_package(
    arm: ArmFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(azure_collector, "_subscription_client_class", lambda: None)
    found, _ = scan(arm)
    assert found["prod"].context["subscription_tags"] == {"CostCenter": "cc-1000"}
    assert "vm_never_tagged" in found and "site_owner_only" in found
    listing = [r for r in arm.requests if r.path == "/subscriptions"]
    assert listing[0].query["api-version"] == ["2022-12-01"]


def test_creators_from_the_activity_log(arm: ArmFake) -> None:
    found, stats = scan(arm, with_creators=True)
    vm = found["vm_never_tagged"]
    assert vm.context["created_by"] == "alice@example.org"  # the earliest successful write
    assert vm.context["created_at"] == "2026-03-01T08:00:00Z"
    assert "created_by" not in found["vnet_tags_ok"].context
    log_request = next(r for r in arm.requests if "eventtypes" in r.path)
    assert log_request.query["api-version"] == ["2015-04-01"]
    assert "eventTimestamp ge" in log_request.query["$filter"][0]
    assert stats.api_calls["insights.ActivityLogs_List"] == 2  # PROD and DEV


def test_progress_is_reported(arm: ArmFake) -> None:
    seen: list[tuple[str, int]] = []
    environ = {"TAGWARDEN_AZURE_TOKEN": AZURE_TOKEN}
    options = CollectorOptions(endpoint=arm.base_url, environ=environ, subscriptions=(DEV,))
    list(AzureCollector().collect(options, CollectStats(), lambda what, count: seen.append((what, count))))
    assert seen[-1] == (f"azure {DEV}: resources", 3)


def test_plain_http_is_refused_off_loopback() -> None:
    options = CollectorOptions(endpoint="http://management.example.org", environ={"TAGWARDEN_AZURE_TOKEN": "x"})
    with pytest.raises(CollectorError, match="plain http"):
        list(AzureCollector().collect(options, CollectStats()))


def test_token_variable_or_default_credential() -> None:
    assert isinstance(make_credential({"TAGWARDEN_AZURE_TOKEN": "abc"}), StaticTokenCredential)
    assert StaticTokenCredential("abc").get_token("https://management.azure.com/.default").token == "abc"
    assert isinstance(make_credential({}), azure.identity.DefaultAzureCredential)


def test_missing_credentials_give_azure_identitys_own_message(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_FEDERATED_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    only_environment = functools.partial(
        azure.identity.DefaultAzureCredential,
        exclude_workload_identity_credential=True,
        exclude_managed_identity_credential=True,
        exclude_shared_token_cache_credential=True,
        exclude_visual_studio_code_credential=True,
        exclude_cli_credential=True,
        exclude_powershell_credential=True,
        exclude_developer_cli_credential=True,
        exclude_interactive_browser_credential=True,
    )
    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", only_environment)
    with pytest.raises(CollectorError, match="DefaultAzureCredential failed to retrieve a token"):
        list(AzureCollector().collect(CollectorOptions(), CollectStats()))


def test_a_credential_that_fails_mid_chain_is_a_collector_error(monkeypatch: pytest.MonkeyPatch) -> None:
    class Refusing:
        def get_token(self, *scopes: str, **kwargs: Any) -> Any:
            raise ClientAuthenticationError("AADSTS700016: Application not found in the directory")

    monkeypatch.setattr(azure_collector, "make_credential", lambda environ: Refusing())
    with pytest.raises(CollectorError, match="AADSTS700016"):
        list(AzureCollector().collect(CollectorOptions(), CollectStats()))
