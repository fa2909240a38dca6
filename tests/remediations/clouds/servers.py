"""The collectors' fake ARM and Cloud Asset servers, made writable: the SAME server answers the
collectors' list calls and the tag writers' calls, on the same state, so a write shows in a rescan.

ARM gains ``GET`` / ``PATCH {scope}/providers/Microsoft.Resources/tags/default`` (Merge, Delete,
Replace; tag names compared case-insensitively, as ARM does) for subscriptions, resource groups and
resources. The Google fake gains the three label APIs the GCP writer speaks: Compute
(``GET`` a resource with ``labelFingerprint``, ``POST .../setLabels``, 412 on a stale fingerprint),
Cloud Storage JSON (``GET`` / ``PATCH /storage/v1/b/NAME``, ``null`` deletes a label,
``ifMetagenerationMatch``) and Resource Manager v3 (``GET`` / ``PATCH /v3/projects/ID?updateMask=labels``,
answering a done long-running operation). Both inject 429 (with ``Retry-After``), 403 and 404.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from http.server import ThreadingHTTPServer
from typing import Any, Protocol

from fake_cloud_servers import Answer, ArmFake, AssetFake, Recorded, _Handler, arm_error, google_error
from planted_clouds import planted_arm, planted_assets

# --- a server that hands request bodies to the fake -------------------------------------------


@dataclass(frozen=True)
class Body:
    method: str
    path: str
    query: Mapping[str, list[str]]
    json: Any


class WritableFake(Protocol):
    base_url: str
    requests: list[Recorded]
    bodies: list[Body]

    def answer(self, method: str, path: str, query: Mapping[str, list[str]], headers: Mapping[str, str]) -> Answer: ...

    def answer_body(
        self, method: str, path: str, query: Mapping[str, list[str]], headers: Mapping[str, str], body: Any
    ) -> Answer: ...


class _BodyHandler(_Handler):
    server: _BodyServer  # type: ignore[assignment]

    def do_PATCH(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def _serve(self) -> None:
        from urllib.parse import parse_qs, urlparse

        parsed = urlparse(self.path)
        query = parse_qs(parsed.query)
        headers = {key.lower(): value for key, value in self.headers.items()}
        length = int(headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw.strip() else None
        fake = self.server.fake
        with self.server.lock:  # one request at a time on the shared state
            if body is not None:
                fake.bodies.append(Body(self.command, parsed.path, query, body))
            status, extra_headers, answer = fake.answer_body(self.command, parsed.path, query, headers, body)
            fake.requests.append(Recorded(self.command, parsed.path, query, headers, time.monotonic(), status))
        payload = b"" if answer is None else json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for key, value in extra_headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)


class _BodyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: WritableFake) -> None:
        super().__init__(("127.0.0.1", 0), _BodyHandler)
        self.fake = fake
        self.lock = threading.Lock()


@contextmanager
def serving_writable(fake: WritableFake) -> Iterator[str]:
    server = _BodyServer(fake)
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield fake.base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _copy_into(kind: type[Any], base: Any) -> Any:
    return kind(**{item.name: getattr(base, item.name) for item in fields(base)})


# --- Azure Resource Manager: tags at scope -----------------------------------------------------

_TAGS_AT_SCOPE = re.compile(r"^(/.+)/providers/Microsoft\.Resources/tags/default/?$", re.IGNORECASE)


def _merge_case_insensitively(tags: dict[str, str], new: Mapping[str, str]) -> dict[str, str]:
    merged = dict(tags)
    for key, value in new.items():
        for existing in [name for name in merged if name.lower() == key.lower()]:
            del merged[existing]
        merged[key] = value
    return merged


def _delete_case_insensitively(tags: dict[str, str], named: Mapping[str, str]) -> dict[str, str]:
    """ARM's Delete: a name with an empty value deletes the name; a name/value pair deletes a match."""
    wanted = {key.lower(): value for key, value in named.items()}
    return {
        key: value for key, value in tags.items() if key.lower() not in wanted or wanted[key.lower()] not in ("", value)
    }


