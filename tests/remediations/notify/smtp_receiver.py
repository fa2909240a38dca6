"""A small real SMTP server for tests (RFC 5321 subset on socketserver): EHLO, STARTTLS, AUTH PLAIN /
LOGIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT. It keeps every message it accepted, raw, so tests parse
them with the stdlib e-mail parser like a mail client would."""

from __future__ import annotations

import base64
import datetime
import ipaddress
import socketserver
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Received:
    mail_from: str
    recipients: tuple[str, ...]
    data: bytes
    tls: bool
    user: str | None


@dataclass
class Mailbox:
    tls_context: ssl.SSLContext | None = None  # offer STARTTLS
    credentials: tuple[str, str] | None = None  # require AUTH with these
    refuse: set[str] = field(default_factory=set)  # RCPT TO these answers 550
    messages: list[Received] = field(default_factory=list)
    port: int = 0


class _Session(socketserver.StreamRequestHandler):
    server: _SmtpServer

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def readline_text(self) -> str | None:
        line = self.rfile.readline(65536)
        return None if not line else line.decode("utf-8", "replace").rstrip("\r\n")

    def handle(self) -> None:
        mailbox = self.server.mailbox
        self.tls = False
        self.user: str | None = None
        self.mail_from: str | None = None
        self.recipients: list[str] = []
        self.reply("220 tagwarden-test ESMTP ready")
        while (line := self.readline_text()) is not None:
            verb, _, argument = line.partition(" ")
            verb = verb.upper()
            if verb == "QUIT":
                self.reply("221 bye")
                return
            if verb == "STARTTLS" and mailbox.tls_context is not None and not self.tls:
                self.reply("220 go ahead")
                self.connection = mailbox.tls_context.wrap_socket(self.connection, server_side=True)
                self.rfile = self.connection.makefile("rb")
                self.wfile = self.connection.makefile("wb")
                self.tls = True
                continue
            self.command(verb, argument, mailbox)

    def command(self, verb: str, argument: str, mailbox: Mailbox) -> None:
        if verb in ("EHLO", "HELO"):
            extensions = ["250-tagwarden-test", "250-8BITMIME", "250-SMTPUTF8"]
            if mailbox.tls_context is not None and not self.tls:
                extensions.append("250-STARTTLS")
            if mailbox.credentials is not None:
                extensions.append("250-AUTH PLAIN LOGIN")
            self.reply("\r\n".join([*extensions, "250 HELP"]))
        elif verb == "AUTH":
            self.authenticate(argument, mailbox)
        elif verb == "MAIL":
            if mailbox.credentials is not None and self.user is None:
                self.reply("530 5.7.0 Authentication required")
                return
            self.mail_from, self.recipients = argument.partition(":")[2].split()[0].strip("<>"), []
            self.reply("250 OK")
        elif verb == "RCPT":
            address = argument.partition(":")[2].strip().strip("<>")
            if address in mailbox.refuse:
                self.reply(f"550 5.1.1 <{address}>: Recipient address rejected: User unknown")
                return
            self.recipients.append(address)
            self.reply("250 OK")
        elif verb == "DATA":
            self.data(mailbox)
        elif verb in ("RSET", "NOOP"):
            self.mail_from, self.recipients = None, []
            self.reply("250 OK")
        else:
            self.reply("502 5.5.2 Command not recognized")

    def authenticate(self, argument: str, mailbox: Mailbox) -> None:
        mechanism, _, initial = argument.partition(" ")
        if mechanism.upper() == "PLAIN":
            if not initial:
                self.reply("334 ")
                initial = self.readline_text() or ""
            _, user, password = base64.b64decode(initial).decode().split("\0")
        elif mechanism.upper() == "LOGIN":
            self.reply("334 " + base64.b64encode(b"Username:").decode())
            user = base64.b64decode(self.readline_text() or "").decode()
            self.reply("334 " + base64.b64encode(b"Password:").decode())
            password = base64.b64decode(self.readline_text() or "").decode()
        else:
            self.reply("504 5.5.4 Unrecognized authentication type")
            return
        if (user, password) != mailbox.credentials:
            self.reply("535 5.7.8 Authentication credentials invalid")
            return
        self.user = user
        self.reply("235 2.7.0 Authentication successful")

    def data(self, mailbox: Mailbox) -> None:
        if self.mail_from is None or not self.recipients:
            self.reply("503 5.5.1 Bad sequence of commands")
            return
        self.reply("354 End data with <CR><LF>.<CR><LF>")
        lines: list[bytes] = []
        while True:
            line = self.rfile.readline(1 << 20)
            if not line or line in (b".\r\n", b".\n"):
                break
            lines.append(line[1:] if line.startswith(b"..") else line)
        mailbox.messages.append(Received(self.mail_from, tuple(self.recipients), b"".join(lines), self.tls, self.user))
        self.mail_from, self.recipients = None, []
        self.reply("250 OK queued")


class _SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mailbox: Mailbox) -> None:
        super().__init__(("127.0.0.1", 0), _Session)
        self.mailbox = mailbox


@contextmanager
def smtp_server(mailbox: Mailbox) -> Iterator[Mailbox]:
    server = _SmtpServer(mailbox)
    mailbox.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield mailbox
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def self_signed_tls(folder: Path) -> tuple[ssl.SSLContext, Path]:
    """A server context for 127.0.0.1 and the certificate file a client must trust (its own CA)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate: Any = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context, cert_file
