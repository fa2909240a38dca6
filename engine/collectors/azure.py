"""The Azure collector: every subscription, resource group and resource an identity can read,
through Azure Resource Manager (the ``azure-mgmt-resource`` clients).

Per subscription it reads the resource groups first (their tags become ``context`` of the resources
in them: ``resource_group_tags``, never merged into the resource's own tags), then pages through
``GET /subscriptions/{id}/resources``. A subscription that fails is recorded in ``CollectStats`` and
the others are scanned; only credentials that do not work at all (or an endpoint that cannot be
reached) raise :class:`CollectorError`.

Credentials: a bearer token from ``TAGWARDEN_AZURE_TOKEN`` (in ``options.environ``), else
``DefaultAzureCredential``. ``options.endpoint`` is the ARM base URL (sovereign clouds, test servers);
the token scope follows it (``<endpoint>/.default``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any
from urllib.parse import urlparse

from azure.core.credentials import AccessToken, TokenCredential
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ServiceRequestError
from azure.core.pipeline import PipelineRequest, PipelineResponse
from azure.core.pipeline.policies import SansIOHTTPPolicy
from azure.core.rest import HttpRequest, HttpResponse
from azure.mgmt.core.exceptions import ARMErrorFormat
from azure.mgmt.resource.resources import ResourceManagementClient

from tagwarden.engine.collectors.interface import (
    CollectorError,
    CollectorOptions,
    CollectStats,
    ProgressCallback,
    check_endpoint,
)
from tagwarden.engine.resources import Resource, TagSet
from tagwarden.engine.taggability.registry import default_registry

ARM_ENDPOINT = "https://management.azure.com"
TOKEN_VARIABLE = "TAGWARDEN_AZURE_TOKEN"
SUBSCRIPTIONS_API_VERSION = "2022-12-01"
ACTIVITY_LOG_API_VERSION = "2015-04-01"
ACTIVITY_LOG_DAYS = 89  # the Activity Log keeps 90 days; stay inside them
_STATIC_TOKEN_LIFETIME = 10 * 365 * 24 * 3600
_UNREADABLE_STATES = frozenset({"disabled", "deleted"})
_DENIED_ACTION = re.compile(r"perform action '([^']+)'")
_RESOURCE_GROUP_IN_ID = re.compile(r"^/subscriptions/[^/]+/resourceGroups/([^/]+)", re.IGNORECASE)
_ATTEMPTS_KEY = "tagwarden_attempts"


@dataclass(frozen=True)
class _Operation:
    name: str  # the CollectStats.api_calls key: "service.OperationId"
    permission: str  # the RBAC action it needs
    path: re.Pattern[str]


_OPERATIONS: tuple[_Operation, ...] = (
    _Operation(
        "resources.Subscriptions_List",
        "Microsoft.Resources/subscriptions/read",
        re.compile(r"/subscriptions/?$", re.IGNORECASE),
    ),
    _Operation(
        "resources.ResourceGroups_List",
        "Microsoft.Resources/subscriptions/resourceGroups/read",
        re.compile(r"/subscriptions/[^/]+/resourcegroups/?$", re.IGNORECASE),
    ),
    _Operation(
        "resources.Resources_List",
        "Microsoft.Resources/subscriptions/resources/read",
        re.compile(r"/subscriptions/[^/]+/resources/?$", re.IGNORECASE),
    ),
    _Operation(
        "insights.ActivityLogs_List",
        "Microsoft.Insights/eventtypes/values/read",
        re.compile(r"/subscriptions/[^/]+/providers/microsoft\.insights/eventtypes/management/values/?$", re.I),
    ),
)
_OTHER_OPERATION = _Operation("arm.Other", "Microsoft.Resources/subscriptions/read", re.compile(r"$^"))


def operation_of(url: str) -> _Operation:
    path = urlparse(url).path
    for operation in _OPERATIONS:
        if operation.path.search(path):
            return operation
    return _OTHER_OPERATION


class StaticTokenCredential:
    """An ``azure.core`` TokenCredential around a bearer token obtained elsewhere (``TAGWARDEN_AZURE_TOKEN``)."""

    def __init__(self, token: str) -> None:
        self._token = token

    def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        return AccessToken(self._token, int(time.time()) + _STATIC_TOKEN_LIFETIME)


# --- counting calls, retries and throttles in the SDK pipeline --------------------------------


@dataclass
class _CallLog:
    stats: CollectStats
    allow_http: bool  # plain-http loopback endpoint: let the bearer-token policy send over http
    succeeded: int = 0  # 2xx responses so far: 0 means the credentials never worked


class _PerCallPolicy(SansIOHTTPPolicy[Any, Any]):
    """Runs once per logical call (before the retry policy): counts API calls by operation."""

    def __init__(self, log: _CallLog) -> None:
        self._log = log

    def on_request(self, request: PipelineRequest[Any]) -> None:
        if self._log.allow_http:
            request.context["enforce_https"] = False
        self._log.stats.api_calls[operation_of(request.http_request.url).name] += 1


class _PerAttemptPolicy(SansIOHTTPPolicy[Any, Any]):
    """Runs once per attempt (after the retry policy): counts retries, throttles and successes."""

    def __init__(self, log: _CallLog) -> None:
        self._log = log

    def on_request(self, request: PipelineRequest[Any]) -> None:
        attempts = int(request.context.get(_ATTEMPTS_KEY, 0)) + 1
        request.context[_ATTEMPTS_KEY] = attempts
        if attempts > 1:
            self._log.stats.retries += 1

    def on_response(self, request: PipelineRequest[Any], response: PipelineResponse[Any, Any]) -> None:
        status = response.http_response.status_code
        if status == 429:
            self._log.stats.throttles += 1
        elif 200 <= status < 300:
            self._log.succeeded += 1


@dataclass
class _Arm:
    """How to build ARM clients: credential, endpoint and the counting policies."""

    credential: TokenCredential
    endpoint: str
    log: _CallLog

    def client_options(self) -> dict[str, Any]:
        return {
            "base_url": self.endpoint,
            "credential_scopes": [f"{self.endpoint}/.default"],
            "per_call_policies": [_PerCallPolicy(self.log)],
            "per_retry_policies": [_PerAttemptPolicy(self.log)],
        }

    def resources_client(self, subscription_id: str) -> ResourceManagementClient:
        return ResourceManagementClient(self.credential, subscription_id, **self.client_options())


# --- subscriptions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Subscription:
    id: str
    name: str | None = None
    state: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    listed: bool = False  # seen in GET /subscriptions (so its own tags are known)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return str(value.value) if isinstance(value, Enum) else str(value)


def _subscription_client_class() -> Any | None:
    """``SubscriptionClient`` (azure-mgmt-resource-subscriptions, or azure-mgmt-resource < 26), if importable."""
    try:
        from azure.mgmt.resource.subscriptions import SubscriptionClient
    except ImportError:
        return None
    return SubscriptionClient


def _list_subscriptions(arm: _Arm) -> list[_Subscription]:
    client_class = _subscription_client_class()
    if client_class is not None:
        with client_class(arm.credential, **arm.client_options()) as client:
            return [
                _Subscription(
                    id=str(item.subscription_id),
                    name=item.display_name,
                    state=_text(item.state),
                    tags=dict(item.tags or {}),
                    listed=True,
                )
                for item in client.subscriptions.list()
            ]
    with arm.resources_client("-") as client:  # the REST call, without the subscriptions package
        items = rest_items(client, "/subscriptions", {"api-version": SUBSCRIPTIONS_API_VERSION})
        return [
            _Subscription(
                id=str(item["subscriptionId"]),
                name=item.get("displayName"),
                state=item.get("state"),
                tags=dict(item.get("tags") or {}),
                listed=True,
            )
            for item in items
        ]


def _chosen_subscriptions(wanted: tuple[str, ...], listed: list[_Subscription]) -> list[_Subscription]:
    """All readable listed subscriptions, or the wanted ones (listed details where known)."""
    if not wanted:
        return [item for item in listed if (item.state or "").lower() not in _UNREADABLE_STATES]
    by_id = {item.id.lower(): item for item in listed}
    return [by_id.get(subscription_id.lower(), _Subscription(id=subscription_id)) for subscription_id in wanted]


# --- plain ARM REST calls (subscriptions fallback, Activity Log) -------------------------------


def _raise_for_status(response: HttpResponse) -> None:
    if response.status_code == 401:
        raise ClientAuthenticationError(response=response, error_format=ARMErrorFormat)
    if response.status_code >= 400:
        raise HttpResponseError(response=response, error_format=ARMErrorFormat)


def rest_items(client: ResourceManagementClient, path: str, params: Mapping[str, str]) -> Iterator[dict[str, Any]]:
    """The ``value`` items of a paged ARM GET, following ``nextLink``."""
    request: HttpRequest | None = HttpRequest("GET", path, params=dict(params))
    while request is not None:
        response = client.send_request(request)
        _raise_for_status(response)
        body = response.json()
        yield from body.get("value") or []
        next_link = body.get("nextLink")
        request = HttpRequest("GET", next_link) if next_link else None


# --- who created what (Activity Log) ----------------------------------------------------------


@dataclass(frozen=True)
class _Creator:
    caller: str
    at: str  # ISO 8601, as the Activity Log gives it


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _activity_log_params(now: datetime) -> dict[str, str]:
    start = now - timedelta(days=ACTIVITY_LOG_DAYS)
    return {
        "api-version": ACTIVITY_LOG_API_VERSION,
        "$filter": f"eventTimestamp ge '{_iso(start)}' and eventTimestamp le '{_iso(now)}'",
        "$select": "caller,eventTimestamp,operationName,resourceId,status",
    }


def _successful_write(event: Mapping[str, Any]) -> _Creator | None:
    operation = str((event.get("operationName") or {}).get("value") or "")
    status = str((event.get("status") or {}).get("value") or "")
    if not operation.lower().endswith("/write") or status.lower() != "succeeded":
        return None
    if not event.get("caller") or not event.get("resourceId"):
        return None
    return _Creator(caller=str(event["caller"]), at=str(event.get("eventTimestamp") or ""))


def read_creators(client: ResourceManagementClient, subscription_id: str, now: datetime) -> dict[str, _Creator]:
    """Lower-cased resource id -> the earliest successful write in the Activity Log's window."""
    path = f"/subscriptions/{subscription_id}/providers/Microsoft.Insights/eventtypes/management/values"
    creators: dict[str, _Creator] = {}
    for event in rest_items(client, path, _activity_log_params(now)):
        creator = _successful_write(event)
        if creator is None:
            continue
        resource_id = str(event["resourceId"]).lower()
        known = creators.get(resource_id)
        if known is None or creator.at < known.at:
            creators[resource_id] = creator
    return creators


