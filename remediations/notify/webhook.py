"""Any webhook: one JSON POST per notice, optionally signed with HMAC-SHA256.

Configuration: ``url`` (required; https, or http to loopback), ``secret_env`` (the environment
variable holding the signing secret), ``signature_header`` (``X-Tagwarden-Signature``), ``headers``
(extra static headers), ``timeout`` (seconds, 15).

The signature is ``sha256=<hex HMAC-SHA256 of the raw request body>`` (GitHub's scheme); the body
carries ``sent_at`` so that a receiver can refuse replays. Payload::

    {"type": "tagwarden.notice", "sent_at": "...Z", "recipient": ..., "subject": ..., "level": 0,
     "level_label": ..., "deadline": ..., "run": ..., "items": [{"resource_id", "resource_type",
     "account", "findings": [...], "planned_changes": [...]}], "extra": {...}}
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

from tagwarden.remediations.notify import settings
from tagwarden.remediations.notify.interface import Notice, NotifyError
from tagwarden.remediations.notify.rendering import notice_json
from tagwarden.remediations.notify.transport import check_url, dumps, post_json, timeout_of

CHANNEL = "webhook"
SIGNATURE_HEADER = "X-Tagwarden-Signature"


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _headers(config: Mapping[str, Any]) -> dict[str, str]:
    headers = config.get("headers") or {}
    if not isinstance(headers, Mapping) or not all(
        isinstance(key, str) and isinstance(value, str) and "\n" not in key + value and "\r" not in key + value
        for key, value in headers.items()
    ):
        raise NotifyError("webhook channel: 'headers' must map header names to one-line text values")
    return dict(headers)


class WebhookNotifier:
    channel: ClassVar[str] = CHANNEL

    def __init__(self, config: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> None:
        environ = os.environ if environ is None else environ
        self.url = check_url(CHANNEL, config.get("url"))
        self.timeout = timeout_of(CHANNEL, config)
        settings.refuse_inline_secret(CHANNEL, config, "secret", "secret_env")
        self._secret = settings.secret_from_env(CHANNEL, config, "secret_env", environ)
        self.signature_header = settings.text(CHANNEL, config, "signature_header", SIGNATURE_HEADER) or SIGNATURE_HEADER
        self.headers = _headers(config)

    def payload(self, notice: Notice) -> bytes:
        sent_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return dumps({"type": "tagwarden.notice", "sent_at": sent_at, **notice_json(notice)})

    def send(self, notices: Sequence[Notice]) -> None:
        failures: list[str] = []
        failed: list[str] = []
        for notice in notices:
            body = self.payload(notice)
            headers = dict(self.headers)
            if self._secret is not None:
                headers[self.signature_header] = signature(self._secret, body)
            try:
                post_json(CHANNEL, self.url, body, self.timeout, headers)
            except NotifyError as error:
                failures.append(f"{notice.recipient}: {error}")
                failed.append(notice.recipient)
        if failures:
            raise NotifyError("; ".join(failures), failed)