@dataclass
class WritableArmFake(ArmFake):
    bodies: list[Body] = field(default_factory=list)
    throttle_tags: dict[str, int] = field(default_factory=dict)  # lower-cased scope -> 429s still to give
    forbidden_tags: set[str] = field(default_factory=set)  # lower-cased scopes whose tag writes answer 403
    forbidden_operations: set[tuple[str, str]] = field(default_factory=set)  # (lower-cased scope, "merge"): 403
    tags_retry_after: str = "0"
    api_versions: list[str] = field(default_factory=list)
    accepted_async: set[str] = field(default_factory=set)  # lower-cased scopes whose PATCH answers 202 + Location
    pending: dict[str, str] = field(default_factory=dict)  # operation id -> scope, until polled once

    def answer_body(
        self, method: str, path: str, query: Mapping[str, list[str]], headers: Mapping[str, str], body: Any
    ) -> Answer:
        found = _TAGS_AT_SCOPE.match(path)
        if found is None:
            if path.startswith("/tagwarden-operations/") and method == "GET":
                return self._poll(path.rsplit("/", 1)[-1])
            return self.answer(method, path, query, headers)
        if headers.get("authorization") != f"Bearer {self.token}":
            return self._unauthorized()
        self.api_versions.append((query.get("api-version") or [""])[0])
        scope = found.group(1)
        if self.throttle_tags.get(scope.lower(), 0) > 0:
            self.throttle_tags[scope.lower()] -= 1
            message = "Number of write requests for subscription exceeded the limit."
            return arm_error(429, "TooManyRequests", message, {"Retry-After": self.tags_retry_after})
        holder = self._tag_holder(scope)
        if holder is None:
            return arm_error(404, "ResourceNotFound", f"The Resource '{scope}' was not found.")
        if method == "GET":
            return 200, {}, self._tags_resource(scope, holder)
        if method != "PATCH":
            return arm_error(405, "MethodNotAllowed", f"{method} is not served here")
        operation = str((body or {}).get("operation") or "").lower()
        if scope.lower() in self.forbidden_tags or (scope.lower(), operation) in self.forbidden_operations:
            return self._forbidden_at(scope, "Microsoft.Resources/tags/write")
        answer = self._patch(scope, holder, body or {})
        if answer[0] == 200 and scope.lower() in self.accepted_async:
            operation_id = f"op{len(self.pending) + 1}"
            self.pending[operation_id] = scope
            location = f"{self.base_url}/tagwarden-operations/{operation_id}"
            return 202, {"Location": location, "Retry-After": "0"}, None
        return answer

    def _poll(self, operation_id: str) -> Answer:
        """The first poll still runs; the second answers the tags the PATCH left (ARM's Location pattern)."""
        scope = self.pending.get(operation_id)
        if scope is None:
            return arm_error(404, "NotFound", f"no operation {operation_id}")
        if not operation_id.endswith("!"):
            self.pending[operation_id + "!"] = self.pending.pop(operation_id)
            return 202, {"Location": f"{self.base_url}/tagwarden-operations/{operation_id}!", "Retry-After": "0"}, None
        holder = self._tag_holder(scope)
        return 200, {}, self._tags_resource(scope, holder or {})

    def _forbidden_at(self, scope: str, action: str) -> Answer:
        message = (
            "The client 'tagwarden-test' with object id '00000000-0000-0000-0000-000000000001' does not have "
            f"authorization to perform action '{action}' over scope '{scope}' or the scope is invalid."
        )
        return arm_error(403, "AuthorizationFailed", message)

    def _tag_holder(self, scope: str) -> dict[str, Any] | None:
        """The subscription, resource group or resource dict the collector lists, by its id."""
        wanted = scope.rstrip("/").lower()
        for item in self.subscriptions:
            if item["id"].lower() == wanted:
                return item
        for collection in (self.resource_groups, self.resources):
            for items in collection.values():
                for item in items:
                    if item["id"].lower() == wanted:
                        return item
        return None

    @staticmethod
    def _tags_resource(scope: str, holder: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "id": f"{scope}/providers/Microsoft.Resources/tags/default",
            "name": "default",
            "type": "Microsoft.Resources/tags",
            "properties": {"tags": dict(holder.get("tags") or {})},
        }

    def _patch(self, scope: str, holder: dict[str, Any], body: Mapping[str, Any]) -> Answer:
        operation = str(body.get("operation") or "")
        named = dict((body.get("properties") or {}).get("tags") or {})
        tags = dict(holder.get("tags") or {})
        if operation.lower() == "merge":
            tags = _merge_case_insensitively(tags, named)
        elif operation.lower() == "delete":
            tags = _delete_case_insensitively(tags, named)
        elif operation.lower() == "replace":
            tags = named
        else:
            return arm_error(400, "InvalidTagOperation", f"The operation '{operation}' is not valid.")
        if len(tags) > 50:
            return arm_error(400, "InvalidTagCount", "The number of tags exceeds the maximum of 50.")
        holder["tags"] = tags
        return 200, {}, self._tags_resource(scope, holder)