# --- turning ARM objects into resources -------------------------------------------------------


@dataclass(frozen=True)
class _SubscriptionView:
    """What the resources of one subscription share: its details, resource group tags, creators."""

    subscription: _Subscription
    group_tags: Mapping[str, Mapping[str, str]]  # lower-cased resource group name -> tags
    creators: Mapping[str, _Creator] = field(default_factory=dict)

    def base_context(self) -> dict[str, Any]:
        context: dict[str, Any] = {"subscription_id": self.subscription.id}
        if self.subscription.name:
            context["subscription_name"] = self.subscription.name
        if self.subscription.listed:
            context["subscription_tags"] = dict(self.subscription.tags)
        return context

    def creator_context(self, resource_id: str) -> dict[str, str]:
        creator = self.creators.get(resource_id.lower())
        if creator is None:
            return {}
        return {"created_by": creator.caller, "created_at": creator.at}


def _created_at(value: Any) -> str | None:
    if isinstance(value, datetime):
        return _iso(value) if value.tzinfo else value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return None if value is None else str(value)


def _live_resource(
    *, resource_type: str, resource_id: str, name: str | None, region: str | None,
    tags: Mapping[str, str] | None, account: str, context: Mapping[str, Any],
) -> Resource:  # fmt: skip
    info = default_registry().info(resource_type)
    return Resource(
        provider="azure",
        type=info.type,
        address=resource_id,
        id=resource_id,
        tags=TagSet(known=dict(tags or {})),
        taggability=info.taggability,
        name=name,
        account=account,
        region=region,
        context=dict(context),
    )


