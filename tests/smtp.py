"""A real SMTP server for alert tests (aiosmtpd on loopback): STARTTLS required, with a self-signed
certificate made for the test, login required after it, and every message it accepted kept as parsed."""

from __future__ import annotations

import email
import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.deployed import free_port

USER, PASSWORD = "alerts", "smtp-test-password"


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made with openssl for this test only."""
    cert, key = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )
    return cert, key


@dataclass
class Mailbox:
    """What the server saw: the greetings (EHLO) it got, the messages it accepted, with envelope recipients,
    and its scripted replies."""

    host: str
    port: int
    ca_file: str
    replies: list[str] = field(default_factory=list)
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[list[str]] = field(default_factory=list)
    over_tls: list[bool] = field(default_factory=list)
    greetings: int = 0


class Handler:
    """Keeps each message, after answering the scripted replies (e.g. `451 ...`) first."""

    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_EHLO(
        self, server: object, session: object, envelope: object, hostname: str, responses: list[str]
    ) -> list[str]:
        """Count every client that greeted the server (each connection of smtplib does)."""
        self.mailbox.greetings += 1
        session.host_name = hostname  # type: ignore[attr-defined]  # the hook's part of EHLO in aiosmtpd
        return responses

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        """Accept (or refuse, as scripted) one message."""
        if self.mailbox.replies:
            return self.mailbox.replies.pop(0)
        message = email.message_from_bytes(envelope.content, policy=default)  # type: ignore[attr-defined]
        self.mailbox.messages.append(message)  # type: ignore[arg-type]
        self.mailbox.envelopes.append(list(envelope.rcpt_tos))  # type: ignore[attr-defined]
        self.mailbox.over_tls.append(session.ssl is not None)  # type: ignore[attr-defined]
        return "250 OK"


def authenticate(
    server: object, session: object, envelope: object, mechanism: str, data: object
) -> AuthResult:
    """Only the test's user and password log in; others get the server's 535."""
    expected = (USER.encode(), PASSWORD.encode())
    good = isinstance(data, LoginPassword) and (data.login, data.password) == expected
    return AuthResult(success=good, handled=False)


@contextmanager
def smtp_server(folder: Path, replies: list[str] | None = None) -> Iterator[Mailbox]:
    """An SMTP server on 127.0.0.1 requiring STARTTLS and login; yields its mailbox."""
    cert, key = self_signed_certificate(folder)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    mailbox = Mailbox(host="127.0.0.1", port=free_port(), ca_file=str(cert), replies=list(replies or []))
    controller = Controller(
        Handler(mailbox), hostname=mailbox.host, port=mailbox.port, tls_context=context,
        require_starttls=True, authenticator=authenticate, auth_require_tls=True,
    )
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()
