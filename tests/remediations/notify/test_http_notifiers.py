"""Slack and webhook channels against a local http.server: payloads, HMAC signature, failure paths."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from http_receiver import Receiver, receiving
from sample_notices import BUCKET, HOSTILE, VM, owner_notice

from tagwarden.remediations.notify.interface import NotifyError
from tagwarden.remediations.notify.registry import notifier_for


def test_slack_posts_blocks_with_every_resource_and_escapes_mrkdwn(receiver: Receiver) -> None:
    notifier_for({"type": "slack", "url": receiver.url}).send([owner_notice(level=1)])
    (posted,) = receiver.posts
    assert posted.headers["content-type"].startswith("application/json")
    payload = json.loads(posted.body)
    header, context, divider, *items = payload["blocks"]
    assert header == {
        "type": "header",
        "text": {"type": "plain_text", "text": "[escalation 1] 2 resources miss required tags"},
    }
    assert "escalation level 1" in context["elements"][0]["text"]
    assert "2026-12-24" in context["elements"][0]["text"]
    assert divider["type"] == "divider"
    texts = [item["text"]["text"] for item in items]
    assert VM in texts[0] and "CostCenter is missing" in texts[0] and "cc-1000" in texts[0]
    assert BUCKET in texts[1]
    everything = json.dumps(payload)
    assert "<script>" not in everything and "<!channel>" not in everything and "<https://evil" not in everything
    assert "&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;" in texts[1]
    assert "2026-12-24" in payload["text"]


def test_slack_lists_at_most_max_items_and_counts_the_rest(receiver: Receiver) -> None:
    notifier_for({"type": "slack", "url": receiver.url, "max_items": 1}).send([owner_notice()])
    blocks = json.loads(receiver.posts[0].body)["blocks"]
    assert [block["type"] for block in blocks] == ["header", "context", "divider", "section", "context"]
    assert blocks[-1]["elements"][0]["text"] == "… and 1 more resources"


def test_slack_error_answer_is_a_notify_error(receiver: Receiver) -> None:
    receiver.status, receiver.answer = 400, b"invalid_blocks"
    with pytest.raises(NotifyError, match="answered 400: invalid_blocks") as raised:
        notifier_for({"type": "slack", "url": receiver.url}).send([owner_notice()])
    assert raised.value.failed == ("alice@example.org",)
    assert "/hook" not in str(raised.value)  # a Slack webhook path is a secret: never in messages


def test_webhook_posts_the_notice_signed_with_hmac_sha256(receiver: Receiver) -> None:
    config = {"type": "webhook", "url": receiver.url, "secret_env": "HOOK_SECRET", "headers": {"X-Team": "platform"}}
    notifier_for(config, environ={"HOOK_SECRET": "k3y"}).send([owner_notice(), owner_notice("bob@example.org")])
    first, second = receiver.posts
    expected = "sha256=" + hmac.new(b"k3y", first.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(first.headers["x-tagwarden-signature"], expected)
    assert first.headers["x-team"] == "platform"
    payload = json.loads(first.body)
    assert payload["type"] == "tagwarden.notice" and payload["sent_at"].endswith("Z")
    assert (payload["recipient"], payload["level"], payload["deadline"], payload["run"]) == (
        "alice@example.org", 0, "2026-12-24", "run-42",
    )  # fmt: skip
    assert payload["items"][0]["resource_id"] == VM
    assert payload["items"][1]["findings"] == [
        f"environment value <b>{HOSTILE}</b> is not allowed"
    ]  # JSON keeps it as data
    assert json.loads(second.body)["recipient"] == "bob@example.org"


def test_webhook_signature_changes_with_the_secret(receiver: Receiver) -> None:
    notifier_for({"type": "webhook", "url": receiver.url, "secret_env": "S"}, environ={"S": "other"}).send(
        [owner_notice()]
    )
    posted = receiver.posts[0]
    wrong = "sha256=" + hmac.new(b"k3y", posted.body, hashlib.sha256).hexdigest()
    assert posted.headers["x-tagwarden-signature"] != wrong


def test_webhook_without_a_secret_is_unsigned(receiver: Receiver) -> None:
    notifier_for({"type": "webhook", "url": receiver.url}).send([owner_notice()])
    assert "x-tagwarden-signature" not in receiver.posts[0].headers


def test_webhook_500_is_a_notify_error_and_the_other_notices_are_still_sent(receiver: Receiver) -> None:
    receiver.status, receiver.answer = 500, b"receiver broke"
    with pytest.raises(
        NotifyError, match=r"webhook: http://127\.0\.0\.1:[0-9]+ answered 500: receiver broke"
    ) as raised:
        notifier_for({"type": "webhook", "url": receiver.url}).send([owner_notice(), owner_notice("bob@example.org")])
    assert raised.value.failed == ("alice@example.org", "bob@example.org")
    assert len(receiver.posts) == 2


def test_webhook_redirects_are_not_followed(receiver: Receiver) -> None:
    with receiving(Receiver()) as elsewhere:
        receiver.redirect_to = elsewhere.url
        with pytest.raises(NotifyError, match="307"):
            notifier_for({"type": "webhook", "url": receiver.url, "secret_env": "S"}, environ={"S": "k"}).send(
                [owner_notice()]
            )
        assert elsewhere.posts == []


@pytest.mark.parametrize("channel", ["slack", "webhook"])
def test_connection_refused_is_a_notify_error(channel: str) -> None:
    with receiving(Receiver()) as stopped:
        url = stopped.url
    with pytest.raises(NotifyError, match=rf"{channel}: cannot reach http://127\.0\.0\.1:[0-9]+: .*refused"):
        notifier_for({"type": channel, "url": url, "timeout": 2}).send([owner_notice()])


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"type": "slack"}, "'url' is required"),
        ({"type": "slack", "url": "http://hooks.example.org/x"}, "plain http is accepted only on loopback"),
        ({"type": "webhook", "url": "ftp://example.org/x"}, "is not an http"),
        ({"type": "webhook", "url": "https://example.org/x", "secret": "inline"}, "do not put 'secret'"),
        ({"type": "webhook", "url": "https://example.org/x", "secret_env": "NOT_SET_ANYWHERE"}, "NOT_SET_ANYWHERE"),
        ({"type": "webhook", "url": "https://example.org/x", "timeout": 0}, "'timeout' must be a positive number"),
        ({"type": "webhook", "url": "https://example.org/x", "headers": {"X": "a\r\nB: c"}}, "one-line"),
        ({"type": "pager", "url": "https://example.org/x"}, "type 'pager' is not known"),
        ({"url": "https://example.org/x"}, "type None is not known"),
    ],
)
def test_bad_configuration_is_a_clear_notify_error(config: dict[str, object], message: str) -> None:
    with pytest.raises(NotifyError, match=message):
        notifier_for(config, environ={})
