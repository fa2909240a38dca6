"""EKS clusters; DescribeCluster (one call per cluster) carries the tags."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tagwarden.engine.collectors.aws.build import TagsDenied, iso_time
from tagwarden.engine.collectors.aws.calls import DENIED_CODES, error_code
from tagwarden.engine.collectors.aws.sdk import ClientError
from tagwarden.engine.collectors.aws.services.base import ReadContext, skip_denied
from tagwarden.engine.resources import Resource

MAX_PAGE = 100
GONE = frozenset({"ResourceNotFoundException"})


class EksReader:
    name = "eks"
    is_global = False
    iam_actions = ("eks:ListClusters", "eks:DescribeCluster")
    resource_types = ("eks:cluster",)

    def read(self, context: ReadContext) -> Iterator[Resource]:
        yield from skip_denied(_clusters(context, context.client("eks")))


READER = EksReader()


def _clusters(context: ReadContext, client: Any) -> Iterator[Resource]:
    for page in context.pages(client, "list_clusters", MAX_PAGE):
        for name in page.get("clusters", ()):
            resource = _cluster(context, client, name)
            if resource is not None:
                yield resource


def _cluster(context: ReadContext, client: Any, name: str) -> Resource | None:
    try:
        cluster = client.describe_cluster(name=name)["cluster"]
    except ClientError as error:
        code = error_code(error)
        if code in GONE:
            return None
        if code not in DENIED_CODES:
            raise
        arn = context.arn("eks", f"cluster/{name}")
        return context.resource("eks:cluster", arn, name, TagsDenied("eks:DescribeCluster"))
    tags = {str(key): str(value) for key, value in (cluster.get("tags") or {}).items()}
    return context.resource("eks:cluster", cluster["arn"], name, tags, created_at=iso_time(cluster.get("createdAt")))
