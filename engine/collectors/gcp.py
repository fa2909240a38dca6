"""The GCP collector: every resource Cloud Asset Inventory can find in a scope (an organization, a
folder or a project), through ``AssetServiceClient.search_all_resources``.

Labels are the tags. Two searches are made over the scope: first the projects (asset type
``cloudresourcemanager.googleapis.com/Project``), whose labels become ``context["project_labels"]``
of the resources in them and whose ids turn the ``projects/NUMBER`` of every result into the
account (the project id); then every resource. Credentials are the application-default ones
(``GOOGLE_APPLICATION_CREDENTIALS``, gcloud, the metadata server), or anonymous for emulators
and test servers (``options.anonymous``). ``options.endpoint`` overrides the API endpoint; a
plain-http loopback endpoint is spoken to through the REST transport.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

import google.auth
import requests
from google.api_core import exceptions as api_exceptions
from google.api_core.retry import Retry, if_exception_type
from google.auth import exceptions as auth_exceptions
from google.auth.credentials import AnonymousCredentials, Credentials
from google.cloud.asset_v1 import AssetServiceClient
from google.cloud.asset_v1.types import ResourceSearchResult, SearchAllResourcesRequest, SearchAllResourcesResponse

from tagwarden.engine.collectors.interface import (
    CollectorError,
    CollectorOptions,
    CollectStats,
    ProgressCallback,
    check_endpoint,
)
from tagwarden.engine.resources import Resource, TagSet
from tagwarden.engine.taggability.registry import default_registry

SEARCH_OPERATION = "cloudasset.SearchAllResources"
SEARCH_PERMISSION = "cloudasset.assets.searchAllResources"
PROJECT_TYPE = "cloudresourcemanager.googleapis.com/Project"
CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
PAGE_SIZE = 500
_SCOPE = re.compile(r"^(organizations|folders|projects)/[^/\s]+$")
_PROJECT_SEGMENT = re.compile(r"/projects/([^/]+)")


@dataclass(frozen=True)
class RetrySettings:
    """Exponential back-off for throttled (429 / RESOURCE_EXHAUSTED) and unavailable (503) calls."""

    initial: float = 1.0
    maximum: float = 60.0
    multiplier: float = 2.0
    deadline: float = 300.0


# --- client and credentials -------------------------------------------------------------------


def require_scope(scope: str | None) -> str:
    if not scope:
        raise CollectorError("gcp needs --scope organizations/ID, folders/ID or projects/ID")
    if not _SCOPE.match(scope):
        raise CollectorError(f"--scope {scope!r} is not organizations/ID, folders/ID or projects/ID")
    return scope


def make_credentials(options: CollectorOptions) -> Credentials:
    """Application-default credentials (``GOOGLE_APPLICATION_CREDENTIALS``, gcloud, the metadata server)."""
    if options.anonymous:
        return AnonymousCredentials()  # type: ignore[no-untyped-call]
    try:
        credentials, _ = google.auth.default(scopes=[CLOUD_PLATFORM_SCOPE])
    except auth_exceptions.GoogleAuthError as error:
        raise CollectorError(f"Google Cloud credentials: {error}") from error
    return credentials


def client_arguments(endpoint: str | None) -> dict[str, Any]:
    """``client_options`` / ``transport`` for an endpoint override: REST keeps a scheme and a path, gRPC a host."""
    if not endpoint:
        return {}
    endpoint = check_endpoint(endpoint)
    parsed = urlparse(endpoint)
    if parsed.scheme == "http" or parsed.path not in ("", "/"):
        return {"client_options": {"api_endpoint": endpoint}, "transport": "rest"}
    return {"client_options": {"api_endpoint": parsed.netloc}}


def make_client(options: CollectorOptions) -> AssetServiceClient:
    return AssetServiceClient(credentials=make_credentials(options), **client_arguments(options.endpoint))


def make_retry(settings: RetrySettings, stats: CollectStats) -> Retry:
    def count(error: Exception) -> None:
        stats.retries += 1
        if isinstance(error, api_exceptions.TooManyRequests):  # ResourceExhausted is one too
            stats.throttles += 1

    return Retry(
        predicate=if_exception_type(api_exceptions.TooManyRequests, api_exceptions.ServiceUnavailable),
        initial=settings.initial,
        maximum=settings.maximum,
        multiplier=settings.multiplier,
        timeout=settings.deadline,
        on_error=count,
    )


# --- searching --------------------------------------------------------------------------------


@dataclass
class _Search:
    """One scope's searches, counting calls and the pages read so far."""

    client: AssetServiceClient
    scope: str
    retry: Retry
    stats: CollectStats
    pages_read: int = 0

    def pages(self, asset_types: tuple[str, ...] = ()) -> Iterator[SearchAllResourcesResponse]:
        token = ""
        while True:
            self.stats.api_calls[SEARCH_OPERATION] += 1
            request = SearchAllResourcesRequest(
                scope=self.scope, asset_types=list(asset_types), page_size=PAGE_SIZE, page_token=token
            )
            pager = self.client.search_all_resources(request=request, retry=self.retry)
            page = next(iter(pager.pages))
            self.pages_read += 1
            yield page
            token = page.next_page_token
            if not token:
                return


