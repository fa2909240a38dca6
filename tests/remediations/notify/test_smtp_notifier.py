"""SmtpNotifier against a real SMTP server the test starts: messages parsed like a mail client would."""

from __future__ import annotations

import email
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest
from sample_notices import BUCKET, HOSTILE, VM, owner_notice
from smtp_receiver import Mailbox, self_signed_tls, smtp_server

from tagwarden.remediations.notify.interface import NotifyError
from tagwarden.remediations.notify.registry import notifier_for
from tagwarden.remediations.notify.smtp import SmtpNotifier


def smtp(mailbox: Mailbox, **config: object) -> SmtpNotifier:
    base = {"type": "smtp", "host": "127.0.0.1", "port": mailbox.port, "from": "tagwarden@example.org"}
    notifier = notifier_for({**base, **config}, environ={"SMTP_PASSWORD": "s3cret"})
    assert isinstance(notifier, SmtpNotifier)
    return notifier


def parsed(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=default_policy)
    assert isinstance(message, EmailMessage)
    return message


def parts(message: EmailMessage) -> tuple[str, str]:
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def test_one_mail_per_recipient_with_resources_findings_changes_and_deadline(mailbox: Mailbox) -> None:
    smtp(mailbox).send([owner_notice("alice@example.org"), owner_notice("bob@example.org")])

    assert [(received.mail_from, received.recipients) for received in mailbox.messages] == [
        ("tagwarden@example.org", ("alice@example.org",)),
        ("tagwarden@example.org", ("bob@example.org",)),
    ]
    message = parsed(mailbox.messages[0].data)
    assert message["To"] == "alice@example.org" and message["From"] == "tagwarden@example.org"
    assert message["Subject"] == "2 resources miss required tags"
    assert message["X-Tagwarden-Level"] == "0" and message["X-Tagwarden-Run"] == "run-42"
    text, html = parts(message)
    for body in (text, html):
        assert VM in body and BUCKET in body
        assert "CostCenter is missing" in body
        assert "2026-12-24" in body
        assert "run-42" in body
    assert "CostCenter: (absent) -&gt; cc-1000" in html
    assert "CostCenter: (absent) -> cc-1000" in text
    assert "escalation" not in text.lower()


def test_hostile_tag_values_are_escaped_in_the_html_part(mailbox: Mailbox) -> None:
    smtp(mailbox).send([owner_notice()])
    text, html = parts(parsed(mailbox.messages[0].data))
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt;" in html
    assert HOSTILE in text  # the text part is text: shown as it is, harmless


def test_escalation_level_is_shown(mailbox: Mailbox) -> None:
    smtp(mailbox).send([owner_notice("manager@example.org", level=2)])
    message = parsed(mailbox.messages[0].data)
    assert message["Subject"] == "[escalation 2] 2 resources miss required tags"
    assert message["X-Tagwarden-Level"] == "2"
    text, html = parts(message)
    assert "ESCALATION LEVEL 2" in text and "Escalation level 2" in html


def test_starttls_and_login_with_the_password_from_the_environment(tmp_path: Path) -> None:
    context, certificate = self_signed_tls(tmp_path)
    with smtp_server(Mailbox(tls_context=context, credentials=("relay-user", "s3cret"))) as mailbox:
        smtp(
            mailbox, starttls=True, username="relay-user", password_env="SMTP_PASSWORD", ca_file=str(certificate)
        ).send([owner_notice()])
        (received,) = mailbox.messages
        assert received.tls and received.user == "relay-user"


def test_a_wrong_password_is_a_notify_error_with_the_server_reason(tmp_path: Path) -> None:
    context, certificate = self_signed_tls(tmp_path)
    with smtp_server(Mailbox(tls_context=context, credentials=("relay-user", "other"))) as mailbox:
        notifier = smtp(
            mailbox, starttls=True, username="relay-user", password_env="SMTP_PASSWORD", ca_file=str(certificate)
        )
        with pytest.raises(NotifyError, match="535") as raised:
            notifier.send([owner_notice()])
        assert raised.value.failed == ("alice@example.org",)
        assert mailbox.messages == []


