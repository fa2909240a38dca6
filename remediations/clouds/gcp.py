"""The GCP label writer: each supported type through its own service's REST API.

* Compute (instances, disks, images, snapshots, addresses, forwarding rules): ``GET`` the resource
  for ``labels`` and ``labelFingerprint``, then ``POST .../setLabels`` with the whole new map and
  that fingerprint; a stale fingerprint (412) means someone changed the labels meanwhile, so the
  labels are read again and the edit re-applied once on top of them.
* Cloud Storage buckets: JSON API ``PATCH /storage/v1/b/NAME`` with only the edited labels (``null``
  removes one) and ``ifMetagenerationMatch``.
* Projects: Resource Manager v3 ``PATCH /v3/projects/ID?updateMask=labels`` with the whole new map
  and the project's ``etag``.

Labels the edit does not name are never touched. Other types are not written: their outcome says to
change them in the console or IaC, so the remediation lists them for a person. The per-service
Python SDKs are not needed: plain requests through ``google.auth``'s ``AuthorizedSession``
(application-default credentials, or anonymous for emulators and test servers). ``--endpoint``
replaces every service's host (the paths keep their service prefix: ``/compute/v1``,
``/storage/v1``, ``/v3``). 429 and 503 are retried with back-off, honouring ``Retry-After``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import google.auth
import requests
from google.auth import exceptions as auth_exceptions
from google.auth.credentials import AnonymousCredentials, Credentials
from google.auth.transport.requests import AuthorizedSession

from tagwarden.engine.collectors.interface import CollectorError, check_endpoint
from tagwarden.remediations.clouds.interface import WriterError, WriterOptions, WriterStats
from tagwarden.remediations.targets import TagEdit, TagWrite, Target, WriteOutcome

CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
COMPUTE_BASE = "https://compute.googleapis.com"
STORAGE_BASE = "https://storage.googleapis.com"
RESOURCE_MANAGER_BASE = "https://cloudresourcemanager.googleapis.com"
TIMEOUT = 60.0  # seconds per HTTP request
_RETRIED_STATUSES = frozenset({429, 503})
_STALE_STATUSES = frozenset({409, 412})  # fingerprint, metageneration or etag no longer current

# Compute asset type -> its collection in the resource name (every one has a setLabels method)
COMPUTE_COLLECTIONS: dict[str, str] = {
    "compute.googleapis.com/Instance": "instances",
    "compute.googleapis.com/Disk": "disks",
    "compute.googleapis.com/Image": "images",
    "compute.googleapis.com/Snapshot": "snapshots",
    "compute.googleapis.com/Address": "addresses",
    "compute.googleapis.com/GlobalAddress": "addresses",
    "compute.googleapis.com/ForwardingRule": "forwardingRules",
    "compute.googleapis.com/GlobalForwardingRule": "forwardingRules",
}
BUCKET_TYPE = "storage.googleapis.com/Bucket"
PROJECT_TYPE = "cloudresourcemanager.googleapis.com/Project"
_COMPUTE_NAME = re.compile(
    r"^//compute\.googleapis\.com/(projects/[^/]+/(zones/[^/]+|regions/[^/]+|global))/([A-Za-z]+)/([^/]+)$"
)
_BUCKET_NAME = re.compile(r"^//storage\.googleapis\.com/(?:projects/_/)?buckets/([^/]+)$")
_PROJECT_NAME = re.compile(r"^//cloudresourcemanager\.googleapis\.com/projects/([^/]+)$")


class NotWritable(Exception):
    """This type's labels are not written by tagwarden."""


@dataclass(frozen=True)
class RetrySettings:
    """Back-off for 429 and 503 when the server gives no ``Retry-After``."""

    attempts: int = 6
    initial: float = 1.0
    maximum: float = 32.0
    multiplier: float = 2.0


@dataclass(frozen=True)
class LabelState:
    """A resource's labels and the token that makes a write conditional on them."""

    labels: dict[str, str]
    fingerprint: str | None  # labelFingerprint, metageneration or etag


def not_writable_message(resource_type: str) -> str:
    return f"labels of {resource_type} are not writable by tagwarden: change them in the console or IaC"


def apply_edits(labels: Mapping[str, str], edits: Sequence[TagEdit]) -> dict[str, str]:
    result = dict(labels)
    for edit in edits:
        if edit.after is None:
            result.pop(edit.key, None)
        else:
            result[edit.key] = edit.after
    return result


