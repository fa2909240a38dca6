"""The Azure tag writer: ARM "Tags - Update At Scope" and "Tags - Get At Scope" through the
``azure-mgmt-resource`` client.

One scope (subscription, resource group or resource id) at a time. Removed keys go first, in one
``Delete`` patch naming each key with the value it had (so a key that changed meanwhile is not
lost), then the set values in one ``Merge`` patch: ARM compares tag names case-insensitively, so a
case-only rename (``costcenter`` -> ``CostCenter``) done in the other order would delete the key it
had just written. Tags the edit does not name are never touched.

Throttling (429) is retried by the SDK's retry policy, which honours ``Retry-After``. A resource
that is gone (404) or that the identity may not tag (403) is a failed ``WriteOutcome`` naming the
cloud's reason and the missing permission; credentials or an endpoint that do not work at all raise
``WriterError``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlparse

from azure.core.credentials import TokenCredential
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ServiceRequestError
from azure.core.pipeline import PipelineRequest, PipelineResponse
from azure.core.pipeline.policies import SansIOHTTPPolicy
from azure.mgmt.resource.resources import ResourceManagementClient

from tagwarden.engine.collectors.azure import ARM_ENDPOINT, StaticTokenCredential, make_credential
from tagwarden.engine.collectors.interface import CollectorError, check_endpoint
from tagwarden.remediations.clouds.interface import WriterError, WriterOptions, WriterStats
from tagwarden.remediations.targets import TagEdit, TagWrite, Target, WriteOutcome

TAGS_API_VERSION = "2021-04-01"
TAGS_SUFFIX = "/providers/Microsoft.Resources/tags/default"
GET_OPERATION = "resources.Tags_GetAtScope"
UPDATE_OPERATION = "resources.Tags_UpdateAtScope"
WRITE_PERMISSION = "Microsoft.Resources/tags/write"
READ_PERMISSION = "Microsoft.Resources/tags/read"
POLLING_INTERVAL = 1  # seconds between polls of an update answered 202 (Accepted)
_DENIED_ACTION = re.compile(r"perform action '([^']+)'")
_ATTEMPTS_KEY = "tagwarden_attempts"


# --- counting calls, retries and throttles in the SDK pipeline --------------------------------


class _PerCallPolicy(SansIOHTTPPolicy[Any, Any]):
    """Once per logical call (before the retry policy): counts calls by operation."""

    def __init__(self, stats: WriterStats, allow_http: bool) -> None:
        self._stats = stats
        self._allow_http = allow_http

    def on_request(self, request: PipelineRequest[Any]) -> None:
        if self._allow_http:  # plain-http loopback endpoint: let the bearer-token policy send over http
            request.context["enforce_https"] = False
        http_request = request.http_request
        is_update = http_request.method == "PATCH" and urlparse(http_request.url).path.endswith(TAGS_SUFFIX)
        self._stats.api_calls[UPDATE_OPERATION if is_update else GET_OPERATION] += 1


class _PerAttemptPolicy(SansIOHTTPPolicy[Any, Any]):
    """Once per attempt (after the retry policy): counts retries and throttles."""

    def __init__(self, stats: WriterStats) -> None:
        self._stats = stats

    def on_request(self, request: PipelineRequest[Any]) -> None:
        attempts = int(request.context.get(_ATTEMPTS_KEY, 0)) + 1
        request.context[_ATTEMPTS_KEY] = attempts
        if attempts > 1:
            self._stats.retries += 1

    def on_response(self, request: PipelineRequest[Any], response: PipelineResponse[Any, Any]) -> None:
        if response.http_response.status_code == 429:
            self._stats.throttles += 1


# --- edits as ARM patches ---------------------------------------------------------------------


def scope_of(target: Target) -> str:
    """The ARM scope of a target: its resource id without the leading slash (the SDK adds one)."""
    return target.resource_id.strip().strip("/")


@dataclass(frozen=True)
class _Patches:
    deletes: dict[str, str]  # key -> the value it had (ARM deletes the name/value pair)
    merges: dict[str, str]


def patches_for(edits: Sequence[TagEdit]) -> _Patches:
    deletes = {edit.key: edit.before for edit in edits if edit.after is None and edit.before is not None}
    merges = {edit.key: edit.after for edit in edits if edit.after is not None}
    return _Patches(deletes=deletes, merges=merges)


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def describe_failure(error: HttpResponseError, permission: str) -> str:
    """``404 ResourceNotFound: ...`` / ``403 AuthorizationFailed (missing permission X): ...``."""
    code = str(error.error.code if error.error is not None and error.error.code else (error.reason or ""))
    message = str((error.error.message if error.error is not None else None) or _first_line(error))
    status = error.status_code
    if status == 403:
        found = _DENIED_ACTION.search(message)
        return f"403 {code} (missing permission {found.group(1) if found else permission}): {message}"
    return f"{status} {code}: {message}"


class AzureTagWriter:
    provider: ClassVar[str] = "azure"

    def __init__(self, options: WriterOptions, stats: WriterStats) -> None:
        try:
            self._endpoint = check_endpoint(options.endpoint) if options.endpoint else ARM_ENDPOINT
        except CollectorError as error:
            raise WriterError(str(error)) from error
        self._environ: Mapping[str, str] = options.environ
        self._stats = stats
        self._credential: TokenCredential | None = None
        self._worked = False  # a call succeeded: later credential or connection errors fail resources, not the run

    # --- the client ---------------------------------------------------------------------------

    def _credentials(self) -> TokenCredential:
        if self._credential is None:
            credential = make_credential(self._environ)
            if not isinstance(credential, StaticTokenCredential):
                try:  # fail before any call when the credential chain has no identity at all
                    credential.get_token(f"{self._endpoint}/.default")
                except ClientAuthenticationError as error:
                    raise WriterError(f"Azure credentials: {error}") from error
            self._credential = credential
        return self._credential

    def _client(self) -> ResourceManagementClient:
        return ResourceManagementClient(
            self._credentials(),
            "-",  # the tags-at-scope calls name their subscription in the scope
            base_url=self._endpoint,
            credential_scopes=[f"{self._endpoint}/.default"],
            api_version=TAGS_API_VERSION,
            polling_interval=POLLING_INTERVAL,
            per_call_policies=[_PerCallPolicy(self._stats, urlparse(self._endpoint).scheme == "http")],
            per_retry_policies=[_PerAttemptPolicy(self._stats)],
        )

    # --- reading ------------------------------------------------------------------------------

    def current_tags(self, targets: Sequence[Target]) -> dict[str, dict[str, str]]:
        found: dict[str, dict[str, str]] = {}
        with self._client() as client:
            for target in targets:
                tags = self._read(client, target)
                if tags is not None:
                    found[target.resource_id] = tags
        return found

    def _read(self, client: ResourceManagementClient, target: Target) -> dict[str, str] | None:
        try:
            answer = client.tags.get_at_scope(scope_of(target))
        except (ClientAuthenticationError, ServiceRequestError) as error:
            raise WriterError(f"Azure: {_first_line(error)}") from error
        except HttpResponseError as error:
            if error.status_code == 404:
                return None
            self._stats.read_failures[target.resource_id] = describe_failure(error, READ_PERMISSION)
            return None
        self._worked = True
        properties = answer.properties
        return dict(properties.tags or {}) if properties is not None else {}

    # --- writing ------------------------------------------------------------------------------

    def write(self, writes: Sequence[TagWrite]) -> list[WriteOutcome]:
        outcomes: list[WriteOutcome] = []
        with self._client() as client:
            for index, write in enumerate(writes):
                try:
                    outcomes.append(self._write_one(client, write))
                except WriterError as error:
                    if not self._worked:
                        raise
                    # it worked until now (a token expired, the endpoint went away): the rest fail one by one
                    outcomes.extend(WriteOutcome(rest.target, ok=False, error=str(error)) for rest in writes[index:])
                    break
        return outcomes

    def _write_one(self, client: ResourceManagementClient, write: TagWrite) -> WriteOutcome:
        patches = patches_for(write.edits)
        scope = scope_of(write.target)
        removed = False
        try:
            if patches.deletes:
                self._update(client, scope, "Delete", patches.deletes)
                removed = True
            if patches.merges:
                self._update(client, scope, "Merge", patches.merges)
        except (ClientAuthenticationError, ServiceRequestError) as error:
            raise WriterError(f"Azure: {_first_line(error)}") from error
        except HttpResponseError as error:
            reason = describe_failure(error, WRITE_PERMISSION)
            if removed:
                reason += f" (the removal of {', '.join(sorted(patches.deletes))} was already made)"
            return WriteOutcome(write.target, ok=False, error=reason)
        self._worked = True
        return WriteOutcome(write.target, ok=True)

    def _update(self, client: ResourceManagementClient, scope: str, operation: str, tags: dict[str, str]) -> None:
        body = {"operation": operation, "properties": {"tags": tags}}
        client.tags.begin_update_at_scope(scope, body).result()