_CANNOT_READ = (api_exceptions.GoogleAPIError, auth_exceptions.GoogleAuthError, requests.RequestException)


def _fail(error: Exception, what: str, search: _Search) -> None:
    """Record an error; raise CollectorError when nothing at all could be read."""
    if isinstance(error, api_exceptions.Forbidden):
        search.stats.missing_permissions.add(SEARCH_PERMISSION)
    if search.pages_read == 0:
        raise CollectorError(f"Cloud Asset API, {search.scope}: {error}") from error
    search.stats.failures.append(f"{search.scope} {what}: {error}")


# --- projects ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Project:
    number: str
    project_id: str | None
    labels: Mapping[str, str] = field(default_factory=dict)


def _number_of(result: ResourceSearchResult) -> str | None:
    number = result.project.removeprefix("projects/")
    if number:
        return number
    found = _PROJECT_SEGMENT.search(result.name)
    return found.group(1) if found and found.group(1).isdigit() else None


def _project_id_hint(result: ResourceSearchResult) -> str | None:
    """The project id where the result's own names carry one (parent or name ``.../projects/ID/...``)."""
    if result.asset_type == PROJECT_TYPE:
        attributes = result.additional_attributes or {}
        if attributes.get("projectId"):
            return str(attributes["projectId"])
    for text in (result.parent_full_resource_name, result.name):
        found = _PROJECT_SEGMENT.search(text or "")
        if found and not found.group(1).isdigit() and found.group(1) != "_":
            return found.group(1)
    return None


def read_projects(search: _Search) -> dict[str, _Project]:
    """Project number -> project, for every project in the scope."""
    projects: dict[str, _Project] = {}
    try:
        for page in search.pages((PROJECT_TYPE,)):
            for result in page.results:
                number = _number_of(result)
                if number:
                    projects[number] = _Project(number, _project_id_hint(result), dict(result.labels))
    except _CANNOT_READ as error:
        _fail(error, "projects", search)
    return projects


# --- resources --------------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _context(result: ResourceSearchResult, number: str | None, project: _Project | None) -> dict[str, Any]:
    context: dict[str, Any] = {}
    if number:
        context["project_number"] = number
    if project is not None:
        context["project_labels"] = dict(project.labels)
        if project.project_id:
            context["project_id"] = project.project_id
    if result.parent_full_resource_name:
        context["parent"] = result.parent_full_resource_name
    created_at = _iso(result.create_time)
    if created_at:
        context["created_at"] = created_at
    return context


def gcp_resource(result: ResourceSearchResult, projects: Mapping[str, _Project]) -> Resource:
    number = _number_of(result)
    project = projects.get(number) if number else None
    account = (project.project_id if project else None) or _project_id_hint(result) or number
    info = default_registry().info(result.asset_type)
    return Resource(
        provider="gcp",
        type=info.type,
        address=result.name,
        id=result.name,
        tags=TagSet(known=dict(result.labels)),
        taggability=info.taggability,
        name=result.display_name or result.name.rsplit("/", 1)[-1],
        account=account,
        region=result.location or None,
        context=_context(result, number, project),
    )


class GcpCollector:
    name = "gcp"

    def __init__(self, retry_settings: RetrySettings | None = None) -> None:
        self._retry_settings = retry_settings or RetrySettings()

    def collect(
        self, options: CollectorOptions, stats: CollectStats, progress: ProgressCallback | None = None
    ) -> Iterator[Resource]:
        scope = require_scope(options.scope)
        with make_client(options) as client:
            search = _Search(client, scope, make_retry(self._retry_settings, stats), stats)
            _report(progress, f"gcp {scope}: projects", stats)
            projects = read_projects(search)
            try:
                for page in search.pages():
                    for result in page.results:
                        stats.resources += 1
                        yield gcp_resource(result, projects)
                    _report(progress, f"gcp {scope}: resources", stats)
            except _CANNOT_READ as error:
                _fail(error, "resources", search)


def _report(progress: ProgressCallback | None, what: str, stats: CollectStats) -> None:
    if progress is not None:
        progress(what, stats.resources)