def writable_arm() -> WritableArmFake:
    fake: WritableArmFake = _copy_into(WritableArmFake, planted_arm())
    return fake


# --- Google: Compute, Cloud Storage JSON and Resource Manager v3 label APIs ---------------------

_COMPUTE = re.compile(
    r"^/compute/v1/(projects/[^/]+/(?:zones/[^/]+|regions/[^/]+|global)/[A-Za-z]+/[^/]+)(/setLabels)?$"
)
_COMPUTE_OPERATION = re.compile(r"^/compute/v1/projects/[^/]+/(?:zones/[^/]+|regions/[^/]+|global)/operations/")
_BUCKET = re.compile(r"^/storage/v1/b/([^/]+)$")
_PROJECT = re.compile(r"^/v3/projects/([^/]+)$")


def fingerprint(labels: Mapping[str, str]) -> str:
    digest = hashlib.sha256(json.dumps(sorted(labels.items())).encode()).digest()[:8]
    return base64.b64encode(digest).decode()


@dataclass
class WritableGoogleFake(AssetFake):
    bodies: list[Body] = field(default_factory=list)
    throttle_writes: dict[str, int] = field(default_factory=dict)  # full resource name -> 429s still to give
    forbidden_writes: set[str] = field(default_factory=set)  # full resource names whose label writes answer 403
    metagenerations: dict[str, int] = field(default_factory=dict)  # bucket name -> metageneration
    unlabelled_writes: int = 0  # label writes whose precondition failed (412)
    race_once: set[str] = field(default_factory=set)  # full names: someone else labels them just before our write

    def answer_body(
        self, method: str, path: str, query: Mapping[str, list[str]], headers: Mapping[str, str], body: Any
    ) -> Answer:
        if _COMPUTE_OPERATION.match(path):
            return 200, {}, {"kind": "compute#operation", "status": "DONE"}
        compute, bucket, project = _COMPUTE.match(path), _BUCKET.match(path), _PROJECT.match(path)
        if compute:
            name = f"//compute.googleapis.com/{compute.group(1)}"
            return self._guarded(name, lambda item: self._compute(method, item, bool(compute.group(2)), body))
        if bucket:
            name = f"//storage.googleapis.com/projects/_/buckets/{bucket.group(1)}"
            return self._guarded(name, lambda item: self._bucket(method, bucket.group(1), item, query, body))
        if project:
            return self._guarded(self._project_name(project.group(1)), lambda item: self._project(method, item, body))
        return self.answer(method, path, query, headers)

    # --- shared: lookup, 429, 403, 404 ------------------------------------------------------

    def item(self, name: str) -> dict[str, Any] | None:
        for items in self.results.values():
            for item in items:
                if item["name"] == name:
                    return item
        return None

    def _project_name(self, project: str) -> str:
        for items in self.results.values():
            for item in items:
                if item["assetType"] == "cloudresourcemanager.googleapis.com/Project" and project in (
                    item["name"].rsplit("/", 1)[-1],
                    (item.get("additionalAttributes") or {}).get("projectId"),
                ):
                    return str(item["name"])
        return f"//cloudresourcemanager.googleapis.com/projects/{project}"

    def _guarded(self, name: str, serve: Any) -> Answer:
        if self.throttle_writes.get(name, 0) > 0:
            self.throttle_writes[name] -= 1
            return google_error(429, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Write requests'")
        item = self.item(name)
        if item is None:
            return google_error(404, "NOT_FOUND", f"The resource '{name}' was not found")
        answer: Answer = serve(item)
        return answer

    def _someone_else_writes_first(self, item: dict[str, Any]) -> None:
        if item["name"] in self.race_once:
            self.race_once.discard(item["name"])
            item["labels"] = {**(item.get("labels") or {}), "changed-meanwhile": "yes"}
            bucket = _BUCKET.match("/storage/v1/b/" + item["name"].rsplit("/", 1)[-1])
            if item["assetType"] == "storage.googleapis.com/Bucket" and bucket:
                self.metagenerations[bucket.group(1)] = self.metagenerations.setdefault(bucket.group(1), 1) + 1

    def _denied(self, name: str, permission: str) -> Answer | None:
        if name not in self.forbidden_writes:
            return None
        return google_error(403, "PERMISSION_DENIED", f"Required '{permission}' permission for '{name}'")

    # --- the three APIs -----------------------------------------------------------------------

    def _compute(self, method: str, item: dict[str, Any], set_labels: bool, body: Any) -> Answer:
        labels = dict(item.get("labels") or {})
        if not set_labels:
            short = item["name"].rsplit("/", 1)[-1]
            return 200, {}, {"name": short, "labels": labels, "labelFingerprint": fingerprint(labels)}
        collection = item["name"].split("/")[-2]
        denied = self._denied(item["name"], f"compute.{collection}.setLabels")
        if denied:
            return denied
        self._someone_else_writes_first(item)
        labels = dict(item.get("labels") or {})
        if (body or {}).get("labelFingerprint") != fingerprint(labels):
            self.unlabelled_writes += 1
            message = "Labels fingerprint either invalid or resource labels have changed"
            return 412, {}, {"error": {"code": 412, "message": message, "errors": [{"reason": "conditionNotMet"}]}}
        item["labels"] = dict(body.get("labels") or {})
        return 200, {}, {"kind": "compute#operation", "name": "operation-1", "status": "DONE"}

    def _bucket(
        self, method: str, bucket: str, item: dict[str, Any], query: Mapping[str, list[str]], body: Any
    ) -> Answer:
        labels = dict(item.get("labels") or {})
        generation = self.metagenerations.setdefault(bucket, 1)
        if method == "PATCH":
            denied = self._denied(item["name"], "storage.buckets.update")
            if denied:
                return denied
            self._someone_else_writes_first(item)
            labels, generation = dict(item.get("labels") or {}), self.metagenerations[bucket]
            wanted = (query.get("ifMetagenerationMatch") or [None])[0]
            if wanted is not None and int(wanted) != generation:
                self.unlabelled_writes += 1
                return google_error(
                    412, "FAILED_PRECONDITION", "At least one of the pre-conditions you specified did not hold."
                )
            for key, value in ((body or {}).get("labels") or {}).items():
                if value is None:
                    labels.pop(key, None)
                else:
                    labels[key] = value
            item["labels"] = labels
            generation = self.metagenerations[bucket] = generation + 1
        return 200, {}, {"kind": "storage#bucket", "name": bucket, "labels": labels, "metageneration": str(generation)}

    def _project(self, method: str, item: dict[str, Any], body: Any) -> Answer:
        labels = dict(item.get("labels") or {})
        project = {
            "name": item["project"],
            "projectId": item["displayName"],
            "labels": labels,
            "etag": fingerprint(labels),
        }
        if method == "GET":
            return 200, {}, project
        denied = self._denied(item["name"], "resourcemanager.projects.update")
        if denied:
            return denied
        self._someone_else_writes_first(item)
        etag = (body or {}).get("etag")
        if etag is not None and etag != fingerprint(item.get("labels") or {}):
            self.unlabelled_writes += 1
            return google_error(409, "ABORTED", "The etag does not match the project's current etag.")
        item["labels"] = dict((body or {}).get("labels") or {})
        done = {**project, "labels": item["labels"], "etag": fingerprint(item["labels"])}
        return 200, {}, {"name": "operations/cp.1", "done": True, "response": done}


def writable_google() -> WritableGoogleFake:
    fake: WritableGoogleFake = _copy_into(WritableGoogleFake, planted_assets())
    return fake
