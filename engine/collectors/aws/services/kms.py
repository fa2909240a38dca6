"""Customer-managed KMS keys; tags from the Tagging API index, else read per key.

AWS-managed keys (``alias/aws/...``) are left out: nobody can tag them. They are told apart by
their alias, which ListAliases gives for a whole region in a few calls, instead of one
DescribeKey call per key.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import partial
from typing import Any

from tagwarden.engine.collectors.aws.build import tag_map
from tagwarden.engine.collectors.aws.services.base import Gone, ReadContext, indexed_or_read, skip_denied
from tagwarden.engine.resources import Resource

MAX_KEYS_PAGE = 1000
MAX_ALIASES_PAGE = 100
MAX_TAGS_PAGE = 50
AWS_MANAGED_ALIAS = "alias/aws/"
GONE = frozenset({"NotFoundException"})


class KmsReader:
    name = "kms"
    is_global = False
    iam_actions = ("kms:ListKeys", "kms:ListAliases", "kms:ListResourceTags")
    resource_types = ("kms:key",)
    tagging_api_types = ("kms:key",)

    def read(self, context: ReadContext) -> Iterator[Resource]:
        yield from skip_denied(_keys(context, context.client("kms")))


READER = KmsReader()


def _keys(context: ReadContext, client: Any) -> Iterator[Resource]:
    aliases = _aliases(context, client)
    for page in context.pages(client, "list_keys", MAX_KEYS_PAGE):
        for key in page.get("Keys", ()):
            key_id = key["KeyId"]
            names = aliases.get(key_id, [])
            if any(name.startswith(AWS_MANAGED_ALIAS) for name in names):
                continue
            arn = key.get("KeyArn") or context.arn("kms", f"key/{key_id}")
            try:
                call = partial(_tags, context, client, key_id)
                tags = indexed_or_read(context, arn, call, "kms:ListResourceTags", GONE)
            except Gone:
                continue
            name = names[0].removeprefix("alias/") if names else key_id
            yield context.resource("kms:key", arn, name, tags)


def _aliases(context: ReadContext, client: Any) -> Mapping[str, list[str]]:
    by_key: dict[str, list[str]] = {}
    for page in context.pages(client, "list_aliases", MAX_ALIASES_PAGE):
        for alias in page.get("Aliases", ()):
            if alias.get("TargetKeyId"):
                by_key.setdefault(alias["TargetKeyId"], []).append(alias["AliasName"])
    return by_key


def _tags(context: ReadContext, client: Any, key_id: str) -> dict[str, str]:
    tags: dict[str, str] = {}
    for page in context.pages(client, "list_resource_tags", MAX_TAGS_PAGE, KeyId=key_id):
        tags.update(tag_map(page.get("Tags"), key="TagKey", value="TagValue"))
    return tags
