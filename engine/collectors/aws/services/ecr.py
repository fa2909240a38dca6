"""ECR repositories; tags are read per repository."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from tagwarden.engine.collectors.aws.build import iso_time, tag_map
from tagwarden.engine.collectors.aws.services.base import Gone, ReadContext, read_tags, skip_denied
from tagwarden.engine.resources import Resource

MAX_PAGE = 1000
GONE = frozenset({"RepositoryNotFoundException"})


class EcrReader:
    name = "ecr"
    is_global = False
    iam_actions = ("ecr:DescribeRepositories", "ecr:ListTagsForResource")
    resource_types = ("ecr:repository",)
    # Per resource even with the Tagging API: moto (which the tests run against) does not answer
    # GetResources for ecr:repository, though AWS does; add "ecr:repository" here to use it.
    tagging_api_types: tuple[str, ...] = ()

    def read(self, context: ReadContext) -> Iterator[Resource]:
        yield from skip_denied(_repositories(context, context.client("ecr")))


READER = EcrReader()


def _repositories(context: ReadContext, client: Any) -> Iterator[Resource]:
    for page in context.pages(client, "describe_repositories", MAX_PAGE):
        for repository in page.get("repositories", ()):
            arn = repository["repositoryArn"]
            try:
                tags = read_tags(partial(_tags, client, arn), "ecr:ListTagsForResource", GONE)
            except Gone:
                continue
            created = iso_time(repository.get("createdAt"))
            yield context.resource("ecr:repository", arn, repository["repositoryName"], tags, created_at=created)


def _tags(client: Any, arn: str) -> dict[str, str]:
    return tag_map(client.list_tags_for_resource(resourceArn=arn).get("tags"))
