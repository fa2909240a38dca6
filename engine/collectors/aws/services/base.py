"""The interface every service reader implements, and the helpers they share."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from tagwarden.engine.collectors.aws.build import Tags, TagsDenied, make_resource
from tagwarden.engine.collectors.aws.calls import DENIED_CODES, error_code
from tagwarden.engine.collectors.aws.sdk import ClientError
from tagwarden.engine.resources import Resource


class ClientSource(Protocol):
    def get(self, service: str, region: str) -> Any: ...


class TagLookup(Protocol):
    def tags(self, region: str) -> Mapping[str, Mapping[str, str]] | None:
        """ARN -> tags of the region from the Tagging API; None when there is none to trust."""


@dataclass(frozen=True)
class ReadContext:
    """What a reader needs to read one region of one account (for a global service, the whole
    account: ``region`` is then where its API is called, ``regions`` the ones the scan covers)."""

    account: str
    region: str
    regions: tuple[str, ...]
    partition: str
    clients: ClientSource
    max_page_size: int | None = None
    tag_index: TagLookup | None = None  # None: every tag is read per resource

    def client(self, service: str, region: str | None = None) -> Any:
        return self.clients.get(service, region or self.region)

    def pages(self, client: Any, operation: str, page_size: int | None = None, minimum: int = 1, **params: Any) -> Any:
        """Every page of a paginated operation, at the largest page size the API allows."""
        config = {"PageSize": self.page_size(page_size, minimum)} if page_size else {}
        return client.get_paginator(operation).paginate(**params, PaginationConfig=config)

    def page_size(self, api_maximum: int, minimum: int = 1) -> int:
        if self.max_page_size is None:
            return api_maximum
        return max(minimum, min(api_maximum, self.max_page_size))

    def arn(self, service: str, resource: str, *, region: str | None = None, account: str | None = None) -> str:
        region = self.region if region is None else region
        account = self.account if account is None else account
        return f"arn:{self.partition}:{service}:{region}:{account}:{resource}"

    def indexed_tags(self, arn: str, region: str | None = None) -> Tags | None:
        """``arn``'s tags from the region's Tagging API sweep (``{}`` when the sweep does not
        mention it: never tagged); None when there is no sweep to trust: read them per resource."""
        if self.tag_index is None:
            return None
        index = self.tag_index.tags(region or self.region)
        if index is None:
            return None
        return index.get(arn, {})

    def resource(
        self,
        resource_type: str,
        arn: str,
        name: str | None,
        tags: Tags,
        *,
        region: str | None = None,
        created_at: str | None = None,
        parent: str | None = None,
    ) -> Resource:
        return make_resource(
            resource_type=resource_type,
            arn=arn,
            name=name,
            account=self.account,
            region=region or self.region,
            tags=tags,
            created_at=created_at,
            parent=parent,
        )


class ServiceReader(Protocol):
    """One AWS service (or a few close ones): lists its resources with their tags."""

    @property
    def name(self) -> str:
        """Unique among the readers; the word in progress and failure messages."""

    @property
    def iam_actions(self) -> tuple[str, ...]:
        """What a read-only policy must allow for this reader."""

    @property
    def resource_types(self) -> tuple[str, ...]:
        """The live types it yields, all of them known to the taggability registry."""

    @property
    def is_global(self) -> bool:
        """Read once per account (S3) instead of once per region."""

    def read(self, context: ReadContext) -> Iterator[Resource]: ...


class Gone(Exception):
    """The resource was deleted between being listed and being read: it is left out."""


def skip_denied(listing: Iterator[Resource]) -> Iterator[Resource]:
    """A listing the credentials may not call yields nothing; the call hook has already recorded
    the missing permission, and the reader goes on with its other listings."""
    try:
        yield from listing
    except ClientError as error:
        if error_code(error) not in DENIED_CODES:
            raise


def read_tags(
    call: Callable[[], Mapping[str, str]],
    permission: str,
    gone_codes: frozenset[str] = frozenset(),
    empty_codes: frozenset[str] = frozenset(),
) -> Tags:
    """The tags one per-resource call returns; ``TagsDenied`` when the permission is missing."""
    try:
        return call()
    except ClientError as error:
        code = error_code(error)
        if code in DENIED_CODES:
            return TagsDenied(permission)
        if code in empty_codes:
            return {}
        if code in gone_codes:
            raise Gone(code) from error
        raise


def indexed_or_read(
    context: ReadContext,
    arn: str,
    call: Callable[[], Mapping[str, str]],
    permission: str,
    gone_codes: frozenset[str] = frozenset(),
    empty_codes: frozenset[str] = frozenset(),
    *,
    region: str | None = None,
) -> Tags:
    """The tags of ``arn`` from the Tagging API index when there is one, else from ``call``."""
    indexed = context.indexed_tags(arn, region)
    if indexed is not None:
        return indexed
    return read_tags(call, permission, gone_codes, empty_codes)


def batches(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
