"""DynamoDB tables; ListTables gives names only, so the ARN is built and tags are read per table."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from tagwarden.engine.collectors.aws.build import tag_map
from tagwarden.engine.collectors.aws.services.base import Gone, ReadContext, read_tags, skip_denied
from tagwarden.engine.resources import Resource

MAX_PAGE = 100
GONE = frozenset({"ResourceNotFoundException"})


class DynamoDbReader:
    name = "dynamodb"
    is_global = False
    iam_actions = ("dynamodb:ListTables", "dynamodb:ListTagsOfResource")
    resource_types = ("dynamodb:table",)
    # Per resource even with the Tagging API: moto (which the tests run against) does not answer
    # GetResources for dynamodb:table, though AWS does; add "dynamodb:table" here to use it.
    tagging_api_types: tuple[str, ...] = ()

    def read(self, context: ReadContext) -> Iterator[Resource]:
        yield from skip_denied(_tables(context, context.client("dynamodb")))


READER = DynamoDbReader()


def _tables(context: ReadContext, client: Any) -> Iterator[Resource]:
    for page in context.pages(client, "list_tables", MAX_PAGE):
        for table in page["TableNames"]:
            arn = context.arn("dynamodb", f"table/{table}")
            try:
                tags = read_tags(partial(_tags, client, arn), "dynamodb:ListTagsOfResource", GONE)
            except Gone:
                continue
            yield context.resource("dynamodb:table", arn, table, tags)


def _tags(client: Any, arn: str) -> dict[str, str]:
    tags: dict[str, str] = {}
    for page in client.get_paginator("list_tags_of_resource").paginate(ResourceArn=arn):
        tags.update(tag_map(page.get("Tags")))
    return tags
