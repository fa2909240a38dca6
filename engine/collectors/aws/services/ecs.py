"""ECS clusters; DescribeClusters returns the tags of up to 100 clusters a call."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tagwarden.engine.collectors.aws.build import TagsDenied, tag_map
from tagwarden.engine.collectors.aws.calls import DENIED_CODES, error_code
from tagwarden.engine.collectors.aws.sdk import ClientError
from tagwarden.engine.collectors.aws.services.base import ReadContext, batches, skip_denied
from tagwarden.engine.resources import Resource

MAX_PAGE = 100
DESCRIBE_BATCH = 100


class EcsReader:
    name = "ecs"
    is_global = False
    iam_actions = ("ecs:ListClusters", "ecs:DescribeClusters")
    resource_types = ("ecs:cluster",)

    def read(self, context: ReadContext) -> Iterator[Resource]:
        yield from skip_denied(_clusters(context, context.client("ecs")))


READER = EcsReader()


def _clusters(context: ReadContext, client: Any) -> Iterator[Resource]:
    for page in context.pages(client, "list_clusters", MAX_PAGE):
        for batch in batches(page.get("clusterArns", []), DESCRIBE_BATCH):
            yield from _described(context, client, batch)


def _described(context: ReadContext, client: Any, arns: Any) -> Iterator[Resource]:
    try:
        clusters = client.describe_clusters(clusters=list(arns), include=["TAGS"]).get("clusters", ())
    except ClientError as error:
        if error_code(error) not in DENIED_CODES:
            raise
        for arn in arns:
            yield context.resource("ecs:cluster", arn, arn.rsplit("/", 1)[-1], TagsDenied("ecs:DescribeClusters"))
        return
    for cluster in clusters:
        if cluster.get("status") == "INACTIVE":
            continue  # deleted; ECS keeps describing it for a while
        tags = tag_map(cluster.get("tags"), key="key", value="value")
        yield context.resource("ecs:cluster", cluster["clusterArn"], cluster["clusterName"], tags)
