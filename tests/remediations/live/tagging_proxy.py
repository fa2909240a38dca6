"""A reverse proxy in front of moto that injects Tagging API failures over real HTTP.

* ``refuse``: a TagResources/UntagResources call naming one of these ARNs is answered with a whole-call
  ``400 InvalidParameterException`` (the writer must then isolate the bad ARN, one call per ARN);
* ``flaky``: ARN -> how many more times it is reported in ``FailedResourcesMap`` with a retryable
  ``500 InternalServiceException`` (the request goes to moto without it; the writer must retry it);
* ``throttle``: the next N tagging calls are answered ``400 ThrottlingException``.
Everything else reaches moto unchanged. ``calls`` counts what went through, by X-Amz-Target action.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlparse

_TAGGING = "ResourceGroupsTaggingAPI_20170126."


class TaggingProxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = urlparse(upstream)
        self.refuse: set[str] = set()
        self.flaky: dict[str, int] = {}
        self.throttle = 0
        self.calls: Counter[str] = Counter()
        self.lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def decide(self, action: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]] | dict[str, Any] | None:
        """An answer of our own, a modified body to forward (with failures to add), or None."""
        with self.lock:
            self.calls[action] += 1
            if action not in ("TagResources", "UntagResources"):
                return None
            if self.throttle > 0:
                self.throttle -= 1
                return 400, {"__type": "ThrottlingException", "message": "Rate exceeded (test proxy)"}
            arns = list(body.get("ResourceARNList", []))
            refused = [arn for arn in arns if arn in self.refuse]
            if refused:
                return 400, {
                    "__type": "InvalidParameterException",
                    "message": f"refused by the test proxy: {refused[0]}",
                }
            flaky = [arn for arn in arns if self.flaky.get(arn, 0) > 0]
            for arn in flaky:
                self.flaky[arn] -= 1
            if not flaky:
                return None
            return {"forward": [arn for arn in arns if arn not in flaky], "fail": flaky}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return None

            def setup(self) -> None:
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                target = self.headers.get("X-Amz-Target", "")
                decision = None
                parsed: dict[str, Any] = {}
                if target.startswith(_TAGGING):
                    parsed = json.loads(body or b"{}")
                    decision = proxy.decide(target.removeprefix(_TAGGING), parsed)
                if isinstance(decision, tuple):
                    self._answer(decision[0], decision[1])
                    return
                failures: dict[str, Any] = {}
                if isinstance(decision, dict):
                    failures = {
                        arn: {"StatusCode": 500, "ErrorCode": "InternalServiceException", "ErrorMessage": "try again"}
                        for arn in decision["fail"]
                    }
                    if not decision["forward"]:
                        self._answer(200, {"FailedResourcesMap": failures})
                        return
                    body = json.dumps({**parsed, "ResourceARNList": decision["forward"]}).encode()
                status, headers, answer = self._forward(body)
                if failures and status == 200:
                    merged = json.loads(answer or b"{}")
                    merged["FailedResourcesMap"] = {**(merged.get("FailedResourcesMap") or {}), **failures}
                    self._answer(200, merged)
                    return
                self.send_response(status)
                for name, value in headers:
                    if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_GET = do_PUT = do_DELETE = do_HEAD = do_POST

            def _forward(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
                connection = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("content-length", "host")}
                headers["Content-Length"] = str(len(body))
                headers["Host"] = f"{proxy.upstream.hostname}:{proxy.upstream.port}"
                connection.request(self.command, self.path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
                connection.close()
                return response.status, response.getheaders(), data

            def _answer(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
