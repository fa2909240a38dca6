"""Two small HTTP servers that speak the REST shapes of Azure Resource Manager and the Cloud Asset
API, so that the real SDK clients can be pointed at them (``--endpoint http://127.0.0.1:PORT``).

They serve only what the collectors read, but in the real wire format: ARM ``{"value": [...],
"nextLink": ...}`` pages, ARM error bodies and ``Retry-After`` throttling, bearer-token checking;
Cloud Asset ``GET /v1/{scope}:searchAllResources`` with ``pageSize`` / ``pageToken`` /
``assetTypes`` and ``{"results": [...], "nextPageToken": ...}`` pages, Google error bodies.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs, urlencode, urlparse

Answer = tuple[int, dict[str, str], Any]  # status, extra headers, JSON body (None: no body)


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    at: float
    status: int


class Fake(Protocol):
    base_url: str
    requests: list[Recorded]

    def answer(self, method: str, path: str, query: Mapping[str, list[str]], headers: Mapping[str, str]) -> Answer: ...


class _Handler(BaseHTTPRequestHandler):
    server: _FakeServer

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        parsed = urlparse(self.path)
        query = parse_qs(parsed.query)
        headers = {key.lower(): value for key, value in self.headers.items()}
        length = int(headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        fake = self.server.fake
        status, extra_headers, body = fake.answer(self.command, parsed.path, query, headers)
        fake.requests.append(Recorded(self.command, parsed.path, query, headers, time.monotonic(), status))
        payload = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for key, value in extra_headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return


class _FakeServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: Fake) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake


@contextmanager
def serving(fake: Fake) -> Iterator[str]:
    """Serve ``fake`` on a free loopback port; yields its base URL."""
    server = _FakeServer(fake)
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield fake.base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _page(items: list[dict[str, Any]], offset: int, size: int) -> tuple[list[dict[str, Any]], int | None]:
    chunk = items[offset : offset + size]
    following = offset + size
    return chunk, (following if following < len(items) else None)


# --- Azure Resource Manager -------------------------------------------------------------------

_SUBSCRIPTIONS = re.compile(r"^/subscriptions/?$", re.IGNORECASE)
_GROUPS = re.compile(r"^/subscriptions/([^/]+)/resourcegroups/?$", re.IGNORECASE)
_RESOURCES = re.compile(r"^/subscriptions/([^/]+)/resources/?$", re.IGNORECASE)
_ACTIVITY = re.compile(
    r"^/subscriptions/([^/]+)/providers/microsoft\.insights/eventtypes/management/values/?$", re.IGNORECASE
)


def arm_error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Answer:
    return status, headers or {}, {"error": {"code": code, "message": message}}


@dataclass
class ArmFake:
    """ARM: subscriptions, resource groups, resources (``page_size`` a page), the Activity Log."""

    token: str
    subscriptions: list[dict[str, Any]] = field(default_factory=list)
    resource_groups: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    resources: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    activity_log: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    forbidden: set[str] = field(default_factory=set)  # subscriptions whose reads answer 403
    throttle_once: set[tuple[str, int]] = field(default_factory=set)  # (subscription, resources offset)
    page_size: int = 2
    retry_after: str = "0"  # seconds; "0" lets the SDK retry at once
    base_url: str = ""
    requests: list[Recorded] = field(default_factory=list)

    def answer(self, method: str, path: str, query: Mapping[str, list[str]], headers: Mapping[str, str]) -> Answer:
        if headers.get("authorization") != f"Bearer {self.token}":
            return self._unauthorized()
        if method != "GET":
            return arm_error(405, "MethodNotAllowed", f"{method} is not served here")
        if _SUBSCRIPTIONS.match(path):
            return 200, {}, {"value": self.subscriptions}
        for pattern, action, serve in (
            (_GROUPS, "Microsoft.Resources/subscriptions/resourceGroups/read", self._groups),
            (_RESOURCES, "Microsoft.Resources/subscriptions/resources/read", self._resources),
            (_ACTIVITY, "Microsoft.Insights/eventtypes/values/read", self._activity),
        ):
            found = pattern.match(path)
            if found:
                subscription = found.group(1)
                if subscription in self.forbidden:
                    return self._forbidden(subscription, action)
                return serve(subscription, path, query)
        return arm_error(404, "NotFound", f"{path} is not served here")

    def _unauthorized(self) -> Answer:
        challenge = (
            'Bearer authorization_uri="https://login.microsoftonline.com/common", '
            'error="invalid_token", error_description="The access token is invalid."'
        )
        message = "The access token is invalid."
        return arm_error(401, "InvalidAuthenticationToken", message, {"WWW-Authenticate": challenge})

    def _forbidden(self, subscription: str, action: str) -> Answer:
        message = (
            "The client 'tagwarden-test' with object id '00000000-0000-0000-0000-000000000001' does not have "
            f"authorization to perform action '{action}' over scope '/subscriptions/{subscription}' or the scope "
            "is invalid. If access was recently granted, please refresh your credentials."
        )
        return arm_error(403, "AuthorizationFailed", message)

    def _groups(self, subscription: str, path: str, query: Mapping[str, list[str]]) -> Answer:
        return 200, {}, {"value": self.resource_groups.get(subscription, [])}

    def _resources(self, subscription: str, path: str, query: Mapping[str, list[str]]) -> Answer:
        offset = int((query.get("$skiptoken") or ["0"])[0])
        if (subscription, offset) in self.throttle_once:
            self.throttle_once.discard((subscription, offset))
            message = "Number of read requests for subscription exceeded the limit."
            return arm_error(429, "TooManyRequests", message, {"Retry-After": self.retry_after})
        items, following = _page(self.resources.get(subscription, []), offset, self.page_size)
        body: dict[str, Any] = {"value": items}
        if following is not None:
            carried = {key: values[0] for key, values in query.items() if key != "$skiptoken"}
            body["nextLink"] = f"{self.base_url}{path}?" + urlencode({**carried, "$skiptoken": str(following)})
        return 200, {}, body

    def _activity(self, subscription: str, path: str, query: Mapping[str, list[str]]) -> Answer:
        return 200, {}, {"value": self.activity_log.get(subscription, [])}


# --- Cloud Asset API --------------------------------------------------------------------------

_SEARCH = re.compile(r"^/v1/(.+):searchAllResources$")


def google_error(status: int, state: str, message: str) -> Answer:
    return status, {}, {"error": {"code": status, "message": message, "status": state}}


@dataclass
class AssetFake:
    """Cloud Asset ``searchAllResources``: ``results`` of a scope, filtered by ``assetTypes``, paged."""

    results: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # scope -> ResourceSearchResult JSON
    forbidden: set[str] = field(default_factory=set)
    throttle_once: set[tuple[str, int]] = field(default_factory=set)  # (scope, offset): 429 RESOURCE_EXHAUSTED
    broken: set[tuple[str, int]] = field(default_factory=set)  # (scope, offset): 500 INTERNAL
    page_size: int = 2  # the server's own cap, below the client's pageSize
    base_url: str = ""
    requests: list[Recorded] = field(default_factory=list)

    def answer(self, method: str, path: str, query: Mapping[str, list[str]], headers: Mapping[str, str]) -> Answer:
        found = _SEARCH.match(path)
        if found is None or method != "GET":
            return google_error(404, "NOT_FOUND", f"{method} {path} is not served here")
        scope = found.group(1)
        if scope in self.forbidden:
            message = f"The caller does not have permission to search resources in {scope}"
            return google_error(403, "PERMISSION_DENIED", message)
        offset = int((query.get("pageToken") or ["0"])[0] or 0)
        if (scope, offset) in self.throttle_once:
            self.throttle_once.discard((scope, offset))
            return google_error(429, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Search requests'")
        if (scope, offset) in self.broken:
            return google_error(500, "INTERNAL", "Internal error encountered.")
        return 200, {}, self._page(scope, query, offset)

    def _page(self, scope: str, query: Mapping[str, list[str]], offset: int) -> dict[str, Any]:
        asset_types = set(query.get("assetTypes") or [])
        matching = [item for item in self.results.get(scope, []) if not asset_types or item["assetType"] in asset_types]
        size = min(int((query.get("pageSize") or ["500"])[0]), self.page_size)
        items, following = _page(matching, offset, size)
        body: dict[str, Any] = {"results": items}
        if following is not None:
            body["nextPageToken"] = str(following)
        return body
