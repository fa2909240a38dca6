"""GcpTagWriter (plain google-auth requests) against the writable fake Google server."""

from __future__ import annotations

import pytest
from planted_clouds import GCP_SCOPE, SHOP_PROD_LABELS, SHOP_PROD_NUMBER
from servers import WritableGoogleFake, fingerprint

from tagwarden.engine.collectors.gcp import GcpCollector, RetrySettings
from tagwarden.engine.collectors.interface import CollectorOptions, CollectStats
from tagwarden.remediations.clouds.gcp import GcpTagWriter
from tagwarden.remediations.clouds.gcp import RetrySettings as WriterRetry
from tagwarden.remediations.clouds.interface import WriterError, WriterOptions, WriterStats
from tagwarden.remediations.clouds.registry import writer_for
from tagwarden.remediations.targets import TagEdit, TagWrite, Target

INSTANCE = "//compute.googleapis.com/projects/shop-prod/zones/europe-west1-b/instances/instance_missing_owner"
BUCKET = "//storage.googleapis.com/projects/_/buckets/bucket_labels_ok"
PROJECT = f"//cloudresourcemanager.googleapis.com/projects/{SHOP_PROD_NUMBER}"
FIREWALL = "//compute.googleapis.com/projects/shop-dev/global/firewalls/firewall_untaggable"
GONE = "//compute.googleapis.com/projects/shop-prod/zones/europe-west1-b/instances/deleted_meanwhile"

INSTANCE_T = Target("gcp", INSTANCE, "compute.googleapis.com/Instance", "shop-prod", "europe-west1-b")
BUCKET_T = Target("gcp", BUCKET, "storage.googleapis.com/Bucket", "shop-prod", "europe-west1")
PROJECT_T = Target("gcp", PROJECT, "cloudresourcemanager.googleapis.com/Project", "shop-prod")
FIREWALL_T = Target("gcp", FIREWALL, "compute.googleapis.com/Firewall", "shop-dev")
GONE_T = Target("gcp", GONE, "compute.googleapis.com/Instance", "shop-prod")
FAST = WriterRetry(initial=0.01, maximum=0.05)


def writer(google: WritableGoogleFake) -> tuple[GcpTagWriter, WriterStats]:
    stats = WriterStats()
    return GcpTagWriter(WriterOptions(endpoint=google.base_url, anonymous=True), stats, FAST), stats


def test_registry_builds_the_gcp_writer(google: WritableGoogleFake) -> None:
    built = writer_for("gcp", WriterOptions(endpoint=google.base_url, anonymous=True), WriterStats())
    assert isinstance(built, GcpTagWriter) and built.provider == "gcp"


def test_current_tags_reads_labels_and_fingerprints(google: WritableGoogleFake) -> None:
    tag_writer, stats = writer(google)
    found = tag_writer.current_tags([INSTANCE_T, BUCKET_T, PROJECT_T, GONE_T, FIREWALL_T])
    assert found == {
        INSTANCE: {"cost-center": "cc-1000"},
        BUCKET: {"cost-center": "cc-1000", "owner": "data-team"},
        PROJECT: SHOP_PROD_LABELS,
    }
    assert tag_writer.fingerprints[INSTANCE] == fingerprint({"cost-center": "cc-1000"})
    assert tag_writer.fingerprints[BUCKET] == "1"
    assert "not writable by tagwarden" in stats.read_failures[FIREWALL]
    assert GONE not in stats.read_failures  # gone, not unreadable


