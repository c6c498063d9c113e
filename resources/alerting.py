"""Alerts: POSTed as JSON to `ALERT_WEBHOOK_URL` and e-mailed through `ALERT_SMTP_HOST` (either, both, or only
logged when neither is set); every delivery is recorded in `meta.alert_log`. What goes out is decided in
`resources.alert_rules`, what an e-mail says in `resources.alert_email`."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

import dagster as dg
import httpx
from pydantic import Field

from core.logs import project_logger
from core.sql_files import sql
from resources.alert_email import PermanentFailure, SmtpServer, alert_message, send_once
from resources.alert_rules import (
    Alert,
    data_quality_alert,
    freshness_alert,
    petition_overdue_alert,
    residue_alert,
)
from resources.warehouse import engine_for

log = project_logger("alerts")
QUERIES = "queries/alerts.sql"


@dataclass(frozen=True)
class Delivery:
    """How delivering one alert went."""

    channel: str
    attempts: int
    delivered: bool
    last_error: str | None = None


def payload_of(alert: Alert) -> dict[str, Any]:
    """The JSON body of an alert, with both titles."""
    return {
        "kind": alert.kind,
        "title_vi": alert.title_vi,
        "title_en": alert.title_en,
        "local_day": alert.local_day.isoformat(),
        "run_id": alert.run_id,
        "details": alert.details,
        "raised_at": datetime.now(UTC).isoformat(),
        "source": "egov-sync",
    }


def with_retries(
    channel: str, attempt: Callable[[float], str | None], deadline: float, max_attempts: int, backoff: float
) -> Delivery:
    """Run `attempt(seconds left)` until it succeeds (returns None), fails for good (PermanentFailure), the
    attempts are used up or the deadline passes; exponential backoff in between."""
    tries, error = 0, None
    while tries < max_attempts:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        tries += 1
        try:
            error = attempt(remaining)
        except PermanentFailure as failure:
            return Delivery(channel=channel, attempts=tries, delivered=False, last_error=str(failure))
        if error is None:
            return Delivery(channel=channel, attempts=tries, delivered=True)
        pause = min(backoff * 2 ** (tries - 1), deadline - time.monotonic())
        if pause <= 0 or tries >= max_attempts:
            break
        time.sleep(pause)
    return Delivery(channel=channel, attempts=tries, delivered=False, last_error=error)


class AlertingResource(dg.ConfigurableResource):
    """Where alerts go: a webhook, e-mail, or both (delivered side by side). Each channel retries transient
    failures with backoff within one deadline, `timeout_seconds` for the alert in all; a failed delivery is
    logged and recorded, never fatal to the run."""

    webhook_url: str | None = Field(default=None, description="URL that receives alerts as JSON POSTs.")
    warehouse_url: str | None = Field(default=None, description="Warehouse holding `meta.alert_log`.")
    timeout_seconds: float = Field(default=10.0, description="Longest time one alert may take to deliver.")
    max_attempts: int = Field(default=5, description="Attempts per alert and channel, within the timeout.")
    first_backoff_seconds: float = Field(default=0.5, description="Wait after the first failed attempt.")
    smtp_host: str | None = Field(default=None, description="SMTP server of the alert e-mails (none: none).")
    smtp_port: int = Field(default=587, description="Its port (submission, STARTTLS).")
    smtp_starttls: bool = Field(default=True, description="Upgrade the connection with STARTTLS (verified).")
    smtp_username: str | None = Field(default=None, description="SMTP login (none: no login).")
    smtp_password: str | None = Field(default=None, description="SMTP password (never logged).")
    smtp_sender: str = Field(default="egov-sync <egov-sync@localhost>", description="From address.")
    smtp_ca_file: str | None = Field(
        default=None, description="CA bundle the server's certificate is signed by (default: the system's)."
    )
    email_recipients: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Addresses per alert kind; `*` for the kinds not named.",
    )

    def send(self, alert: Alert) -> Delivery:
        """Deliver one alert (`deliveries`); how it went on the first channel: webhook, e-mail, or log."""
        return self.deliveries(alert)[0]

    def deliveries(self, alert: Alert) -> list[Delivery]:
        """Deliver one alert on every configured channel (or log it when none is) and record each delivery."""
        payload = payload_of(alert)
        log.warning("ALERT %s: %s / %s", alert.kind, alert.title_en, alert.title_vi)
        channels = self.channels(alert, payload)
        if not channels:
            log.info("alert %s details: %s", alert.kind, json.dumps(alert.details, ensure_ascii=False))
            deliveries = [Delivery(channel="log", attempts=0, delivered=False)]
        else:
            deliveries = self.deliver(channels)
        for delivery in deliveries:
            if delivery.delivered:
                log.info("alert %s delivered by %s (%d attempt(s))", alert.kind, delivery.channel,
                         delivery.attempts)
            elif delivery.channel != "log":
                log.error("alert %s could not be delivered by %s after %d attempt(s): %s",
                          alert.kind, delivery.channel, delivery.attempts, delivery.last_error)
            self.record(alert, payload, delivery)
        return deliveries

    def channels(self, alert: Alert, payload: dict[str, Any]) -> dict[str, Callable[[float], str | None]]:
        """One attempt function per configured channel for this alert."""
        found: dict[str, Callable[[float], str | None]] = {}
        if self.webhook_url:
            found["webhook"] = partial(self.post_once, payload)
        recipients = self.recipients(alert.kind)
        if self.smtp_host and recipients:
            message = alert_message(alert, payload, self.smtp_sender, recipients)
            found["email"] = partial(send_once, self.smtp_server(), message)
        return found

    def deliver(self, channels: dict[str, Callable[[float], str | None]]) -> list[Delivery]:
        """Every channel at once, each retried until the same deadline."""
        deadline = time.monotonic() + self.timeout_seconds
        with ThreadPoolExecutor(max_workers=len(channels), thread_name_prefix="alert") as pool:
            retry = partial(with_retries, deadline=deadline, max_attempts=self.max_attempts,
                            backoff=self.first_backoff_seconds)
            futures = [pool.submit(retry, name, attempt) for name, attempt in channels.items()]
            return [future.result() for future in futures]

    def recipients(self, kind: str) -> list[str]:
        """The addresses of an alert kind: its own, else those of `*`."""
        return list(self.email_recipients.get(kind) or self.email_recipients.get("*") or [])

    def smtp_server(self) -> SmtpServer:
        """The SMTP settings as one value."""
        return SmtpServer(
            host=self.smtp_host or "", port=self.smtp_port, sender=self.smtp_sender,
            starttls=self.smtp_starttls, username=self.smtp_username, password=self.smtp_password,
            ca_file=self.smtp_ca_file,
        )

    def post_once(self, payload: dict[str, Any], remaining: float) -> str | None:
        """One POST: None when accepted (2xx), the reason when worth retrying (5xx, connection)."""
        try:
            response = httpx.post(self.webhook_url or "", json=payload, timeout=remaining)
        except httpx.TransportError as exc:
            return type(exc).__name__
        if response.is_success:
            return None
        if response.status_code < 500:
            raise PermanentFailure(f"HTTP {response.status_code}")
        return f"HTTP {response.status_code}"

    def record(self, alert: Alert, payload: dict[str, Any], delivery: Delivery) -> None:
        """Append the alert and its delivery to `meta.alert_log` (when a warehouse is configured)."""
        if not self.warehouse_url:
            log.warning("alert %s not recorded: no warehouse configured for the alert log", alert.kind)
            return
        with engine_for(self.warehouse_url).begin() as conn:
            conn.execute(
                sql(QUERIES, "insert_alert"),
                {
                    "kind": alert.kind,
                    "local_day": alert.local_day,
                    "run_id": alert.run_id,
                    "title_vi": alert.title_vi,
                    "title_en": alert.title_en,
                    "payload": json.dumps(payload, ensure_ascii=False, default=str),
                    "channel": delivery.channel,
                    "attempts": delivery.attempts,
                    "delivered": delivery.delivered,
                    "last_error": delivery.last_error,
                },
            )

    def require_warehouse(self) -> str:
        """The alert log's warehouse URL; the rules that compare with earlier alerts need it."""
        if not self.warehouse_url:
            raise ValueError("AlertingResource.warehouse_url is required to decide on repeated alerts")
        return self.warehouse_url

    def backlog_residue(self, as_of: datetime, run_id: str | None = None) -> Alert | None:
        """Send the day's `backlog_residue` alert if the rules say so; return it, or None."""
        with engine_for(self.require_warehouse()).begin() as conn:
            alert = residue_alert(conn, as_of, run_id)
        if alert is not None:
            self.send(alert)
        return alert

    def petition_overdue(self, as_of: datetime, run_id: str | None = None) -> Alert | None:
        """Send the day's `petition_overdue` alert if the rules say so; return it, or None."""
        with engine_for(self.require_warehouse()).begin() as conn:
            alert = petition_overdue_alert(conn, as_of, run_id)
        if alert is not None:
            self.send(alert)
        return alert

    def data_quality(
        self, run_at: datetime, failed: list[dict[str, Any]], data_docs: str, run_id: str | None = None
    ) -> Alert | None:
        """Send a `data_quality` alert for new or grown failures; return it, or None."""
        with engine_for(self.require_warehouse()).begin() as conn:
            alert = data_quality_alert(conn, run_at, failed, data_docs, run_id)
        if alert is not None:
            self.send(alert)
        return alert

    def freshness(self, now: datetime, overdue: list[dict[str, Any]]) -> Alert | None:
        """Send the `freshness` alert for overdue marts if the rules say so; return it, or None."""
        with engine_for(self.require_warehouse()).begin() as conn:
            alert = freshness_alert(conn, now, overdue)
        if alert is not None:
            self.send(alert)
        return alert
