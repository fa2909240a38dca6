"""AWS tag writer: the Resource Groups Tagging API, in as few calls as it allows.

* ``write``: resources that get the same tags are grouped, 20 ARNs a call (the API's maximum), per
  region (from the ARN). Every resource's new tags are written (TagResources) before old keys are
  removed (UntagResources), so a rename that fails half-way never loses the value.
* ARNs in ``FailedResourcesMap`` with a server-side or throttling error are retried with exponential
  back-off, then reported per ARN with AWS's own code and message. A whole call that fails with a
  client error is split into one call per ARN, so one bad ARN does not fail its 19 neighbours.
* Throttled calls are retried by botocore's adaptive mode (client-side rate limiting), as the
  collector does.
* ``current_tags``: GetResources with ResourceARNList, 100 ARNs a call. The API does not return a
  resource that never had tags, so a missing ARN means "no tags, or gone"; ``apply`` decides which.
* ``stop``: EC2 StopInstances, for the stop action a person approved.

Sessions, endpoints (``--endpoint`` / ``AWS_ENDPOINT_URL``) and credentials are built exactly as the
collector builds them.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar

from tagwarden.engine.collectors.aws.accounts import DEFAULT_HOME_REGION, _session
from tagwarden.engine.collectors.aws.calls import THROTTLE_CODES, describe_error
from tagwarden.engine.collectors.aws.clients import client_config
from tagwarden.engine.collectors.aws.sdk import BotoCoreError, ClientError
from tagwarden.engine.collectors.interface import CollectorError, check_endpoint
from tagwarden.remediations.clouds.interface import WriterError, WriterOptions, WriterStats
from tagwarden.remediations.targets import TagWrite, Target, WriteOutcome

TAG_BATCH = 20  # TagResources / UntagResources: at most 20 ARNs a call
READ_BATCH = 100  # GetResources: at most 100 ARNs in ResourceArnList
MAX_TAGS_PER_PAGE = 500  # GetResources also ends a page at TagsPerPage tags (default 100, at most 500)
_ARN = re.compile(r"^arn:(?P<partition>[^:]+):(?P<service>[^:]*):(?P<region>[^:]*):(?P<account>[^:]*):(?P<rest>.*)$")

Failures = dict[str, str]  # ARN -> "Code: message"


class _Recorder:
    """botocore event hooks that count calls, throttles and retries into the writer's stats."""

    def __init__(self, stats: WriterStats) -> None:
        self.stats = stats
        self.lock = threading.Lock()

    def attach(self, client: Any) -> None:
        client.meta.events.register("before-call", self._before_call)
        client.meta.events.register("needs-retry", self._needs_retry)
        client.meta.events.register("after-call", self._after_call)

    def _before_call(self, model: Any, **_: Any) -> None:
        with self.lock:
            self.stats.api_calls[f"{model.service_model.service_name}.{model.name}"] += 1

    def _needs_retry(self, response: Any = None, **_: Any) -> None:
        if response is None:
            return
        http_response, parsed = response
        code = parsed.get("Error", {}).get("Code") if isinstance(parsed, Mapping) else None
        if code in THROTTLE_CODES or getattr(http_response, "status_code", None) == 429:
            with self.lock:
                self.stats.throttles += 1

    def _after_call(self, parsed: Any, **_: Any) -> None:
        if isinstance(parsed, Mapping):
            retries = parsed.get("ResponseMetadata", {}).get("RetryAttempts") or 0
            with self.lock:
                self.stats.retries += retries


def region_of(target: Target, home_region: str) -> str:
    if target.region:
        return target.region
    match = _ARN.match(target.resource_id)
    return (match.group("region") if match else "") or home_region


