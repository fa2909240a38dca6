"""The planted estates the fake servers serve: resource names say the outcome the tests expect."""

from __future__ import annotations

from typing import Any

from fake_cloud_servers import ArmFake, AssetFake

AZURE_TOKEN = "test-token-7f3a"
PROD = "11111111-1111-1111-1111-111111111111"
FORBIDDEN = "22222222-2222-2222-2222-222222222222"
DEV = "33333333-3333-3333-3333-333333333333"
DISABLED = "44444444-4444-4444-4444-444444444444"
APP_GROUP_TAGS = {"CostCenter": "cc-1000", "Owner": "app@example.org"}

GCP_SCOPE = "organizations/123456789"
SHOP_PROD_NUMBER = "111111111111"
SHOP_DEV_NUMBER = "222222222222"
SHOP_PROD_LABELS = {"cost-center": "cc-1000", "owner": "shop"}


# --- Azure ------------------------------------------------------------------------------------


def _subscription(subscription_id: str, name: str, state: str = "Enabled", tags: dict[str, str] | None = None) -> Any:
    item: dict[str, Any] = {
        "id": f"/subscriptions/{subscription_id}",
        "subscriptionId": subscription_id,
        "tenantId": "aaaaaaaa-0000-0000-0000-000000000000",
        "displayName": name,
        "state": state,
        "authorizationSource": "RoleBased",
    }
    if tags is not None:
        item["tags"] = tags
    return item


def _group(subscription_id: str, name: str, location: str, tags: dict[str, str] | None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": f"/subscriptions/{subscription_id}/resourceGroups/{name}",
        "name": name,
        "type": "Microsoft.Resources/resourceGroups",
        "location": location,
        "properties": {"provisioningState": "Succeeded"},
    }
    if tags is not None:
        item["tags"] = tags
    return item


def arm_id(subscription_id: str, group: str, provider_type: str, name: str) -> str:
    return f"/subscriptions/{subscription_id}/resourceGroups/{group}/providers/{provider_type}/{name}"


def _resource(subscription_id: str, group: str, resource_type: str, name: str, location: str, **extra: Any) -> Any:
    return {
        "id": arm_id(subscription_id, group, resource_type, name),
        "name": name,
        "type": resource_type,
        "location": location,
        **extra,
    }


def _event(resource_id: str, operation: str, status: str, caller: str, at: str) -> dict[str, Any]:
    return {
        "caller": caller,
        "eventTimestamp": at,
        "operationName": {"value": operation, "localizedValue": operation},
        "resourceId": resource_id,
        "status": {"value": status, "localizedValue": status},
    }


def _vm_history(vm_id: str) -> list[dict[str, Any]]:
    write = "Microsoft.Compute/virtualMachines/write"
    return [  # newest first, as the Activity Log answers
        _event(vm_id, write, "Succeeded", "bob@example.org", "2026-03-05T08:00:00Z"),
        _event(vm_id, write, "Succeeded", "alice@example.org", "2026-03-01T08:00:00Z"),
        _event(vm_id, write, "Started", "alice@example.org", "2026-03-01T07:59:00Z"),
        _event(
            vm_id,
            "Microsoft.Compute/virtualMachines/restart/action",
            "Succeeded",
            "eve@example.org",
            "2026-02-01T08:00:00Z",
        ),
    ]