def test_write_then_read_back_on_each_supported_service(google: WritableGoogleFake) -> None:
    tag_writer, stats = writer(google)
    writes = [
        TagWrite(INSTANCE_T, (TagEdit("owner", None, "shop"),)),
        TagWrite(BUCKET_T, (TagEdit("environment", None, "prod"),)),
        TagWrite(PROJECT_T, (TagEdit("environment", None, "prod"),)),
    ]
    assert [(outcome.ok, outcome.error) for outcome in tag_writer.write(writes)] == [(True, None)] * 3
    assert tag_writer.current_tags([INSTANCE_T, BUCKET_T, PROJECT_T]) == {
        INSTANCE: {"cost-center": "cc-1000", "owner": "shop"},  # merge: the label not edited is kept
        BUCKET: {"cost-center": "cc-1000", "owner": "data-team", "environment": "prod"},
        PROJECT: {**SHOP_PROD_LABELS, "environment": "prod"},
    }
    set_labels = [body for body in google.bodies if body.path.endswith("/setLabels")]
    assert (
        set_labels[0].path
        == "/compute/v1/projects/shop-prod/zones/europe-west1-b/instances/instance_missing_owner/setLabels"
    )
    assert set_labels[0].json["labelFingerprint"] == fingerprint({"cost-center": "cc-1000"})
    bucket_patch = next(body for body in google.bodies if body.path.startswith("/storage/"))
    assert bucket_patch.json == {"labels": {"environment": "prod"}}  # only the edited label is sent
    assert bucket_patch.query["ifMetagenerationMatch"] == ["1"]
    project_patch = next(body for body in google.bodies if body.path.startswith("/v3/"))
    assert project_patch.query["updateMask"] == ["labels"]
    assert stats.api_calls["compute.instances.setLabels"] == 1
    assert stats.api_calls["storage.buckets.update"] == 1
    assert stats.api_calls["resourcemanager.projects.update"] == 1


def test_delete_removes_only_the_named_label(google: WritableGoogleFake) -> None:
    tag_writer, _ = writer(google)
    writes = [
        TagWrite(BUCKET_T, (TagEdit("owner", "data-team", None),)),
        TagWrite(PROJECT_T, (TagEdit("owner", "shop", None),)),
        TagWrite(INSTANCE_T, (TagEdit("cost-center", "cc-1000", None), TagEdit("costcenter", None, "cc-1000"))),
    ]
    assert all(outcome.ok for outcome in tag_writer.write(writes))
    assert tag_writer.current_tags([BUCKET_T, PROJECT_T, INSTANCE_T]) == {
        BUCKET: {"cost-center": "cc-1000"},
        PROJECT: {"cost-center": "cc-1000"},
        INSTANCE: {"costcenter": "cc-1000"},
    }
    assert next(body for body in google.bodies if body.path.startswith("/storage/")).json == {"labels": {"owner": None}}


def test_labels_changed_meanwhile_are_kept(google: WritableGoogleFake) -> None:
    """A stale fingerprint / metageneration / etag: read again and apply on top, never overwrite."""
    google.race_once.update({INSTANCE, BUCKET, PROJECT})
    tag_writer, _ = writer(google)
    edit = (TagEdit("team", None, "shop"),)
    writes = [TagWrite(INSTANCE_T, edit), TagWrite(BUCKET_T, edit), TagWrite(PROJECT_T, edit)]
    assert all(outcome.ok for outcome in tag_writer.write(writes))
    assert google.unlabelled_writes == 3
    for labels in tag_writer.current_tags([INSTANCE_T, BUCKET_T, PROJECT_T]).values():
        assert labels["changed-meanwhile"] == "yes" and labels["team"] == "shop"


def test_retries_429(google: WritableGoogleFake) -> None:
    google.throttle_writes[INSTANCE] = 2
    tag_writer, stats = writer(google)
    assert tag_writer.write([TagWrite(INSTANCE_T, (TagEdit("owner", None, "shop"),))])[0].ok
    assert (stats.throttles, stats.retries) == (2, 2)
    assert google.item(INSTANCE)["labels"] == {"cost-center": "cc-1000", "owner": "shop"}  # type: ignore[index]


def test_throttled_past_the_attempts_is_an_outcome(google: WritableGoogleFake) -> None:
    google.throttle_writes[BUCKET] = 100
    tag_writer, _ = writer(google)
    outcome = tag_writer.write([TagWrite(BUCKET_T, (TagEdit("owner", None, "x"),))])[0]
    assert not outcome.ok and outcome.error is not None and outcome.error.startswith("429 RESOURCE_EXHAUSTED")