def test_an_untrusted_certificate_is_refused(tmp_path: Path) -> None:
    context, _ = self_signed_tls(tmp_path)
    with smtp_server(Mailbox(tls_context=context)) as mailbox, pytest.raises(NotifyError, match="CERTIFICATE_VERIFY"):
        smtp(mailbox, starttls=True).send([owner_notice()])


def test_a_refused_recipient_fails_alone(mailbox: Mailbox) -> None:
    mailbox.refuse.add("gone@example.org")
    with pytest.raises(NotifyError, match=r"550 5\.1\.1") as raised:
        smtp(mailbox).send([owner_notice("gone@example.org"), owner_notice("bob@example.org")])
    assert raised.value.failed == ("gone@example.org",)
    assert [received.recipients for received in mailbox.messages] == [("bob@example.org",)]


def test_a_recipient_with_a_line_break_is_refused_before_sending(mailbox: Mailbox) -> None:
    with pytest.raises(NotifyError, match="line break") as raised:
        smtp(mailbox).send([owner_notice("eve@example.org\r\nBcc: all@example.org"), owner_notice("bob@example.org")])
    assert raised.value.failed == ("eve@example.org\r\nBcc: all@example.org",)
    assert [received.recipients for received in mailbox.messages] == [("bob@example.org",)]


def test_connection_refused_is_a_notify_error() -> None:
    with smtp_server(Mailbox()) as mailbox:
        port = mailbox.port
    notifier = notifier_for({"type": "smtp", "host": "127.0.0.1", "port": port, "from": "t@example.org", "timeout": 2})
    with pytest.raises(NotifyError, match=rf"smtp: 127\.0\.0\.1:{port}: .*(refused|Connection)") as raised:
        notifier.send([owner_notice()])
    assert raised.value.failed == ("alice@example.org",)


def test_own_templates_override_the_builtin_ones(tmp_path: Path, mailbox: Mailbox) -> None:
    (tmp_path / "notice.html.j2").write_text("<p>Hi {{ notice.recipient }}: {{ items[1].findings[0] }}</p>\n")
    smtp(mailbox, templates=str(tmp_path)).send([owner_notice()])
    text, html = parts(parsed(mailbox.messages[0].data))
    assert html.startswith("<p>Hi alice@example.org: environment value &lt;b&gt;")
    assert "CostCenter is missing" in text  # the built-in text template fills in


def test_a_broken_template_names_file_and_line(tmp_path: Path, mailbox: Mailbox) -> None:
    (tmp_path / "notice.txt.j2").write_text("line one\n{{ notice.nonexistent_field }}\n")
    with pytest.raises(NotifyError, match=r"notice\.txt\.j2:2"):
        smtp(mailbox, templates=str(tmp_path)).send([owner_notice()])


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"from": "t@example.org"}, "'host' is required"),
        ({"host": "127.0.0.1"}, "'from' is required"),
        ({"host": "127.0.0.1", "from": "t@example.org", "port": "25"}, "'port' must be a port number"),
        ({"host": "127.0.0.1", "from": "t@example.org", "password": "x"}, "do not put 'password'"),
        ({"host": "127.0.0.1", "from": "t@example.org", "username": "u", "password_env": "UNSET_VAR"}, "UNSET_VAR"),
        ({"host": "mail.example.org", "from": "t@example.org", "username": "u", "password_env": "SMTP_PASSWORD"},
         "unencrypted"),
        ({"host": "127.0.0.1", "from": "t@example.org", "ssl": True, "starttls": True}, "not both"),
    ],
)  # fmt: skip
def test_bad_configuration_is_a_clear_notify_error(config: dict[str, object], message: str) -> None:
    with pytest.raises(NotifyError, match=message):
        notifier_for({"type": "smtp", **config}, environ={"SMTP_PASSWORD": "x"})
