"""Lambda functions; tags from the Tagging API index, else one ListTags call per function."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from tagwarden.engine.collectors.aws.services.base import Gone, ReadContext, indexed_or_read, skip_denied
from tagwarden.engine.resources import Resource

MAX_PAGE = 50
GONE = frozenset({"ResourceNotFoundException"})


class LambdaReader:
    name = "lambda"
    is_global = False
    iam_actions = ("lambda:ListFunctions", "lambda:ListTags")
    resource_types = ("lambda:function",)
    tagging_api_types = ("lambda:function",)

    def read(self, context: ReadContext) -> Iterator[Resource]:
        yield from skip_denied(_functions(context, context.client("lambda")))


READER = LambdaReader()


def _functions(context: ReadContext, client: Any) -> Iterator[Resource]:
    for page in context.pages(client, "list_functions", MAX_PAGE):
        for function in page["Functions"]:
            arn = function["FunctionArn"]
            try:
                tags = indexed_or_read(context, arn, partial(_tags, client, arn), "lambda:ListTags", GONE)
            except Gone:
                continue
            yield context.resource("lambda:function", arn, function["FunctionName"], tags)


def _tags(client: Any, arn: str) -> dict[str, str]:
    return {str(key): str(value) for key, value in (client.list_tags(Resource=arn).get("Tags") or {}).items()}
