"""Alerts as e-mail: the message (Vietnamese subject, a plain-text body with the alert's facts, the JSON
payload attached) and one SMTP attempt (STARTTLS, then login when credentials are given). What is worth
retrying is told apart from what is not: a 4xx reply or a lost connection may pass on the next try, a 5xx
reply (refused login, refused recipients) or a certificate that does not verify will not."""

from __future__ import annotations

import json
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from resources.alert_rules import Alert

SUBJECT_PREFIX = "[egov-sync]"
INDENT = "  "


class PermanentFailure(Exception):
    """A delivery that no retry can make succeed (its reason is the message)."""


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to hand alerts over by SMTP."""

    host: str
    port: int
    sender: str
    starttls: bool = True
    username: str | None = None
    password: str | None = None
    ca_file: str | None = None


def fact_lines(value: Any, depth: int = 0) -> list[str]:
    """A nested value as indented lines (`key: value`, `- item`), every fact of it kept."""
    pad = INDENT * depth
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            if isinstance(item, dict | list) and item:
                lines += [f"{pad}{key}:", *fact_lines(item, depth + 1)]
            else:
                lines.append(f"{pad}{key}: {scalar(item)}")
        return lines
    if isinstance(value, list):
        lines = []
        for item in value:
            nested = fact_lines(item, depth + 1)
            lines.append(f"{pad}- {nested[0].strip()}" if nested else f"{pad}-")
            lines += nested[1:]
        return lines
    return [f"{pad}{scalar(value)}"]


def scalar(value: Any) -> str:
    """One value as text: empty collections and null spelled out."""
    if value is None:
        return "(không có / none)"
    if isinstance(value, dict | list):
        return "(trống / empty)"
    return str(value)


def email_body(alert: Alert) -> str:
    """The readable body of an alert: both titles, its kind, day and run, then every detail."""
    return "\n".join([
        alert.title_vi,
        alert.title_en,
        "",
        f"Loại cảnh báo / Kind: {alert.kind}",
        f"Ngày / Day: {alert.local_day:%d/%m/%Y}",
        f"Lần chạy / Run: {alert.run_id or '(không có / none)'}",
        "",
        "Chi tiết / Details:",
        *fact_lines(alert.details, 1),
        "",
        "Gửi tự động bởi egov-sync; toàn bộ dữ liệu ở tệp alert.json đính kèm.",
        "Sent by egov-sync; the full payload is in the attached alert.json.",
        "",
    ])


def alert_message(alert: Alert, payload: dict[str, Any], sender: str, recipients: list[str]) -> EmailMessage:
    """The e-mail of one alert to `recipients`."""
    message = EmailMessage()
    message["Subject"] = f"{SUBJECT_PREFIX} {alert.title_vi}"
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="egov-sync")
    message.set_content(email_body(alert), charset="utf-8")
    attachment = json.dumps(payload, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    message.add_attachment(attachment, maintype="application", subtype="json", filename="alert.json")
    return message


def tls_context(server: SmtpServer) -> ssl.SSLContext:
    """A verifying TLS context: the system's CAs, or the CA file the server's certificate is signed by."""
    return ssl.create_default_context(cafile=server.ca_file)


def send_once(server: SmtpServer, message: EmailMessage, timeout: float) -> str | None:
    """One attempt to hand `message` over: None when the server took it, the reason when it may pass on a
    later try; PermanentFailure when it never will."""
    try:
        with smtplib.SMTP(server.host, server.port, timeout=timeout) as smtp:
            if server.starttls:
                smtp.starttls(context=tls_context(server))
            if server.username:
                smtp.login(server.username, server.password or "")
            smtp.send_message(message)
    except ssl.SSLCertVerificationError as error:
        raise PermanentFailure(f"TLS certificate not trusted: {error.verify_message}") from error
    except smtplib.SMTPNotSupportedError as error:
        raise PermanentFailure("the SMTP server does not offer STARTTLS") from error
    except smtplib.SMTPRecipientsRefused as error:
        codes = sorted({code for code, _ in error.recipients.values()})
        if all(400 <= code < 500 for code in codes):
            return f"SMTP {codes[0]} (recipients deferred)"
        raise PermanentFailure(f"SMTP {codes[-1]}: recipients refused") from error
    except smtplib.SMTPResponseException as error:
        if 400 <= error.smtp_code < 500:
            return f"SMTP {error.smtp_code}"
        raise PermanentFailure(f"SMTP {error.smtp_code}") from error
    except (smtplib.SMTPException, OSError) as error:
        return type(error).__name__
    return None