def subscription_resource(view: _SubscriptionView) -> Resource:
    subscription = view.subscription
    resource_id = f"/subscriptions/{subscription.id}"
    return _live_resource(
        resource_type="Microsoft.Resources/subscriptions",
        resource_id=resource_id,
        name=subscription.name or subscription.id,
        region=None,
        tags=subscription.tags,
        account=subscription.id,
        context={**view.base_context(), **view.creator_context(resource_id)},
    )


def group_resource(group: Any, view: _SubscriptionView) -> Resource:
    context = {
        **view.base_context(),
        "resource_group": group.name,
        "parent": f"/subscriptions/{view.subscription.id}",
        **view.creator_context(str(group.id)),
    }
    if group.managed_by:
        context["managed_by"] = group.managed_by
    return _live_resource(
        resource_type="Microsoft.Resources/resourceGroups",
        resource_id=str(group.id),
        name=group.name,
        region=group.location,
        tags=group.tags,
        account=view.subscription.id,
        context=context,
    )


def arm_resource(item: Any, view: _SubscriptionView) -> Resource:
    resource_id = str(item.id)
    context = view.base_context()
    group = _RESOURCE_GROUP_IN_ID.match(resource_id)
    if group:
        group_name = group.group(1)
        context["resource_group"] = group_name
        context["resource_group_tags"] = dict(view.group_tags.get(group_name.lower(), {}))
        context["parent"] = group.group(0)
    if item.managed_by:
        context["managed_by"] = item.managed_by
    created_at = _created_at(getattr(item, "created_time", None))
    if created_at:
        context["created_at"] = created_at
    context.update(view.creator_context(resource_id))
    return _live_resource(
        resource_type=str(item.type),
        resource_id=resource_id,
        name=item.name,
        region=item.location,
        tags=item.tags,
        account=view.subscription.id,
        context=context,
    )


