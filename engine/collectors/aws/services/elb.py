"""Classic load balancers; DescribeTags takes up to 20 names a call."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from tagwarden.engine.collectors.aws.build import Tags, TagsDenied, iso_time, tag_map
from tagwarden.engine.collectors.aws.calls import DENIED_CODES, error_code
from tagwarden.engine.collectors.aws.sdk import ClientError
from tagwarden.engine.collectors.aws.services.base import ReadContext, batches, skip_denied
from tagwarden.engine.resources import Resource

MAX_PAGE = 400
TAGS_BATCH = 20


class ElbReader:
    name = "elb"
    is_global = False
    iam_actions = ("elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeTags")
    resource_types = ("elasticloadbalancing:loadbalancer",)

    def read(self, context: ReadContext) -> Iterator[Resource]:
        yield from skip_denied(_load_balancers(context, context.client("elb")))


READER = ElbReader()


def _load_balancers(context: ReadContext, client: Any) -> Iterator[Resource]:
    for page in context.pages(client, "describe_load_balancers", MAX_PAGE):
        for batch in batches(page.get("LoadBalancerDescriptions", []), TAGS_BATCH):
            tags = _tags(client, [balancer["LoadBalancerName"] for balancer in batch])
            for balancer in batch:
                name = balancer["LoadBalancerName"]
                yield context.resource(
                    "elasticloadbalancing:loadbalancer",
                    context.arn("elasticloadbalancing", f"loadbalancer/{name}"),
                    name,
                    tags.get(name, {}) if isinstance(tags, Mapping) else tags,
                    created_at=iso_time(balancer.get("CreatedTime")),
                )


def _tags(client: Any, names: Sequence[str]) -> Mapping[str, Tags] | TagsDenied:
    try:
        descriptions = client.describe_tags(LoadBalancerNames=list(names)).get("TagDescriptions", ())
    except ClientError as error:
        if error_code(error) in DENIED_CODES:
            return TagsDenied("elasticloadbalancing:DescribeTags")
        raise
    return {item["LoadBalancerName"]: tag_map(item.get("Tags")) for item in descriptions}
