"""Tags from the Resource Groups Tagging API: one paginated GetResources sweep per (account, region)
gives the tags of every resource of the swept types, instead of one tag call per resource.

GetResources only returns resources that have (or once had) tags, so it never replaces the
services' own listings: a listed resource the sweep does not mention has no tags.

Trade-off: the Tagging API is fed from the services asynchronously and can lag a tag change by a
short time (seconds to a few minutes), where the per-resource calls read the service itself. A scan
run right after tags were changed may see the old tags; ``AwsCollector(tag_source="per-resource")``
reads every tag at the source instead, at one call per resource.

When the sweep is denied (the permission ``tag:GetResources`` is then recorded as missing) or fails
for any other reason, the region has no index and the readers fall back to their per-resource calls.
A sweep that fails half-way is thrown away: a partial index would report tagged resources as untagged.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from tagwarden.engine.collectors.aws.build import tag_map
from tagwarden.engine.collectors.aws.sdk import BotoCoreError, ClientError

TagSource = Literal["tagging-api", "per-resource"]
TAG_SOURCES: tuple[TagSource, ...] = ("tagging-api", "per-resource")
MAX_PAGE = 100  # ResourcesPerPage: the API's maximum
MAX_TYPE_FILTERS = 100  # ResourceTypeFilters: the API's maximum

ArnTags = Mapping[str, Mapping[str, str]]


class _Sweep:
    """The index of one region, made at most once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.done = False
        self.index: ArnTags | None = None


class TagIndex:
    """ARN -> tags for the regions of one account, each region swept the first time a reader asks
    (regions without resources of the swept types are never swept). Shared by the worker threads."""

    def __init__(self, clients: Any, type_filters: Iterable[str], max_page_size: int | None = None) -> None:
        self._clients = clients
        self._type_filters = sorted(set(type_filters))
        self._page_size = MAX_PAGE if max_page_size is None else max(1, min(MAX_PAGE, max_page_size))
        self._sweeps: dict[str, _Sweep] = {}
        self._lock = threading.Lock()

    def tags(self, region: str) -> ArnTags | None:
        """The region's ARN -> tags; None when the sweep was denied or failed (read per resource)."""
        sweep = self._sweep(region)
        with sweep.lock:
            if not sweep.done:
                sweep.index = self._read(region)
                sweep.done = True
            return sweep.index

    def _sweep(self, region: str) -> _Sweep:
        with self._lock:
            return self._sweeps.setdefault(region, _Sweep())

    def _read(self, region: str) -> ArnTags | None:
        if not self._type_filters or len(self._type_filters) > MAX_TYPE_FILTERS:
            return None
        client = self._clients.get("resourcegroupstaggingapi", region)
        try:
            return _swept(client, self._type_filters, self._page_size)
        except (ClientError, BotoCoreError):
            # A denial is recorded as a missing permission by the call hook; anything else costs
            # calls, not completeness: the readers fall back to their per-resource tag calls.
            return None


def _swept(client: Any, type_filters: list[str], page_size: int) -> ArnTags:
    index: dict[str, Mapping[str, str]] = {}
    pages = client.get_paginator("get_resources").paginate(
        ResourceTypeFilters=type_filters, PaginationConfig={"PageSize": page_size}
    )
    for page in pages:
        for mapping in page.get("ResourceTagMappingList", ()):
            index[_arn_key(mapping["ResourceARN"])] = tag_map(mapping.get("Tags"))
    return index


def _arn_key(arn: str) -> str:
    # Log group ARNs come with or without the ":*" that names their streams.
    return arn.removesuffix(":*")
