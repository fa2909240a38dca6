"""Shared by the HTTP channels (Slack, webhooks): URL checks and one JSON POST with clear errors."""

from __future__ import annotations

import ipaddress
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

from tagwarden.remediations.notify.interface import NotifyError

DEFAULT_TIMEOUT = 15.0  # seconds


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(channel: str, url: Any) -> str:
    """An https URL, or plain http to loopback only (test receivers); anything else is a NotifyError."""
    if not isinstance(url, str) or not url:
        raise NotifyError(f"{channel} channel: 'url' is required")
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise NotifyError(f"{channel} channel: url {url!r} is not an http(s) URL")
    if parsed.scheme == "http" and not is_loopback(parsed.hostname):
        raise NotifyError(f"{channel} channel: url {url!r}: plain http is accepted only on loopback; use https")
    return url


def safe_url(url: str) -> str:
    """The URL without its path and query, for messages (webhook paths carry secrets, e.g. Slack's)."""
    parsed = urlparse(url)
    return f"{parsed.scheme}://{parsed.netloc}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect could lead a signed POST to another host, or to plain http: treat it as an error."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def post_json(channel: str, url: str, payload: bytes, timeout: float, headers: Mapping[str, str] | None = None) -> str:
    """POST ``payload`` (JSON bytes); the answer's text, or NotifyError with the server's reason."""
    request = urllib.request.Request(url, data=payload, method="POST")
    request.add_header("Content-Type", "application/json; charset=utf-8")
    request.add_header("User-Agent", "tagwarden-notify")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    where = safe_url(url)
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return bytes(response.read()).decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        reason = error.read().decode("utf-8", "replace").strip()[:300] or str(error.reason)
        raise NotifyError(f"{channel}: {where} answered {error.code}: {reason}") from error
    except urllib.error.URLError as error:
        raise NotifyError(f"{channel}: cannot reach {where}: {error.reason}") from error
    except (TimeoutError, OSError) as error:
        raise NotifyError(f"{channel}: {where}: {error or type(error).__name__}") from error


def dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def timeout_of(channel: str, config: Mapping[str, Any]) -> float:
    value = config.get("timeout", DEFAULT_TIMEOUT)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise NotifyError(f"{channel} channel: 'timeout' must be a positive number of seconds, not {value!r}")
    return float(value)