class GoogleCallError(Exception):
    """One call's failure, as ``STATUS STATE: message`` (with the missing permission on a 403)."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status


def _error_text(response: requests.Response, permission: str) -> str:
    try:
        error = response.json().get("error") or {}
    except ValueError:
        error = {}
    if not isinstance(error, dict):
        error = {"message": str(error)}
    state = error.get("status") or response.reason or ""
    message = error.get("message") or response.text[:200]
    if response.status_code == 403:
        return f"403 {state} (missing permission {permission}): {message}"
    return f"{response.status_code} {state}: {message}"


# --- one API per supported type ---------------------------------------------------------------


@dataclass(frozen=True)
class _Api:
    """The calls of one type: ``read`` the label state, ``write`` edits on top of a state."""

    operation: str  # the stats key of the write: "compute.instances.setLabels", ...
    permission: str
    read: Callable[[], LabelState]
    write: Callable[[LabelState, Sequence[TagEdit]], None]


class GcpTagWriter:
    provider: ClassVar[str] = "gcp"

    def __init__(self, options: WriterOptions, stats: WriterStats, retry: RetrySettings | None = None) -> None:
        self._stats = stats
        self._retry = retry or RetrySettings()
        try:
            endpoint = check_endpoint(options.endpoint) if options.endpoint else None
        except CollectorError as error:
            raise WriterError(str(error)) from error
        self._compute = f"{endpoint or COMPUTE_BASE}/compute/v1"
        self._storage = f"{endpoint or STORAGE_BASE}/storage/v1"
        self._resource_manager = f"{endpoint or RESOURCE_MANAGER_BASE}/v3"
        self._anonymous = options.anonymous
        self._session: AuthorizedSession | None = None
        self.fingerprints: dict[str, str | None] = {}  # resource_id -> the token read last
        # what current_tags() read, used once by write(): the fingerprint makes it safe (stale -> 412 -> read again)
        self._states: dict[str, LabelState] = {}
        self._worked = False  # a call succeeded: later credential or connection errors fail resources, not the run

    # --- HTTP -----------------------------------------------------------------------------------

    def _http(self) -> AuthorizedSession:
        if self._session is None:
            self._session = AuthorizedSession(self._credentials())  # type: ignore[no-untyped-call]
        return self._session

    def _credentials(self) -> Credentials:
        if self._anonymous:
            return AnonymousCredentials()  # type: ignore[no-untyped-call]
        try:
            credentials, _ = google.auth.default(scopes=[CLOUD_PLATFORM_SCOPE])
        except auth_exceptions.GoogleAuthError as error:
            raise WriterError(f"Google Cloud credentials: {error}") from error
        return credentials

    def _call(
        self, operation: str, permission: str, method: str, url: str,
        params: Mapping[str, str] | None = None, body: Any = None,
    ) -> Any:  # fmt: skip
        """One logical call: retried on 429 / 503; any other failure raises GoogleCallError."""
        self._stats.api_calls[operation] += 1
        delay = self._retry.initial
        for attempt in range(1, self._retry.attempts + 1):
            if attempt > 1:
                self._stats.retries += 1
            try:
                response: requests.Response = self._http().request(  # type: ignore[no-untyped-call]
                    method, url, params=params, json=body, timeout=TIMEOUT
                )
            except (requests.RequestException, auth_exceptions.GoogleAuthError) as error:
                raise WriterError(f"GCP {operation}: {error}") from error
            if response.status_code == 401:
                raise WriterError(f"GCP {operation}: {_error_text(response, permission)}")
            if response.status_code not in _RETRIED_STATUSES or attempt == self._retry.attempts:
                break
            if response.status_code == 429:
                self._stats.throttles += 1
            time.sleep(self._wait(response, delay))
            delay = min(delay * self._retry.multiplier, self._retry.maximum)
        if response.status_code >= 400:
            raise GoogleCallError(response.status_code, _error_text(response, permission))
        self._worked = True
        return response.json() if response.content else {}

    def _wait(self, response: requests.Response, delay: float) -> float:
        retry_after = response.headers.get("Retry-After", "")
        try:
            return min(float(retry_after), self._retry.maximum)
        except ValueError:
            return delay

    # --- which API a target uses ----------------------------------------------------------------

    def _api(self, target: Target) -> _Api:
        if target.type in COMPUTE_COLLECTIONS:
            return self._compute_api(target)
        if target.type == BUCKET_TYPE:
            return self._bucket_api(target)
        if target.type == PROJECT_TYPE:
            return self._project_api(target)
        raise NotWritable(not_writable_message(target.type))

    def _compute_api(self, target: Target) -> _Api:
        found = _COMPUTE_NAME.match(target.resource_id)
        collection = COMPUTE_COLLECTIONS[target.type]
        if found is None or found.group(3) != collection:
            raise NotWritable(f"{target.resource_id!r} is not the name of a {target.type}")
        location_path = found.group(1)
        collection_url = f"{self._compute}/{location_path}/{collection}/{found.group(4)}"
        read_operation = f"compute.{collection}.get"
        operation, permission = f"compute.{collection}.setLabels", f"compute.{collection}.setLabels"

        def read() -> LabelState:
            body = self._call(read_operation, f"compute.{collection}.get", "GET", collection_url)
            return LabelState(dict(body.get("labels") or {}), body.get("labelFingerprint"))

        def write(state: LabelState, edits: Sequence[TagEdit]) -> None:
            labels = apply_edits(state.labels, edits)
            body = {"labels": labels, "labelFingerprint": state.fingerprint}
            answer = self._call(operation, permission, "POST", f"{collection_url}/setLabels", body=body)
            self._wait_compute(answer, location_path, permission)

        return _Api(operation, permission, read, write)

    def _wait_compute(self, operation: Mapping[str, Any], location_path: str, permission: str) -> None:
        """setLabels answers a compute Operation; wait for it to be DONE and raise its error, if any."""
        for _ in range(30):
            if operation.get("status") in (None, "DONE"):
                break
            url = f"{self._compute}/{location_path}/operations/{operation['name']}/wait"
            operation = self._call("compute.operations.wait", permission, "POST", url)
        errors = (operation.get("error") or {}).get("errors") or []
        if errors:
            first = errors[0]
            raise GoogleCallError(400, f"{first.get('code', 'ERROR')}: {first.get('message', '')}")
        if operation.get("status") not in (None, "DONE"):
            raise GoogleCallError(504, f"operation {operation.get('name')} did not finish")

    def _bucket_api(self, target: Target) -> _Api:
        found = _BUCKET_NAME.match(target.resource_id)
        if found is None:
            raise NotWritable(f"{target.resource_id!r} is not the name of a {target.type}")
        url = f"{self._storage}/b/{found.group(1)}"
        operation = permission = "storage.buckets.update"

        def read() -> LabelState:
            body = self._call("storage.buckets.get", "storage.buckets.get", "GET", url,
                              params={"fields": "labels,metageneration"})  # fmt: skip
            return LabelState(dict(body.get("labels") or {}), body.get("metageneration"))

        def write(state: LabelState, edits: Sequence[TagEdit]) -> None:
            changed: dict[str, str | None] = {edit.key: edit.after for edit in edits}
            params = {"fields": "labels,metageneration"}
            if state.fingerprint is not None:
                params["ifMetagenerationMatch"] = str(state.fingerprint)
            self._call(operation, permission, "PATCH", url, params=params, body={"labels": changed})

        return _Api(operation, permission, read, write)

    def _project_api(self, target: Target) -> _Api:
        found = _PROJECT_NAME.match(target.resource_id)
        if found is None:
            raise NotWritable(f"{target.resource_id!r} is not the name of a {target.type}")
        url = f"{self._resource_manager}/projects/{found.group(1)}"
        operation = permission = "resourcemanager.projects.update"

        def read() -> LabelState:
            body = self._call("resourcemanager.projects.get", "resourcemanager.projects.get", "GET", url)
            return LabelState(dict(body.get("labels") or {}), body.get("etag"))

        def write(state: LabelState, edits: Sequence[TagEdit]) -> None:
            body: dict[str, Any] = {"labels": apply_edits(state.labels, edits)}
            if state.fingerprint is not None:
                body["etag"] = state.fingerprint
            answer = self._call(operation, permission, "PATCH", url, params={"updateMask": "labels"}, body=body)
            self._wait_project(answer, permission)

        return _Api(operation, permission, read, write)

    def _wait_project(self, operation: Mapping[str, Any], permission: str) -> None:
        for _ in range(30):
            if operation.get("done") or not operation.get("name"):
                break
            time.sleep(1.0)
            operation = self._call("resourcemanager.operations.get", permission, "GET",
                                   f"{self._resource_manager}/{operation['name']}")  # fmt: skip
        error = operation.get("error")
        if error:
            raise GoogleCallError(400, f"{error.get('code', 'ERROR')}: {error.get('message', '')}")

    # --- the interface ---------------------------------------------------------------------------

    def current_tags(self, targets: Sequence[Target]) -> dict[str, dict[str, str]]:
        found: dict[str, dict[str, str]] = {}
        for target in targets:
            try:
                state = self._api(target).read()
            except NotWritable as reason:
                self._stats.read_failures[target.resource_id] = str(reason)
                continue
            except GoogleCallError as error:
                if error.status != 404:
                    self._stats.read_failures[target.resource_id] = str(error)
                continue
            self.fingerprints[target.resource_id] = state.fingerprint
            self._states[target.resource_id] = state
            found[target.resource_id] = state.labels
        return found

    def write(self, writes: Sequence[TagWrite]) -> list[WriteOutcome]:
        outcomes: list[WriteOutcome] = []
        for index, write in enumerate(writes):
            try:
                outcomes.append(self._write_one(write))
            except WriterError as error:
                if not self._worked:
                    raise
                # it worked until now (credentials expired, the endpoint went away): the rest fail one by one
                outcomes.extend(WriteOutcome(rest.target, ok=False, error=str(error)) for rest in writes[index:])
                break
        return outcomes

    def _write_one(self, write: TagWrite) -> WriteOutcome:
        try:
            api = self._api(write.target)
            state = self._states.pop(write.target.resource_id, None)
            try:
                api.write(state or api.read(), write.edits)
            except GoogleCallError as error:
                if error.status not in _STALE_STATUSES:
                    raise
                api.write(api.read(), write.edits)  # changed meanwhile: once more, on top of the new labels
        except NotWritable as reason:
            return WriteOutcome(write.target, ok=False, error=str(reason))
        except GoogleCallError as error:
            return WriteOutcome(write.target, ok=False, error=str(error))
        return WriteOutcome(write.target, ok=True)
