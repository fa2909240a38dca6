"""Slack through an incoming webhook: one message with Block Kit blocks per notice.

Configuration: ``url`` (required: the webhook URL; https, or http to loopback), ``timeout``
(seconds, 15), ``max_items`` (resources listed per message, 20; the rest are counted).
Tag values come from strangers: every value is escaped for Slack's mrkdwn (``&``, ``<``, ``>``), so
``<!channel>`` or a crafted link in a tag value stays text.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from tagwarden.remediations.notify.interface import Notice, NoticeItem, NotifyError
from tagwarden.remediations.notify.rendering import level_label, subject_of
from tagwarden.remediations.notify.transport import check_url, dumps, post_json, timeout_of

CHANNEL = "slack"
HEADER_LIMIT = 150  # Slack's limit on a header block's text
SECTION_LIMIT = 3000  # ... and on a section's text
DEFAULT_MAX_ITEMS = 20  # 50 blocks at most per message


def escape(text: str) -> str:
    """Slack's mrkdwn escaping: the three characters that make links and mentions."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _item_block(item: NoticeItem) -> dict[str, Any]:
    lines = [
        f"*{escape(item.resource_id)}*",
        f"{escape(item.resource_type)}" + (f" · {escape(item.account)}" if item.account else ""),
    ]
    lines += [f"• {escape(finding)}" for finding in item.findings]
    lines += [f"→ {escape(change)}" for change in item.planned_changes]
    return {"type": "section", "text": {"type": "mrkdwn", "text": _clip("\n".join(lines), SECTION_LIMIT)}}


def _summary(notice: Notice) -> str:
    parts = [f"*{escape(level_label(notice.level))}* for {escape(notice.recipient)}", f"{len(notice.items)} resources"]
    if notice.deadline:
        parts.append(f"deadline *{escape(notice.deadline)}*")
    if notice.run:
        parts.append(f"run {escape(notice.run)}")
    return " · ".join(parts)


def slack_payload(notice: Notice, max_items: int = DEFAULT_MAX_ITEMS) -> dict[str, Any]:
    subject = subject_of(notice)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _clip(subject, HEADER_LIMIT)}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": _summary(notice)}]},
        {"type": "divider"},
    ]
    blocks += [_item_block(item) for item in notice.items[:max_items]]
    hidden = len(notice.items) - max_items
    if hidden > 0:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"… and {hidden} more resources"}]})
    fallback = f"{escape(subject)} ({len(notice.items)} resources" + (
        f", deadline {escape(notice.deadline)})" if notice.deadline else ")"
    )
    return {"text": fallback, "blocks": blocks}


class SlackNotifier:
    channel: ClassVar[str] = CHANNEL

    def __init__(self, config: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ
        self.url = check_url(CHANNEL, config.get("url"))
        self.timeout = timeout_of(CHANNEL, config)
        max_items = config.get("max_items", DEFAULT_MAX_ITEMS)
        if isinstance(max_items, bool) or not isinstance(max_items, int) or not 1 <= max_items <= 45:
            raise NotifyError(f"slack channel: 'max_items' must be a number from 1 to 45, not {max_items!r}")
        self.max_items = max_items

    def send(self, notices: Sequence[Notice]) -> None:
        failures: list[str] = []
        failed: list[str] = []
        for notice in notices:
            try:
                answer = post_json(CHANNEL, self.url, dumps(slack_payload(notice, self.max_items)), self.timeout)
            except NotifyError as error:
                failures.append(f"{notice.recipient}: {error}")
                failed.append(notice.recipient)
                continue
            if answer.strip() not in ("ok", ""):  # Slack answers 200 "ok"; anything else is its complaint
                failures.append(f"{notice.recipient}: slack answered {answer.strip()[:200]!r}")
                failed.append(notice.recipient)
        if failures:
            raise NotifyError("; ".join(failures), failed)