class AwsTagWriter:
    provider: ClassVar[str] = "aws"
    max_attempts: int = 4  # for ARNs in FailedResourcesMap with a retryable error
    backoff_seconds: float = 0.5  # first back-off, doubled each attempt, with jitter (TAGWARDEN_AWS_BACKOFF_SECONDS)
    workers: int = 4  # calls in flight at once

    def __init__(self, options: WriterOptions, stats: WriterStats) -> None:
        self.stats = stats
        environ = dict(options.environ)
        endpoint = options.endpoint or environ.get("AWS_ENDPOINT_URL")
        try:
            self._endpoint = check_endpoint(endpoint) if endpoint else None
        except CollectorError as error:
            raise WriterError(str(error)) from error
        try:
            self._session = _session(environ, None)
        except BotoCoreError as error:
            raise WriterError(f"AWS: {describe_error(error)}") from error
        self.home_region = self._session.region_name or DEFAULT_HOME_REGION
        backoff = environ.get("TAGWARDEN_AWS_BACKOFF_SECONDS")
        if backoff:
            try:
                self.backoff_seconds = max(0.0, float(backoff))
            except ValueError:
                raise WriterError(f"TAGWARDEN_AWS_BACKOFF_SECONDS={backoff!r} is not a number of seconds") from None
        self._config = client_config(self._endpoint, max(10, self.workers * 2))
        self._recorder = _Recorder(stats)
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def _client(self, service: str, region: str) -> Any:
        with self._lock:
            client = self._clients.get((service, region))
            if client is None:
                try:
                    client = self._session.client(
                        service, region_name=region, endpoint_url=self._endpoint, config=self._config
                    )
                except BotoCoreError as error:
                    raise WriterError(f"AWS {service} in {region}: {describe_error(error)}") from error
                self._recorder.attach(client)
                self._clients[(service, region)] = client
            return client

    # --- reading -------------------------------------------------------------------------------

    def current_tags(self, targets: Sequence[Target]) -> dict[str, dict[str, str]]:
        by_region: dict[str, list[str]] = defaultdict(list)
        for target in targets:
            by_region[region_of(target, self.home_region)].append(target.resource_id)
        jobs = [(region, batch) for region, arns in by_region.items() for batch in _chunks(arns, READ_BATCH)]
        found: dict[str, dict[str, str]] = {}
        for tags in self._parallel(lambda job: self._read(*job), jobs):
            found.update(tags)
        return found

    def _read(self, region: str, arns: list[str]) -> dict[str, dict[str, str]]:
        client = self._client("resourcegroupstaggingapi", region)
        found: dict[str, dict[str, str]] = {}
        token = ""
        try:
            while True:
                page = client.get_resources(
                    ResourceARNList=arns,
                    ResourcesPerPage=READ_BATCH,
                    TagsPerPage=MAX_TAGS_PER_PAGE,
                    PaginationToken=token,
                )
                for mapping in page.get("ResourceTagMappingList", []):
                    found[mapping["ResourceARN"]] = {tag["Key"]: tag["Value"] for tag in mapping.get("Tags", [])}
                token = page.get("PaginationToken") or ""
                # a full page comes with a token even when nothing follows: stop once every ARN was seen
                if not token or len(found) == len(arns):
                    return found
        except ClientError as error:
            reason = f"{describe_error(error)} (GetResources)"
            with self._lock:
                self.stats.read_failures.update(dict.fromkeys(arns, reason))
            return {}
        except BotoCoreError as error:
            raise WriterError(f"AWS GetResources in {region}: {describe_error(error)}") from error

    # --- writing -------------------------------------------------------------------------------

    def write(self, writes: Sequence[TagWrite]) -> list[WriteOutcome]:
        tag_groups: dict[tuple[str, frozenset[tuple[str, str]]], list[str]] = defaultdict(list)
        untag_groups: dict[tuple[str, frozenset[str]], list[str]] = defaultdict(list)
        for write in writes:
            region = region_of(write.target, self.home_region)
            sets = {edit.key: edit.after for edit in write.edits if edit.after is not None}
            removes = frozenset(edit.key for edit in write.edits if edit.after is None)
            if sets:
                tag_groups[(region, frozenset(sets.items()))].append(write.target.resource_id)
            if removes:
                untag_groups[(region, removes)].append(write.target.resource_id)
        failures: Failures = {}
        tag_jobs = [
            (region, batch, {"Tags": dict(tags)})
            for (region, tags), arns in tag_groups.items()
            for batch in _chunks(arns, TAG_BATCH)
        ]
        for failed in self._parallel(lambda job: self._change("tag_resources", *job), tag_jobs):
            failures.update(failed)
        crowded = [w for w in writes if _at_tag_limit(failures.get(w.target.resource_id)) and _removes(w)]
        handled = {write.target.resource_id for write in crowded}
        untag_jobs = [
            (region, batch, {"TagKeys": sorted(keys)})
            for (region, keys), arns in untag_groups.items()
            for batch in _chunks([arn for arn in arns if arn not in failures and arn not in handled], TAG_BATCH)
        ]
        for failed in self._parallel(lambda job: self._change("untag_resources", *job), untag_jobs):
            failures.update(failed)
        for write in crowded:
            failures.pop(write.target.resource_id, None)
            failures.update(self._untag_first(write))
        return [
            WriteOutcome(write.target, write.target.resource_id not in failures, failures.get(write.target.resource_id))
            for write in writes
        ]

    def _change(self, operation: str, region: str, arns: list[str], arguments: Mapping[str, Any]) -> Failures:
        """One batch: retried ARNs that failed retryably; the rest reported. ARN -> error."""
        client = self._client("resourcegroupstaggingapi", region)
        call = getattr(client, operation)
        name = "TagResources" if operation == "tag_resources" else "UntagResources"
        remaining, failures = list(arns), {}
        for attempt in range(self.max_attempts):
            if attempt:
                self._back_off(attempt)
                with self._lock:
                    self.stats.retries += 1
            try:
                answer = call(ResourceARNList=remaining, **arguments)
            except ClientError as error:
                if len(remaining) > 1 and not _retryable_code(error):
                    return self._one_by_one(operation, region, remaining, arguments)
                failures = dict.fromkeys(remaining, f"{describe_error(error)} ({name})")
                if _retryable_code(error):
                    continue
                return failures
            except BotoCoreError as error:
                return dict.fromkeys(remaining, f"{describe_error(error)} ({name})")
            failed = answer.get("FailedResourcesMap") or {}
            failures = {arn: _failure_text(detail, name) for arn, detail in failed.items()}
            remaining = [arn for arn, detail in failed.items() if _retryable(detail)]
            if not remaining:
                return failures
        return failures

    def _untag_first(self, write: TagWrite) -> Failures:
        """A resource at the 50-tag limit whose new keys replace old ones (a rename): adding first can never
        fit, so remove first, then add; when adding still fails, put the removed values back."""
        region = region_of(write.target, self.home_region)
        arn = write.target.resource_id
        removed = {edit.key: edit.before for edit in write.edits if edit.after is None and edit.before is not None}
        sets = {edit.key: edit.after for edit in write.edits if edit.after is not None}
        failed = self._change("untag_resources", region, [arn], {"TagKeys": sorted(_removes(write))})
        if failed or not sets:
            return failed
        failed = self._change("tag_resources", region, [arn], {"Tags": sets})
        if not failed:
            return {}
        restored = self._change("tag_resources", region, [arn], {"Tags": removed}) if removed else {}
        outcome = "could not be put back: " + restored[arn] if restored else "were put back"
        return {arn: f"{failed[arn]}; the keys it replaces ({', '.join(sorted(removed))}) {outcome}"}

    def _one_by_one(self, operation: str, region: str, arns: list[str], arguments: Mapping[str, Any]) -> Failures:
        failures: Failures = {}
        for arn in arns:
            failures.update(self._change(operation, region, [arn], arguments))
        return failures

    def _back_off(self, attempt: int) -> None:
        delay = self.backoff_seconds * (2 ** (attempt - 1))
        time.sleep(delay * (0.5 + random.random() / 2))  # jitter, not security

    def _parallel(self, work: Callable[[Any], Any], jobs: Sequence[Any]) -> Iterator[Any]:
        if len(jobs) <= 1 or self.workers <= 1:
            yield from map(work, jobs)
            return
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="tagwarden-aws-write") as pool:
            yield from pool.map(work, jobs)

    # --- stopping ------------------------------------------------------------------------------

    def stop(self, targets: Sequence[Target]) -> list[WriteOutcome]:
        """StopInstances for EC2 instances; anything else fails with a reason."""
        outcomes: dict[str, WriteOutcome] = {}
        by_region: dict[str, list[Target]] = defaultdict(list)
        for target in targets:
            if target.type != "ec2:instance" or "instance/" not in target.resource_id:
                outcomes[target.resource_id] = WriteOutcome(target, False, f"cannot stop a {target.type}")
            else:
                by_region[region_of(target, self.home_region)].append(target)
        for region, group in by_region.items():
            client = self._client("ec2", region)
            for target in group:
                instance = target.resource_id.rsplit("instance/", 1)[1]
                try:
                    client.stop_instances(InstanceIds=[instance])
                    outcomes[target.resource_id] = WriteOutcome(target, True)
                except (ClientError, BotoCoreError) as error:
                    outcomes[target.resource_id] = WriteOutcome(
                        target, False, f"{describe_error(error)} (StopInstances)"
                    )
        return [outcomes[target.resource_id] for target in targets]


def _chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _removes(write: TagWrite) -> frozenset[str]:
    return frozenset(edit.key for edit in write.edits if edit.after is None)


def _at_tag_limit(failure: str | None) -> bool:
    """EC2 answers TagLimitExceeded; other services say it in words."""
    text = (failure or "").casefold()
    return "taglimitexceeded" in text or "maximum number of tags" in text or "tag limit" in text


def _retryable(detail: Mapping[str, Any]) -> bool:
    status = int(detail.get("StatusCode") or 0)
    return status >= 500 or status == 429 or detail.get("ErrorCode") in THROTTLE_CODES


def _retryable_code(error: ClientError) -> bool:
    code = error.response.get("Error", {}).get("Code")
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    return code in THROTTLE_CODES or status >= 500


def _failure_text(detail: Mapping[str, Any], operation: str) -> str:
    code = detail.get("ErrorCode") or "Error"
    message = detail.get("ErrorMessage") or ""
    status = detail.get("StatusCode")
    return f"{code}: {message} ({operation}, HTTP {status})" if status else f"{code}: {message} ({operation})"