# --- errors -----------------------------------------------------------------------------------


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _denied_permission(error: HttpResponseError) -> str:
    found = _DENIED_ACTION.search(str(error))
    if found:
        return found.group(1)
    request = getattr(error.response, "request", None)
    return operation_of(request.url if request is not None else "").permission


def _record_failure(error: HttpResponseError, where: str, stats: CollectStats) -> None:
    if error.status_code == 403:
        stats.missing_permissions.add(_denied_permission(error))
    stats.failures.append(f"{where}: {_first_line(error)}")


# --- the collector ----------------------------------------------------------------------------


def make_credential(environ: Mapping[str, str]) -> TokenCredential:
    token = environ.get(TOKEN_VARIABLE)
    if token:
        return StaticTokenCredential(token)
    from azure.identity import DefaultAzureCredential

    return DefaultAzureCredential()


def _check_credential(credential: TokenCredential, endpoint: str) -> None:
    """Fail before any call when the credential chain has no identity at all."""
    if isinstance(credential, StaticTokenCredential):
        return
    try:
        credential.get_token(f"{endpoint}/.default")
    except ClientAuthenticationError as error:
        raise CollectorError(f"Azure credentials: {error}") from error


class AzureCollector:
    name = "azure"

    def collect(
        self, options: CollectorOptions, stats: CollectStats, progress: ProgressCallback | None = None
    ) -> Iterator[Resource]:
        endpoint = check_endpoint(options.endpoint) if options.endpoint else ARM_ENDPOINT
        credential = make_credential(options.environ)
        try:
            _check_credential(credential, endpoint)
            log = _CallLog(stats=stats, allow_http=urlparse(endpoint).scheme == "http")
            arm = _Arm(credential=credential, endpoint=endpoint, log=log)
            for subscription in self._subscriptions(arm, options, stats):
                yield from self._collect_subscription(arm, subscription, options, progress)
        finally:
            close = getattr(credential, "close", None)
            if callable(close):
                close()

    def _subscriptions(self, arm: _Arm, options: CollectorOptions, stats: CollectStats) -> list[_Subscription]:
        try:
            listed = _list_subscriptions(arm)
        except (ClientAuthenticationError, ServiceRequestError) as error:
            raise CollectorError(f"Azure: {error}") from error
        except HttpResponseError as error:
            _record_failure(error, "subscriptions", stats)
            if not options.subscriptions:
                raise CollectorError(f"Azure: cannot list subscriptions: {error}") from error
            listed = []  # the named subscriptions are scanned all the same
        return _chosen_subscriptions(options.subscriptions, listed)

    def _collect_subscription(
        self, arm: _Arm, subscription: _Subscription, options: CollectorOptions, progress: ProgressCallback | None
    ) -> Iterator[Resource]:
        stats = arm.log.stats
        where = f"subscription {subscription.id}"
        try:
            for resource in self._subscription_resources(arm, subscription, options, progress):
                stats.resources += 1
                yield resource
        except (ClientAuthenticationError, ServiceRequestError) as error:
            if arm.log.succeeded == 0:  # the credentials or the endpoint never worked
                raise CollectorError(f"Azure: {error}") from error
            stats.failures.append(f"{where}: {_first_line(error)}")
        except HttpResponseError as error:
            _record_failure(error, where, stats)

    def _subscription_resources(
        self, arm: _Arm, subscription: _Subscription, options: CollectorOptions, progress: ProgressCallback | None
    ) -> Iterator[Resource]:
        stats = arm.log.stats
        with arm.resources_client(subscription.id) as client:
            _report(progress, f"azure {subscription.id}: resource groups", stats)
            groups = list(client.resource_groups.list())
            creators = self._creators(client, subscription.id, stats) if options.with_creators else {}
            view = _SubscriptionView(
                subscription=subscription,
                group_tags={str(group.name).lower(): dict(group.tags or {}) for group in groups},
                creators=creators,
            )
            if subscription.listed:
                yield subscription_resource(view)
            for group in groups:
                yield group_resource(group, view)
            for page in client.resources.list(expand="createdTime").by_page():
                for item in page:
                    yield arm_resource(item, view)
                _report(progress, f"azure {subscription.id}: resources", stats)

    def _creators(
        self, client: ResourceManagementClient, subscription_id: str, stats: CollectStats
    ) -> dict[str, _Creator]:
        """Optional: a subscription whose Activity Log cannot be read is still scanned, without creators."""
        try:
            return read_creators(client, subscription_id, datetime.now(UTC))
        except ClientAuthenticationError:
            raise
        except HttpResponseError as error:
            if error.status_code == 403:
                stats.missing_permissions.add(_denied_permission(error))
            else:
                stats.failures.append(f"subscription {subscription_id} activity log: {_first_line(error)}")
            return {}


def _report(progress: ProgressCallback | None, what: str, stats: CollectStats) -> None:
    if progress is not None:
        progress(what, stats.resources)
