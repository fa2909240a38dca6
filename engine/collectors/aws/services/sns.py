"""SNS topics; tags from the Tagging API index, else read per topic."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from tagwarden.engine.collectors.aws.build import tag_map
from tagwarden.engine.collectors.aws.services.base import Gone, ReadContext, indexed_or_read, skip_denied
from tagwarden.engine.resources import Resource

GONE = frozenset({"NotFound", "NotFoundException", "ResourceNotFound", "ResourceNotFoundException"})


class SnsReader:
    name = "sns"
    is_global = False
    iam_actions = ("sns:ListTopics", "sns:ListTagsForResource")
    resource_types = ("sns:topic",)
    tagging_api_types = ("sns",)  # topic ARNs have no resource-type part

    def read(self, context: ReadContext) -> Iterator[Resource]:
        yield from skip_denied(_topics(context, context.client("sns")))


READER = SnsReader()


def _topics(context: ReadContext, client: Any) -> Iterator[Resource]:
    for page in context.pages(client, "list_topics"):  # fixed pages of 100: no page size to set
        for topic in page.get("Topics", ()):
            arn = topic["TopicArn"]
            try:
                tags = indexed_or_read(context, arn, partial(_tags, client, arn), "sns:ListTagsForResource", GONE)
            except Gone:
                continue
            yield context.resource("sns:topic", arn, arn.rsplit(":", 1)[-1], tags)


def _tags(client: Any, arn: str) -> dict[str, str]:
    return tag_map(client.list_tags_for_resource(ResourceArn=arn).get("Tags"))
