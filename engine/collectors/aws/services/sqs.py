"""SQS queues; ListQueues gives URLs only, so the ARN is built; tags come from the
Tagging API index, else are read per queue."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from tagwarden.engine.collectors.aws.services.base import Gone, ReadContext, indexed_or_read, skip_denied
from tagwarden.engine.resources import Resource

MAX_PAGE = 1000
GONE = frozenset({"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"})


class SqsReader:
    name = "sqs"
    is_global = False
    iam_actions = ("sqs:ListQueues", "sqs:ListQueueTags")
    resource_types = ("sqs:queue",)
    tagging_api_types = ("sqs",)  # queue ARNs have no resource-type part

    def read(self, context: ReadContext) -> Iterator[Resource]:
        yield from skip_denied(_queues(context, context.client("sqs")))


READER = SqsReader()


def _queues(context: ReadContext, client: Any) -> Iterator[Resource]:
    # Without MaxResults, ListQueues stops at 1,000 queues and gives no NextToken.
    for page in context.pages(client, "list_queues", MAX_PAGE):
        for url in page.get("QueueUrls", ()):
            owner, name = _owner_and_name(url, context.account)
            arn = context.arn("sqs", name, account=owner)
            try:
                tags = indexed_or_read(context, arn, partial(_tags, client, url), "sqs:ListQueueTags", GONE)
            except Gone:
                continue
            yield context.resource("sqs:queue", arn, name, tags)


def _owner_and_name(url: str, default_account: str) -> tuple[str, str]:
    """``https://sqs.REGION.amazonaws.com/ACCOUNT/NAME`` -> (ACCOUNT, NAME)."""
    parts = url.rstrip("/").split("/")
    owner = parts[-2] if len(parts) >= 2 and parts[-2].isdigit() else default_account
    return owner, parts[-1]


def _tags(client: Any, url: str) -> dict[str, str]:
    tags = client.list_queue_tags(QueueUrl=url).get("Tags") or {}
    return {str(key): str(value) for key, value in tags.items()}