def planted_arm() -> ArmFake:
    vm_id = arm_id(PROD, "rg-app", "Microsoft.Compute/virtualMachines", "vm_never_tagged")
    return ArmFake(
        token=AZURE_TOKEN,
        subscriptions=[
            _subscription(PROD, "prod", tags={"CostCenter": "cc-1000"}),
            _subscription(FORBIDDEN, "forbidden"),
            _subscription(DEV, "dev"),
            _subscription(DISABLED, "disabled", state="Disabled"),
        ],
        resource_groups={
            PROD: [
                _group(PROD, "rg-app", "westeurope", APP_GROUP_TAGS),
                _group(PROD, "rg-untagged", "northeurope", None),
            ],
            DEV: [_group(DEV, "rg-dev", "westeurope", {"Owner": "dev@example.org"})],
        },
        resources={
            PROD: [
                _resource(PROD, "rg-app", "Microsoft.Compute/virtualMachines", "vm_never_tagged", "westeurope"),
                _resource(
                    PROD,
                    "rg-app",
                    "Microsoft.Storage/storageAccounts",
                    "storage_missing_owner",
                    "westeurope",
                    tags={"CostCenter": "cc-1000"},
                    kind="StorageV2",
                    createdTime="2026-01-05T10:00:00Z",
                ),
                _resource(
                    PROD,
                    "rg-untagged",
                    "Microsoft.Network/virtualNetworks",
                    "vnet_tags_ok",
                    "northeurope",
                    tags={"CostCenter": "cc-2000", "Owner": "net@example.org"},
                ),
                _resource(
                    PROD,
                    "rg-app",
                    "microsoft.compute/disks",
                    "disk_lowercase_type_managed_by_vm",
                    "westeurope",
                    managedBy=vm_id,
                    tags={},
                ),
            ],
            DEV: [
                _resource(DEV, "rg-dev", "Microsoft.Web/sites", "site_owner_only", "westeurope", tags={"Owner": "x"}),
            ],
        },
        activity_log={PROD: _vm_history(vm_id)},
        forbidden={FORBIDDEN},
        throttle_once={(PROD, 2)},
    )


# --- GCP --------------------------------------------------------------------------------------


def _project(number: str, project_id: str, labels: dict[str, str]) -> dict[str, Any]:
    return {
        "name": f"//cloudresourcemanager.googleapis.com/projects/{number}",
        "assetType": "cloudresourcemanager.googleapis.com/Project",
        "project": f"projects/{number}",
        "displayName": project_id,
        "location": "global",
        "labels": labels,
        "additionalAttributes": {"projectId": project_id},
        "parentFullResourceName": "//cloudresourcemanager.googleapis.com/organizations/123456789",
        "parentAssetType": "cloudresourcemanager.googleapis.com/Organization",
        "state": "ACTIVE",
    }


def _asset(name: str, asset_type: str, number: str, location: str, parent: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "assetType": asset_type,
        "project": f"projects/{number}",
        "displayName": name.rsplit("/", 1)[-1],
        "location": location,
        "parentFullResourceName": parent,
        **extra,
    }


def planted_assets() -> AssetFake:
    prod_parent = "//cloudresourcemanager.googleapis.com/projects/shop-prod"
    return AssetFake(
        results={
            GCP_SCOPE: [
                _project(SHOP_PROD_NUMBER, "shop-prod", SHOP_PROD_LABELS),
                _project(SHOP_DEV_NUMBER, "shop-dev", {"cost-center": "cc-2000"}),
                _asset(
                    "//storage.googleapis.com/projects/_/buckets/bucket_labels_ok",
                    "storage.googleapis.com/Bucket",
                    SHOP_PROD_NUMBER,
                    "europe-west1",
                    prod_parent,
                    labels={"cost-center": "cc-1000", "owner": "data-team"},
                    createTime="2026-02-01T09:00:00Z",
                    parentAssetType="cloudresourcemanager.googleapis.com/Project",
                ),
                _asset(
                    "//compute.googleapis.com/projects/shop-dev/global/firewalls/firewall_untaggable",
                    "compute.googleapis.com/Firewall",
                    SHOP_DEV_NUMBER,
                    "global",
                    "//cloudresourcemanager.googleapis.com/projects/shop-dev",
                ),
                _asset(
                    "//compute.googleapis.com/projects/shop-prod/zones/europe-west1-b/instances/instance_missing_owner",
                    "compute.googleapis.com/Instance",
                    SHOP_PROD_NUMBER,
                    "europe-west1-b",
                    prod_parent,
                    labels={"cost-center": "cc-1000"},
                ),
                _asset(
                    "//storage.googleapis.com/projects/_/buckets/bucket_never_labelled_outside_scope_project",
                    "storage.googleapis.com/Bucket",
                    "333333333333",
                    "us",
                    "//cloudresourcemanager.googleapis.com/projects/333333333333",
                ),
            ],
            "projects/shop-prod": [],
        },
        forbidden={"organizations/999"},
        throttle_once={(GCP_SCOPE, 2)},
    )
