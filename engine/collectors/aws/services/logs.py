"""CloudWatch Logs log groups; tags from the Tagging API index, else read per group."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from tagwarden.engine.collectors.aws.build import iso_time
from tagwarden.engine.collectors.aws.services.base import Gone, ReadContext, indexed_or_read, skip_denied
from tagwarden.engine.resources import Resource

MAX_PAGE = 50
GONE = frozenset({"ResourceNotFoundException"})


class LogsReader:
    name = "logs"
    is_global = False
    iam_actions = ("logs:DescribeLogGroups", "logs:ListTagsForResource")
    resource_types = ("logs:log-group",)
    # The whole service: AWS spells the type logs:log-group, moto logs:loggroup.
    tagging_api_types = ("logs",)

    def read(self, context: ReadContext) -> Iterator[Resource]:
        yield from skip_denied(_log_groups(context, context.client("logs")))


READER = LogsReader()


def _log_groups(context: ReadContext, client: Any) -> Iterator[Resource]:
    for page in context.pages(client, "describe_log_groups", MAX_PAGE):
        for group in page.get("logGroups", ()):
            name = group["logGroupName"]
            # `arn` ends in ":*" (it names the streams); the tagging APIs want the group's own ARN.
            arn = group.get("logGroupArn") or context.arn("logs", f"log-group:{name}")
            try:
                tags = indexed_or_read(context, arn, partial(_tags, client, arn), "logs:ListTagsForResource", GONE)
            except Gone:
                continue
            created = iso_time(group.get("creationTime"), epoch_millis=True)
            yield context.resource("logs:log-group", arn, name, tags, created_at=created)


def _tags(client: Any, arn: str) -> dict[str, str]:
    tags = client.list_tags_for_resource(resourceArn=arn).get("tags") or {}
    return {str(key): str(value) for key, value in tags.items()}
