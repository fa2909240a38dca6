"""Throttling, denied permissions, failing regions and bad credentials, injected by a reverse proxy
in front of moto: the scan goes on where it can, and says what it could not see."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from aws_moto_support import (
    MAIN_ACCOUNT,
    REGION_A,
    REGION_B,
    Call,
    Estate,
    FaultProxy,
    count_actions,
    options_for,
)

from tagwarden.engine.collectors.aws import AwsCollector
from tagwarden.engine.collectors.interface import CollectorError, CollectStats
from tagwarden.engine.resources import Resource

DISABLED_REGION = "ap-southeast-2"


def _scan(collector: AwsCollector, endpoint: str, stats: CollectStats, **options: object) -> list[Resource]:
    return list(collector.collect(options_for(endpoint, **options), stats))


def _main_account_arns(estate: Estate, *types: str) -> set[str]:
    return {
        planted.arn
        for planted in estate.resources.values()
        if planted.account == MAIN_ACCOUNT and (not types or planted.type in types)
    }


def test_throttled_calls_are_retried_counted_and_the_scan_completes(proxy: FaultProxy, estate: Estate) -> None:
    # The last call each client makes, so that botocore's adaptive rate limiter, which slows a
    # client down after a throttle, does not slow the rest of the test down.
    proxy.fail("DescribeNatGateways", "RequestLimitExceeded", times=1)  # EC2 XML
    proxy.fail("GetResources", "ThrottlingException", times=1)  # JSON (the Tagging API sweep)
    proxy.fail("DescribeDBClusters", "Throttling", times=1)  # query XML
    stats = CollectStats()
    resources = _scan(AwsCollector(), proxy.url, stats)

    assert stats.failures == []
    assert proxy.served() == 3
    assert stats.throttles == 3
    assert stats.retries >= 3
    assert _main_account_arns(estate) <= {resource.id for resource in resources}


def test_a_denied_listing_is_a_missing_permission_and_the_other_services_still_arrive(
    proxy: FaultProxy, estate: Estate
) -> None:
    proxy.fail("DescribeVolumes", "UnauthorizedOperation", status=403)
    stats = CollectStats()
    resources = _scan(AwsCollector(), proxy.url, stats)
    found = {resource.id for resource in resources}

    assert not any(resource.type == "ec2:volume" for resource in resources)
    assert stats.missing_permissions == {"ec2:DescribeVolumes"}
    assert stats.failures == []
    others = _main_account_arns(estate) - _main_account_arns(estate, "ec2:volume")
    assert others <= found  # instances, snapshots, buckets, queues, ... all there


def test_denied_tag_reads_leave_the_tags_unknown_rather_than_empty(proxy: FaultProxy, estate: Estate) -> None:
    proxy.fail("ListQueueTags", "AccessDenied", status=403)
    stats = CollectStats()
    collector = AwsCollector(services=["sqs"], tag_source="per-resource")
    resources = _scan(collector, proxy.url, stats, regions=(REGION_A,))
    queues = {resource.id: resource for resource in resources}

    assert stats.missing_permissions == {"sqs:ListQueueTags"}
    tagged = queues[estate.resources["queue_tagged"].arn]
    assert dict(tagged.tags.known) == {}
    assert tagged.tags.open_deps == ("permission sqs:ListQueueTags",)


def test_aws_managed_kms_keys_are_left_out(proxy: FaultProxy, estate: Estate) -> None:
    key = estate.resources["key_tagged"]
    key_id = key.arn.rsplit("/", 1)[-1]
    aliases = {"Aliases": [{"AliasName": "alias/aws/ebs", "TargetKeyId": key_id}], "Truncated": False}
    body = json.dumps(aliases).encode()
    proxy.answer(lambda call: call.action == "ListAliases", lambda call: ("application/x-amz-json-1.1", body))
    stats = CollectStats()
    resources = _scan(AwsCollector(services=["kms"]), proxy.url, stats, regions=(REGION_A,))

    assert key.arn not in {resource.id for resource in resources}
    assert "kms.ListResourceTags" not in stats.api_calls  # nobody can tag it: not even asked


def _disabled_region_code(call: Call) -> str:
    if call.service == "ec2":
        return "AuthFailure"
    if call.json_protocol or call.service in ("lambda", "eks"):
        return "UnrecognizedClientException"
    return "InvalidClientTokenId"


def test_a_failing_region_is_reported_once_and_the_other_regions_are_read(proxy: FaultProxy, estate: Estate) -> None:
    proxy.fail_when(lambda call: call.region == DISABLED_REGION, _disabled_region_code, status=401)
    stats = CollectStats()
    resources = _scan(AwsCollector(), proxy.url, stats, regions=(REGION_A, DISABLED_REGION))

    assert len(stats.failures) == 1
    assert stats.failures[0].startswith(f"{DISABLED_REGION}: ")
    assert "injected by the test proxy" in stats.failures[0]
    assert not stats.complete
    in_region_a = {planted.arn for planted in estate.resources.values() if planted.region == REGION_A}
    in_region_a &= _main_account_arns(estate)
    assert in_region_a <= {resource.id for resource in resources}


def test_credentials_that_expire_mid_scan_end_the_account_with_one_failure(proxy: FaultProxy) -> None:
    proxy.fail("ListQueues", "ExpiredToken")
    stats = CollectStats()
    _scan(AwsCollector(services=["sqs"]), proxy.url, stats)

    assert stats.failures == [f"account {MAIN_ACCOUNT}: ExpiredToken: injected by the test proxy: ExpiredToken"]


def test_no_credentials_is_a_collector_error_with_botocores_reason(moto_url: str) -> None:
    environ = {"AWS_ENDPOINT_URL": moto_url, "AWS_DEFAULT_REGION": REGION_A}
    with pytest.raises(CollectorError, match="Unable to locate credentials"):
        list(AwsCollector().collect(options_for(moto_url, environ=environ), CollectStats()))


def test_expired_credentials_are_a_collector_error_before_anything_is_read(proxy: FaultProxy) -> None:
    proxy.fail("GetCallerIdentity", "ExpiredToken", status=403)
    with pytest.raises(CollectorError, match="ExpiredToken: injected by the test proxy"):
        list(AwsCollector().collect(options_for(proxy.url), CollectStats()))
    assert count_actions(proxy.calls) == {"GetCallerIdentity": 1}


@pytest.mark.parametrize("where", ["endpoint", "environ"])
def test_plain_http_off_loopback_is_refused(where: str) -> None:
    remote = "http://192.0.2.10:4566"
    options = options_for(remote) if where == "environ" else options_for("http://127.0.0.1:9", endpoint=remote)
    with pytest.raises(CollectorError, match="plain http is accepted only on loopback"):
        list(AwsCollector().collect(options, CollectStats()))


_REGIONS_XML = """<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
<requestId>proxy</requestId><regionInfo>{items}</regionInfo></DescribeRegionsResponse>"""
_REGION_ITEM = (
    "<item><regionName>{name}</regionName><regionEndpoint>ec2.{name}.amazonaws.com</regionEndpoint>"
    "<optInStatus>{status}</optInStatus></item>"
)


def test_without_regions_every_enabled_region_is_read(proxy: FaultProxy, estate: Estate) -> None:
    listed = {REGION_A: "opt-in-not-required", REGION_B: "opt-in-not-required", "me-south-1": "opted-in"}
    listed["ap-east-1"] = "not-opted-in"
    items = "".join(_REGION_ITEM.format(name=name, status=status) for name, status in listed.items())
    body = _REGIONS_XML.format(items=items).encode()
    proxy.answer(lambda call: call.action == "DescribeRegions", lambda call: ("text/xml", body))
    stats = CollectStats()
    resources = list(AwsCollector(services=["sqs"]).collect(options_for(proxy.url, regions=()), stats))

    queue_calls = {call.region for call in proxy.calls if call.action == "ListQueues"}
    assert queue_calls == {REGION_A, REGION_B, "me-south-1"}
    assert {resource.region for resource in resources} == {REGION_A, REGION_B}
    assert stats.failures == []


def _lookup_events(call: Call) -> tuple[str, bytes]:
    request = json.loads(call.body)
    event_name = request["LookupAttributes"][0]["AttributeValue"]
    token = request.get("NextToken")
    answer = {"Events": _EVENTS.get((event_name, token), [])}
    if event_name == "RunInstances" and token is None:
        answer["NextToken"] = "page-2"
    return "application/x-amz-json-1.1", json.dumps(answer).encode()


_EVENTS: dict[tuple[str, str | None], list[dict[str, object]]] = {}
ALICE = f"arn:aws:iam::{MAIN_ACCOUNT}:user/alice"
BOB = f"arn:aws:sts::{MAIN_ACCOUNT}:assumed-role/deployer/bob"
QUEUE_CREATED = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def _event(name: str, source: str, who: str, when: datetime, **detail: object) -> dict[str, object]:
    cloudtrail_event = {"eventSource": source, "userIdentity": {"arn": who}, **detail}
    return {
        "EventName": name,
        "EventSource": source,
        "EventTime": when.timestamp(),
        "Username": who.rsplit("/", 1)[-1],
        "Resources": [],
        "CloudTrailEvent": json.dumps(cloudtrail_event),
    }


def test_with_creators_cloudtrail_names_who_created_what_with_one_pass_per_event_name(
    proxy: FaultProxy, estate: Estate
) -> None:
    instance_id = estate.resources["instance_tagged"].arn.rsplit("/", 1)[-1]
    mallory = f"arn:aws:iam::{MAIN_ACCOUNT}:user/mallory"
    failed_attempt = _event(
        "RunInstances",
        "ec2.amazonaws.com",
        mallory,
        QUEUE_CREATED,
        errorCode="Client.UnauthorizedOperation",
        requestParameters={"instanceId": instance_id},
    )
    created = _event("RunInstances", "ec2.amazonaws.com", ALICE, QUEUE_CREATED)
    created["Resources"] = [{"ResourceType": "AWS::EC2::Instance", "ResourceName": instance_id}]
    queue = _event(
        "CreateQueue",
        "sqs.amazonaws.com",
        BOB,
        QUEUE_CREATED,
        requestParameters={"queueName": "jobs"},
        responseElements={"queueUrl": f"https://sqs.{REGION_A}.amazonaws.com/{MAIN_ACCOUNT}/jobs"},
    )
    _EVENTS.clear()
    _EVENTS.update(
        {
            ("RunInstances", None): [failed_attempt],
            ("RunInstances", "page-2"): [created],
            ("CreateQueue", None): [queue],
        }
    )
    proxy.answer(lambda call: call.action == "LookupEvents", _lookup_events)

    stats = CollectStats()
    collector = AwsCollector(services=["ec2", "sqs"], cloudtrail_rate=100.0)
    resources = list(collector.collect(options_for(proxy.url, regions=(REGION_A,), with_creators=True), stats))
    by_arn = {resource.id: resource for resource in resources}

    instance = by_arn[estate.resources["instance_tagged"].arn]
    assert instance.context["created_by"] == ALICE
    assert instance.context["created_at"] != "2026-03-01T09:30:00Z"  # EC2's own time is kept
    queue_found = by_arn[estate.resources["queue_tagged"].arn]
    assert queue_found.context["created_by"] == BOB
    assert queue_found.context["created_at"] == "2026-03-01T09:30:00Z"
    assert "created_by" not in by_arn[estate.resources["queue_never_tagged"].arn].context
    assert stats.failures == []

    lookups = [json.loads(call.body) for call in proxy.calls if call.action == "LookupEvents"]
    names = [(lookup["LookupAttributes"][0]["AttributeValue"], lookup.get("NextToken")) for lookup in lookups]
    assert len(names) == len(set(names))  # every event name read once for the region, then cached
    assert ("RunInstances", "page-2") in names
    assert stats.api_calls["cloudtrail.LookupEvents"] == len(lookups)
