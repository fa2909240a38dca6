"""``AwsCollector``: accounts -> regions -> service readers, read on a few worker threads and
streamed to the caller as :class:`Resource` objects.

Never-tagged resources are found because every type is listed by its own service (the Resource
Groups Tagging API only knows resources that were tagged at least once). Tags that the listings do
not carry come, by default, from one Tagging API sweep per region (see ``tagging``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from functools import partial

from tagwarden.engine.collectors.aws.accounts import AccountTarget, identities, targets
from tagwarden.engine.collectors.aws.calls import (
    ACCOUNT_FAILURE_CODES,
    DENIED_CODES,
    REGION_FAILURE_CODES,
    CallRecorder,
    describe_error,
    error_code,
)
from tagwarden.engine.collectors.aws.clients import ClientPool, resolve_endpoint
from tagwarden.engine.collectors.aws.creators import CreatorIndex
from tagwarden.engine.collectors.aws.sdk import BotoCoreError, ClientError
from tagwarden.engine.collectors.aws.services.base import ReadContext, ServiceReader
from tagwarden.engine.collectors.aws.services.registry import DEFAULT_READERS, select
from tagwarden.engine.collectors.aws.streaming import Task, TaskDone, stream
from tagwarden.engine.collectors.aws.tagging import TAG_SOURCES, TagIndex, TagSource
from tagwarden.engine.collectors.interface import CollectorOptions, CollectStats, ProgressCallback
from tagwarden.engine.resources import Resource

ENABLED_OPT_IN = frozenset({"opt-in-not-required", "opted-in"})

# Calls made outside the service readers.
BASE_IAM_ACTIONS = ("sts:GetCallerIdentity", "ec2:DescribeRegions")
ORG_IAM_ACTIONS = ("organizations:ListAccounts", "sts:AssumeRole")
CREATOR_IAM_ACTIONS = ("cloudtrail:LookupEvents",)
TAGGING_IAM_ACTIONS = ("tag:GetResources",)


class AwsCollector:
    """``tagwarden scan aws``.

    ``services`` limits the scan to some readers (by name: ec2, s3, rds, ...); ``max_workers``
    (service x region) reads run at once; ``max_page_size`` lowers every page size (tests, or
    APIs that time out on big pages); CloudTrail is paced at ``cloudtrail_rate`` calls a second per
    region and read at most ``cloudtrail_max_pages`` pages (50 events each) per event name.

    ``tag_source`` says where the tags the listings do not carry come from: "tagging-api" (the
    default), one Resource Groups Tagging API sweep per region for the readers that declare
    ``tagging_api_types``, falling back to per-resource calls where the sweep is denied or fails;
    "per-resource", one tag call per resource, which sees tag changes the Tagging API may not show
    yet (it lags them by a short time), at several times the calls.
    """

    name = "aws"

    def __init__(
        self,
        *,
        services: Sequence[str] | None = None,
        readers: Sequence[ServiceReader] = DEFAULT_READERS,
        max_workers: int = 8,
        max_page_size: int | None = None,
        cloudtrail_rate: float = 2.0,
        cloudtrail_max_pages: int = 20,
        tag_source: TagSource = "tagging-api",
    ) -> None:
        if tag_source not in TAG_SOURCES:
            raise ValueError(f"unknown tag source {tag_source!r}; known: {', '.join(TAG_SOURCES)}")
        self.readers = select(services, readers)
        self.tag_source = tag_source
        self.max_workers = max_workers
        self.max_page_size = max_page_size
        self.cloudtrail_rate = cloudtrail_rate
        self.cloudtrail_max_pages = cloudtrail_max_pages

    def required_permissions(self, options: CollectorOptions | None = None) -> tuple[str, ...]:
        """The IAM actions a read-only policy must allow for a full scan with these options."""
        actions = list(BASE_IAM_ACTIONS)
        for reader in self.readers:
            actions.extend(reader.iam_actions)
        if self.tagging_api_types():
            actions.extend(TAGGING_IAM_ACTIONS)
        if options is not None and options.org_role:
            actions.extend(ORG_IAM_ACTIONS)
        if options is not None and options.with_creators:
            actions.extend(CREATOR_IAM_ACTIONS)
        return tuple(dict.fromkeys(actions))

    def tagging_api_types(self) -> tuple[str, ...]:
        """The ResourceTypeFilters of the Tagging API sweeps; empty when tags are read per resource."""
        if self.tag_source != "tagging-api":
            return ()
        found = (kind for reader in self.readers for kind in getattr(reader, "tagging_api_types", ()))
        return tuple(dict.fromkeys(found))

    def collect(
        self, options: CollectorOptions, stats: CollectStats, progress: ProgressCallback | None = None
    ) -> Iterator[Resource]:
        """Raises ``CollectorError`` (before yielding anything) when no credentials work, the
        endpoint is refused or, with ``--org-role``, the organisation cannot be listed."""
        endpoint = resolve_endpoint(options)
        recorder = CallRecorder(stats)
        pool_size = self.max_workers + 2
        accounts = targets(identities(options, endpoint, recorder, pool_size), options, endpoint, pool_size)
        report = progress or _ignore
        for target in accounts:
            # Failures name the account only when there is more than one: "eu-west-1: ..." otherwise.
            prefix = f"account {target.account} " if len(accounts) > 1 else ""
            report(f"aws {target.label}", stats.resources)
            yield from self._collect_account(target, prefix, options, stats, recorder, report)

    def _collect_account(
        self,
        target: AccountTarget,
        prefix: str,
        options: CollectorOptions,
        stats: CollectStats,
        recorder: CallRecorder,
        report: ProgressCallback,
    ) -> Iterator[Resource]:
        try:
            clients = target.connect()
        except (BotoCoreError, ClientError) as error:
            recorder.fail(f"account {target.account}: {describe_error(error)}")
            return
        regions = self._regions(options, clients, target, prefix, recorder)
        scan = _AccountScan(self, target, prefix, clients, regions, recorder, options.with_creators)
        for item in stream(scan.tasks(), self.max_workers):
            if isinstance(item, TaskDone):
                report(f"aws {target.account} {item.label}", stats.resources)
                continue
            stats.resources += 1
            yield with_account_tags(item, target.tags) if target.tags else item

    def _regions(
        self, options: CollectorOptions, clients: ClientPool, target: AccountTarget, prefix: str, recorder: CallRecorder
    ) -> tuple[str, ...]:
        if options.regions:
            return tuple(dict.fromkeys(options.regions))
        try:
            answer = clients.get("ec2", target.home_region).describe_regions(AllRegions=False)
        except (BotoCoreError, ClientError) as error:
            recorder.fail(
                f"{prefix}{target.home_region}: cannot list the enabled regions, only this one was read: "
                f"{describe_error(error)}"
            )
            return (target.home_region,)
        enabled = (
            region["RegionName"]
            for region in answer.get("Regions", ())
            # AllRegions=False already leaves out regions not opted in; emulators may not.
            if region.get("OptInStatus", "opt-in-not-required") in ENABLED_OPT_IN
        )
        return tuple(sorted(enabled))


class _AccountScan:
    """The reads of one account, and what went wrong in it (shared by the worker threads)."""

    def __init__(
        self,
        collector: AwsCollector,
        target: AccountTarget,
        prefix: str,
        clients: ClientPool,
        regions: tuple[str, ...],
        recorder: CallRecorder,
        with_creators: bool,
    ) -> None:
        self._collector = collector
        self._target = target
        self._prefix = prefix
        self._clients = clients
        self._regions = regions
        self._recorder = recorder
        self._with_creators = with_creators
        self._failed_regions: set[str] = set()
        self._account_failed = False
        self._creator_indexes: dict[str, CreatorIndex] = {}
        self._tag_index = _tag_index(collector, clients)
        self._lock = threading.Lock()

    def tasks(self) -> list[Task[Resource]]:
        home = self._target.home_region
        found: list[Task[Resource]] = []
        for reader in self._collector.readers:
            if reader.is_global:
                found.append(Task(reader.name, partial(self._read, reader, home)))
        for region in self._regions:
            for reader in self._collector.readers:
                if not reader.is_global:
                    found.append(Task(f"{region} {reader.name}", partial(self._read, reader, region)))
        return found

    def _read(self, reader: ServiceReader, region: str) -> Iterator[Resource]:
        if self._skipped(region, reader):
            return
        context = ReadContext(
            account=self._target.account,
            region=region,
            regions=self._regions,
            partition=self._clients.partition(region),
            clients=self._clients,
            max_page_size=self._collector.max_page_size,
            tag_index=self._tag_index,
        )
        try:
            resources = reader.read(context)
            if self._with_creators:
                resources = self._creators_added(list(resources), region)
            yield from resources
        except ClientError as error:
            self._client_error(reader, region, error)
        except BotoCoreError as error:
            self._recorder.fail(f"{self._prefix}{region}: {reader.name}: {describe_error(error)}")

    def _skipped(self, region: str, reader: ServiceReader) -> bool:
        with self._lock:
            return self._account_failed or (not reader.is_global and region in self._failed_regions)

    def _client_error(self, reader: ServiceReader, region: str, error: ClientError) -> None:
        code = error_code(error)
        if code in DENIED_CODES:
            return  # the call hook has recorded the missing permission; the other readers go on
        with self._lock:
            if code in ACCOUNT_FAILURE_CODES:
                if self._account_failed:
                    return
                self._account_failed = True
                message = f"account {self._target.account}: {describe_error(error)}"
            elif code in REGION_FAILURE_CODES and not reader.is_global:
                if region in self._failed_regions:
                    return
                self._failed_regions.add(region)
                message = f"{self._prefix}{region}: {describe_error(error)}"
            else:
                message = f"{self._prefix}{region}: {reader.name}: {describe_error(error)}"
        self._recorder.fail(message)

    def _creators_added(self, resources: list[Resource], region: str) -> Iterator[Resource]:
        for resource in resources:
            yield from self._creator_index(resource.region or region).enrich((resource,))

    def _creator_index(self, region: str) -> CreatorIndex:
        with self._lock:
            index = self._creator_indexes.get(region)
            if index is None:
                index = CreatorIndex(
                    self._clients.get("cloudtrail", region),
                    self._collector.cloudtrail_rate,
                    self._collector.cloudtrail_max_pages,
                    partial(self._creators_failed, region),
                )
                self._creator_indexes[region] = index
            return index

    def _creators_failed(self, region: str, error: Exception) -> None:
        if isinstance(error, ClientError) and error_code(error) in DENIED_CODES:
            return  # recorded as a missing permission; creators are extra information
        self._recorder.fail(f"{self._prefix}{region}: cloudtrail: {describe_error(error)}")


def _tag_index(collector: AwsCollector, clients: ClientPool) -> TagIndex | None:
    types = collector.tagging_api_types()
    return TagIndex(clients, types, collector.max_page_size) if types else None


def _ignore(what: str, count: int) -> None:
    return None


def with_account_tags(resource: Resource, tags: Mapping[str, str]) -> Resource:
    """The resource with its account's tags in its context (``account_tags``), for remediation values."""
    return replace(resource, context={**resource.context, "account_tags": dict(tags)})
