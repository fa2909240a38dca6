"""GcpCollector with the real google-cloud-asset client (REST transport) against a fake Cloud Asset API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fake_cloud_servers import AssetFake
from planted_clouds import GCP_SCOPE, SHOP_DEV_NUMBER, SHOP_PROD_LABELS, SHOP_PROD_NUMBER

from tagwarden.engine.collectors.gcp import GcpCollector, RetrySettings, client_arguments
from tagwarden.engine.collectors.interface import CollectorError, CollectorOptions, CollectStats
from tagwarden.engine.resources import Resource, Taggability

FAST_RETRY = RetrySettings(initial=0.01, maximum=0.05, deadline=10.0)


def scan(asset: AssetFake, scope: str | None = GCP_SCOPE, **options: Any) -> tuple[dict[str, Resource], CollectStats]:
    stats = CollectStats()
    collector_options = CollectorOptions(endpoint=asset.base_url, scope=scope, anonymous=True, **options)
    found = list(GcpCollector(FAST_RETRY).collect(collector_options, stats))
    return {resource.name or "": resource for resource in found}, stats


def test_finds_every_planted_resource_with_type_id_account_region_and_labels(asset: AssetFake) -> None:
    found, stats = scan(asset)

    bucket = found["bucket_labels_ok"]
    assert bucket.provider == "gcp"
    assert bucket.type == "storage.googleapis.com/Bucket"
    assert bucket.id == bucket.address == "//storage.googleapis.com/projects/_/buckets/bucket_labels_ok"
    assert (bucket.account, bucket.region) == ("shop-prod", "europe-west1")
    assert dict(bucket.tags.known) == {"cost-center": "cc-1000", "owner": "data-team"}
    assert bucket.taggability is Taggability.TAGGABLE
    assert bucket.context["created_at"] == "2026-02-01T09:00:00Z"

    firewall = found["firewall_untaggable"]
    assert firewall.type == "compute.googleapis.com/Firewall"
    assert firewall.taggability is Taggability.UNTAGGABLE
    assert (firewall.account, firewall.region) == ("shop-dev", "global")
    assert dict(firewall.tags.known) == {}

    instance = found["instance_missing_owner"]  # on the page after a 429
    assert instance.type == "compute.googleapis.com/Instance"
    assert (instance.account, instance.region) == ("shop-prod", "europe-west1-b")
    assert dict(instance.tags.known) == {"cost-center": "cc-1000"}

    stray = found["bucket_never_labelled_outside_scope_project"]  # its project is not in the scope's results
    assert (stray.account, stray.region) == ("333333333333", "us")
    assert "project_labels" not in stray.context

    assert stats.resources == len(found) == 6
    assert stats.complete


def test_project_labels_are_context(asset: AssetFake) -> None:
    found, _ = scan(asset)
    bucket = found["bucket_labels_ok"]
    assert bucket.context["project_labels"] == SHOP_PROD_LABELS
    assert bucket.context["project_id"] == "shop-prod"
    assert bucket.context["project_number"] == SHOP_PROD_NUMBER
    assert found["firewall_untaggable"].context["project_labels"] == {"cost-center": "cc-2000"}
    assert found["firewall_untaggable"].context["project_number"] == SHOP_DEV_NUMBER


def test_projects_are_resources_too(asset: AssetFake) -> None:
    found, _ = scan(asset)
    project = found["shop-prod"]
    assert project.type == "cloudresourcemanager.googleapis.com/Project"
    assert project.account == "shop-prod"
    assert dict(project.tags.known) == SHOP_PROD_LABELS


def test_pages_with_next_page_token_and_retries_a_429(asset: AssetFake) -> None:
    _, stats = scan(asset)
    assert stats.throttles >= 1 and stats.retries >= 1
    assert stats.api_calls["cloudasset.SearchAllResources"] == 4  # projects; then three pages
    first, *rest = asset.requests
    assert first.method == "GET" and first.path == f"/v1/{GCP_SCOPE}:searchAllResources"
    assert first.query["assetTypes"] == ["cloudresourcemanager.googleapis.com/Project"]
    assert first.query["pageSize"] == ["500"]
    pages = [(r.query.get("pageToken"), r.status) for r in rest]
    assert pages == [(None, 200), (["2"], 429), (["2"], 200), (["4"], 200)]


def test_anonymous_sends_no_credentials(asset: AssetFake) -> None:
    scan(asset)
    assert all("authorization" not in r.headers for r in asset.requests)


def test_a_scope_is_required(asset: AssetFake) -> None:
    with pytest.raises(CollectorError, match="--scope"):
        scan(asset, scope=None)
    with pytest.raises(CollectorError, match="--scope"):
        scan(asset, scope="project/x")
    assert asset.requests == []


def test_permission_denied_everywhere_is_a_collector_error(asset: AssetFake) -> None:
    stats = CollectStats()
    options = CollectorOptions(endpoint=asset.base_url, scope="organizations/999", anonymous=True)
    with pytest.raises(CollectorError, match="does not have permission"):
        list(GcpCollector(FAST_RETRY).collect(options, stats))
    assert stats.missing_permissions == {"cloudasset.assets.searchAllResources"}


def test_a_failure_after_some_pages_is_recorded_and_what_was_read_kept(asset: AssetFake) -> None:
    asset.throttle_once.clear()
    asset.broken.add((GCP_SCOPE, 2))
    found, stats = scan(asset)
    assert set(found) == {"shop-prod", "shop-dev"}
    assert len(stats.failures) == 1 and "Internal error" in stats.failures[0]
    assert not stats.complete


def test_an_empty_scope_yields_nothing(asset: AssetFake) -> None:
    found, stats = scan(asset, scope="projects/shop-prod")
    assert found == {} and stats.complete


def test_missing_application_default_credentials_give_google_auths_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "no-such-key.json"))
    with pytest.raises(CollectorError, match=r"no-such-key\.json was not found"):
        list(GcpCollector().collect(CollectorOptions(scope=GCP_SCOPE), CollectStats()))


def test_endpoint_arguments() -> None:
    assert client_arguments(None) == {}
    assert client_arguments("http://127.0.0.1:8085/") == {
        "client_options": {"api_endpoint": "http://127.0.0.1:8085"},
        "transport": "rest",
    }
    assert client_arguments("https://cloudasset-private.p.googleapis.com") == {
        "client_options": {"api_endpoint": "cloudasset-private.p.googleapis.com"}
    }
    with pytest.raises(CollectorError, match="plain http"):
        client_arguments("http://cloudasset.example.org")
