"""E-mail through SMTP: one message per notice (text and HTML parts, rendered from Jinja2 templates).

Configuration (``notifier_for({"type": "smtp", ...})``):
``host`` (required), ``port`` (25; 465 with ``ssl``), ``from`` (required), ``starttls`` (false),
``ssl`` (false: implicit TLS), ``username``, ``password_env`` (the environment variable holding the
password), ``ca_file`` (trust this CA for TLS, e.g. an internal relay), ``timeout`` (seconds, 15),
``templates`` (a folder with your own ``notice.txt.j2`` / ``notice.html.j2``), ``reply_to``.
A login is refused over an unencrypted connection, except to a loopback relay.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr
from typing import Any, ClassVar

from tagwarden.remediations.notify import settings
from tagwarden.remediations.notify.interface import Notice, NotifyError
from tagwarden.remediations.notify.rendering import render_email, subject_of
from tagwarden.remediations.notify.transport import is_loopback, timeout_of

CHANNEL = "smtp"


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    starttls: bool
    implicit_tls: bool
    username: str | None
    password: str | None
    ca_file: str | None
    timeout: float
    templates: str | None
    reply_to: str | None


def _port(config: Mapping[str, Any], implicit_tls: bool) -> int:
    value = config.get("port", 465 if implicit_tls else 25)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 65536:
        raise NotifyError(f"smtp channel: 'port' must be a port number, not {value!r}")
    return value


def address(value: str, what: str) -> str:
    """A bare e-mail address; anything with line breaks or no ``@`` is refused (header injection)."""
    if "\r" in value or "\n" in value:
        raise NotifyError(f"smtp: {what} {value!r} contains a line break")
    _, bare = parseaddr(value)
    if "@" not in bare or bare != bare.strip():
        raise NotifyError(f"smtp: {what} {value!r} is not an e-mail address")
    return bare


def parse_settings(config: Mapping[str, Any], environ: Mapping[str, str]) -> SmtpSettings:
    implicit_tls = settings.flag(CHANNEL, config, "ssl")
    starttls = settings.flag(CHANNEL, config, "starttls")
    if implicit_tls and starttls:
        raise NotifyError("smtp channel: choose 'ssl' (implicit TLS) or 'starttls', not both")
    settings.refuse_inline_secret(CHANNEL, config, "password", "password_env")
    host = settings.required_text(CHANNEL, config, "host")
    username = settings.text(CHANNEL, config, "username")
    password = settings.secret_from_env(CHANNEL, config, "password_env", environ)
    if username and password is None:
        raise NotifyError("smtp channel: 'username' is set but 'password_env' is not")
    if username and not (implicit_tls or starttls or is_loopback(host)):
        raise NotifyError(f"smtp channel: refusing to send the password for {username} to {host} unencrypted; "
                          "set 'starttls' or 'ssl'")  # fmt: skip
    reply_to = settings.text(CHANNEL, config, "reply_to")
    return SmtpSettings(
        host=host,
        port=_port(config, implicit_tls),
        sender=address(settings.required_text(CHANNEL, config, "from"), "'from'"),
        starttls=starttls,
        implicit_tls=implicit_tls,
        username=username,
        password=password,
        ca_file=settings.text(CHANNEL, config, "ca_file"),
        timeout=timeout_of(CHANNEL, config),
        templates=settings.text(CHANNEL, config, "templates"),
        reply_to=address(reply_to, "'reply_to'") if reply_to else None,
    )


def build_message(
    notice: Notice, sender: str, templates: str | None = None, reply_to: str | None = None
) -> EmailMessage:
    recipient = address(notice.recipient, "recipient")
    rendered = render_email(notice, templates)
    message = EmailMessage()
    message["Subject"] = subject_of(notice)
    message["From"] = Address(addr_spec=sender)
    message["To"] = Address(addr_spec=recipient)
    if reply_to:
        message["Reply-To"] = Address(addr_spec=reply_to)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    message["X-Tagwarden-Level"] = str(notice.level)
    if notice.run:
        message["X-Tagwarden-Run"] = " ".join(notice.run.split())
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message


def _decoded(text: bytes | str) -> str:
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else text


def _reason(error: Exception) -> str:
    """The server's own words: ``550 5.1.1 no such user``."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{code} {_decoded(text)}" for code, text in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {_decoded(error.smtp_error)}"
    return str(error) or type(error).__name__


class SmtpNotifier:
    channel: ClassVar[str] = CHANNEL

    def __init__(self, config: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> None:
        import os

        self.settings = parse_settings(config, os.environ if environ is None else environ)

    def _tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.settings.ca_file)

    def _connect(self) -> smtplib.SMTP:
        config = self.settings
        where = f"{config.host}:{config.port}"
        try:
            if config.implicit_tls:
                connection: smtplib.SMTP = smtplib.SMTP_SSL(
                    config.host, config.port, timeout=config.timeout, context=self._tls_context()
                )
            else:
                connection = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
            try:
                connection.ehlo()
                if config.starttls:
                    connection.starttls(context=self._tls_context())
                    connection.ehlo()
                if config.username and config.password is not None:
                    connection.login(config.username, config.password)
            except BaseException:
                connection.close()
                raise
        except (smtplib.SMTPException, OSError) as error:
            raise NotifyError(f"smtp: {where}: {_reason(error)}") from error
        return connection

    def send(self, notices: Sequence[Notice]) -> None:
        """Every notice is tried; then a NotifyError names each one that failed and why."""
        failures: list[str] = []
        failed: list[str] = []
        messages: list[tuple[str, EmailMessage]] = []
        for notice in notices:
            try:
                messages.append((notice.recipient, self._message(notice)))
            except NotifyError as error:  # a bad address or template fails this notice only
                failures.append(str(error))
                failed.append(notice.recipient)
        if messages:
            self._deliver(messages, failures, failed)
        if failures:
            raise NotifyError(f"smtp {self.settings.host}:{self.settings.port}: " + "; ".join(failures), failed)

    def _deliver(self, messages: list[tuple[str, EmailMessage]], failures: list[str], failed: list[str]) -> None:
        try:
            connection = self._connect()
        except NotifyError as error:
            raise NotifyError(str(error), failed + [recipient for recipient, _ in messages]) from error
        try:
            for index, (recipient, message) in enumerate(messages):
                try:
                    connection.send_message(message)
                except smtplib.SMTPServerDisconnected as error:
                    failures.append(f"{recipient}: {_reason(error)}")
                    failed.extend(other for other, _ in messages[index:])
                    return
                except (smtplib.SMTPException, OSError) as error:
                    failures.append(f"{recipient}: {_reason(error)}")
                    failed.append(recipient)
        finally:
            try:
                connection.quit()
            except (smtplib.SMTPException, OSError):
                connection.close()

    def _message(self, notice: Notice) -> EmailMessage:
        config = self.settings
        return build_message(notice, config.sender, config.templates, config.reply_to)