def test_per_resource_errors_and_unsupported_types_are_outcomes(google: WritableGoogleFake) -> None:
    google.forbidden_writes.add(BUCKET)
    tag_writer, _ = writer(google)
    edit = (TagEdit("owner", None, "x"),)
    writes = [TagWrite(GONE_T, edit), TagWrite(BUCKET_T, edit), TagWrite(FIREWALL_T, edit), TagWrite(INSTANCE_T, edit)]
    gone, forbidden, firewall, written = tag_writer.write(writes)
    assert not gone.ok and gone.error is not None and gone.error.startswith("404 NOT_FOUND")
    assert not forbidden.ok and forbidden.error is not None
    assert forbidden.error.startswith("403 PERMISSION_DENIED (missing permission storage.buckets.update)")
    assert (firewall.ok, firewall.error) == (
        False,
        "labels of compute.googleapis.com/Firewall are not writable by tagwarden: change them in the console or IaC",
    )
    assert written.ok
    assert google.item(BUCKET)["labels"] == {"cost-center": "cc-1000", "owner": "data-team"}  # type: ignore[index]


def test_unreachable_endpoint_is_a_writer_error() -> None:
    tag_writer = GcpTagWriter(WriterOptions(endpoint="http://127.0.0.1:9", anonymous=True), WriterStats(), FAST)
    with pytest.raises(WriterError, match=r"compute\.instances"):
        tag_writer.write([TagWrite(INSTANCE_T, (TagEdit("owner", None, "x"),))])


def test_scan_write_rescan_round_trip_with_the_real_collector(google: WritableGoogleFake) -> None:
    def scan() -> dict[str, dict[str, str]]:
        options = CollectorOptions(endpoint=google.base_url, scope=GCP_SCOPE, anonymous=True)
        collector = GcpCollector(RetrySettings(initial=0.01, maximum=0.05, deadline=10.0))
        return {resource.id or "": dict(resource.tags.known) for resource in collector.collect(options, CollectStats())}

    before = scan()
    tag_writer, _ = writer(google)
    writes = [
        TagWrite(INSTANCE_T, (TagEdit("owner", None, "shop"),)),
        TagWrite(PROJECT_T, (TagEdit("environment", None, "prod"),)),
    ]
    assert all(outcome.ok for outcome in tag_writer.write(writes))
    after = scan()
    assert after[INSTANCE] == {"cost-center": "cc-1000", "owner": "shop"}
    assert after[PROJECT] == {**SHOP_PROD_LABELS, "environment": "prod"}
    unchanged = set(before) - {INSTANCE, PROJECT}
    assert {key: after[key] for key in unchanged} == {key: before[key] for key in unchanged}


def test_endpoint_going_away_mid_run_fails_the_remaining_resources_not_the_run() -> None:
    from servers import serving_writable, writable_google

    fake = writable_google()
    with serving_writable(fake):
        tag_writer, _ = writer(fake)
        assert tag_writer.write([TagWrite(INSTANCE_T, (TagEdit("owner", None, "shop"),))])[0].ok
    outcomes = tag_writer.write([TagWrite(BUCKET_T, (TagEdit("owner", None, "x"),)), TagWrite(PROJECT_T, ())])
    assert [outcome.ok for outcome in outcomes] == [False, False]
    assert all("storage.buckets.get" in (outcome.error or "") for outcome in outcomes)


def test_labels_read_by_current_tags_save_a_read_and_stay_safe(google: WritableGoogleFake) -> None:
    tag_writer, stats = writer(google)
    tag_writer.current_tags([INSTANCE_T, BUCKET_T])
    google.race_once.add(INSTANCE)  # someone labels the instance between our read and our write
    edit = (TagEdit("team", None, "shop"),)
    assert all(outcome.ok for outcome in tag_writer.write([TagWrite(INSTANCE_T, edit), TagWrite(BUCKET_T, edit)]))
    assert stats.api_calls["storage.buckets.get"] == 1  # current_tags' read only
    assert stats.api_calls["compute.instances.get"] == 2  # current_tags', then again after the 412
    assert google.item(INSTANCE)["labels"] == {"cost-center": "cc-1000", "changed-meanwhile": "yes", "team": "shop"}  # type: ignore[index]
