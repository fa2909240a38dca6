"""Tags from one Resource Groups Tagging API sweep per region, and the per-resource fallback when
the sweep is denied or fails."""

from __future__ import annotations

import pytest
from aws_moto_support import MAIN_ACCOUNT, REGION_A, REGION_B, Call, Estate, FaultProxy, options_for

from tagwarden.engine.collectors.aws import AwsCollector
from tagwarden.engine.collectors.interface import CollectorOptions, CollectStats
from tagwarden.engine.resources import Resource

# The services whose tags come from the sweep, and the per-resource tag call each one saves.
SWEPT = ("lambda", "sqs", "sns", "logs", "kms", "s3")
PER_RESOURCE_TAG_CALLS = (
    "lambda.ListTags",
    "sqs.ListQueueTags",
    "sns.ListTagsForResource",
    "logs.ListTagsForResource",
    "kms.ListResourceTags",
    "s3.GetBucketTagging",
)
SWEPT_TYPES = ("lambda:function", "sqs:queue", "sns:topic", "logs:log-group", "kms:key", "s3:bucket")
GET_RESOURCES = "resourcegroupstaggingapi.GetResources"


def _scan(collector: AwsCollector, endpoint: str, stats: CollectStats, **options: object) -> list[Resource]:
    return list(collector.collect(options_for(endpoint, **options), stats))


def _assert_exact_tags(
    resources: list[Resource], estate: Estate, types: tuple[str, ...], regions: tuple[str, ...] = (REGION_A, REGION_B)
) -> None:
    by_arn = {resource.id: resource for resource in resources}
    planted = [
        item
        for item in estate.resources.values()
        if item.account == MAIN_ACCOUNT and item.type in types and item.region in regions
    ]
    assert planted
    for item in planted:
        found = by_arn.get(item.arn)
        assert found is not None, item.arn
        assert dict(found.tags.known) == dict(item.tags), item.arn
        assert not found.tags.is_open, item.arn


def test_tags_arrive_through_the_tagging_api_without_per_resource_tag_calls(moto_url: str, estate: Estate) -> None:
    stats = CollectStats()
    resources = _scan(AwsCollector(), moto_url, stats)

    _assert_exact_tags(resources, estate, SWEPT_TYPES)  # never-tagged ones too: absent from the sweep
    assert {call: stats.api_calls[call] for call in PER_RESOURCE_TAG_CALLS} == dict.fromkeys(PER_RESOURCE_TAG_CALLS, 0)
    assert stats.api_calls[GET_RESOURCES] == 2  # one page per region
    # moto cannot answer GetResources for these: they keep their per-resource calls.
    assert stats.api_calls["dynamodb.ListTagsOfResource"] == 1
    assert stats.api_calls["ecr.ListTagsForResource"] == 1
    assert stats.failures == []
    assert stats.missing_permissions == set()


def test_the_sweep_asks_only_for_the_types_of_the_services_read(proxy: FaultProxy, estate: Estate) -> None:
    stats = CollectStats()
    resources = _scan(AwsCollector(services=["sqs", "kms"]), proxy.url, stats, regions=(REGION_A,))

    _assert_exact_tags(resources, estate, ("sqs:queue", "kms:key"), regions=(REGION_A,))
    sweeps = [call for call in proxy.calls if call.action == "GetResources"]
    assert len(sweeps) == 1  # read once, shared by both readers
    assert b'"ResourceTypeFilters": ["kms:key", "sqs"]' in sweeps[0].body


@pytest.mark.parametrize("code", ["AccessDeniedException", "UnauthorizedOperation"])
def test_a_denied_sweep_is_a_missing_permission_and_tags_are_read_per_resource(
    proxy: FaultProxy, estate: Estate, code: str
) -> None:
    proxy.fail("GetResources", code, status=403)
    stats = CollectStats()
    resources = _scan(AwsCollector(services=SWEPT), proxy.url, stats)

    _assert_exact_tags(resources, estate, SWEPT_TYPES)
    assert stats.missing_permissions == {"tag:GetResources"}
    assert stats.failures == []
    assert all(stats.api_calls[call] > 0 for call in PER_RESOURCE_TAG_CALLS)
    swept_regions = {call.region for call in proxy.calls if call.action == "GetResources"}
    assert swept_regions == {REGION_A, REGION_B}  # each region tried once, then read per resource
    assert stats.api_calls[GET_RESOURCES] == 2


def _later_page(call: Call) -> bool:
    return call.action == "GetResources" and b"PaginationToken" in call.body


def test_a_sweep_failing_half_way_is_thrown_away_and_tags_are_read_per_resource(
    proxy: FaultProxy, estate: Estate
) -> None:
    proxy.fail_when(_later_page, "InvalidParameterException")
    stats = CollectStats()
    collector = AwsCollector(services=SWEPT, max_page_size=1)  # one resource a page: many pages
    resources = _scan(collector, proxy.url, stats, regions=(REGION_A,))

    assert proxy.served() == 1
    _assert_exact_tags(resources, estate, SWEPT_TYPES, regions=(REGION_A,))
    assert stats.api_calls["sqs.ListQueueTags"] == 2  # both queues, the never-tagged one too
    assert stats.failures == []
    assert stats.missing_permissions == set()


def test_per_resource_tag_source_makes_no_sweep(moto_url: str, estate: Estate) -> None:
    stats = CollectStats()
    resources = _scan(AwsCollector(services=SWEPT, tag_source="per-resource"), moto_url, stats, regions=(REGION_A,))

    assert GET_RESOURCES not in stats.api_calls
    assert stats.api_calls["sqs.ListQueueTags"] == 2
    _assert_exact_tags(resources, estate, SWEPT_TYPES, regions=(REGION_A,))


def test_the_tag_source_is_checked_and_sets_the_permissions() -> None:
    with pytest.raises(ValueError, match="unknown tag source 'cache'"):
        AwsCollector(tag_source="cache")  # type: ignore[arg-type]
    assert "tag:GetResources" in AwsCollector().required_permissions(CollectorOptions())
    assert "tag:GetResources" not in AwsCollector(tag_source="per-resource").required_permissions(CollectorOptions())
    assert "tag:GetResources" not in AwsCollector(services=["ec2"]).required_permissions(CollectorOptions())
    assert AwsCollector(services=["ec2", "dynamodb", "ecr"]).tagging_api_types() == ()
