"""Alerts: POSTed as JSON to `ALERT_WEBHOOK_URL`, or only logged when it is unset; every one is recorded in
`meta.alert_log`. What goes out is decided in `resources.alert_rules`."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import dagster as dg
import httpx
from pydantic import Field

from core.logs import project_logger
from core.sql_files import sql
from resources.alert_rules import Alert, data_quality_alert, residue_alert
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


class AlertingResource(dg.ConfigurableResource):
    """Where alerts go. Delivery retries 5xx and connection errors with backoff for at most
    `timeout_seconds` in all; a failed delivery is logged and recorded, never fatal to the run."""

    webhook_url: str | None = Field(default=None, description="URL that receives alerts as JSON POSTs.")
    warehouse_url: str | None = Field(default=None, description="Warehouse holding `meta.alert_log`.")
    timeout_seconds: float = Field(default=10.0, description="Longest time one alert may take to deliver.")
    max_attempts: int = Field(default=5, description="POST attempts per alert, within the timeout.")
    first_backoff_seconds: float = Field(default=0.5, description="Wait after the first failed attempt.")

    def send(self, alert: Alert) -> Delivery:
        """Deliver one alert (or log it when no webhook is configured) and record it."""
        payload = payload_of(alert)
        log.warning("ALERT %s: %s / %s", alert.kind, alert.title_en, alert.title_vi)
        if self.webhook_url:
            delivery = self.post(payload)
            if not delivery.delivered:
                log.error("alert %s could not be delivered after %d attempt(s): %s",
                          alert.kind, delivery.attempts, delivery.last_error)
        else:
            log.info("alert %s details: %s", alert.kind, json.dumps(alert.details, ensure_ascii=False))
            delivery = Delivery(channel="log", attempts=0, delivered=False)
        self.record(alert, payload, delivery)
        return delivery

    def post(self, payload: dict[str, Any]) -> Delivery:
        """POST with retries on 5xx and connection errors, exponential backoff, one overall deadline."""
        deadline = time.monotonic() + self.timeout_seconds
        attempt, error = 0, None
        while attempt < self.max_attempts:
            attempt += 1
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                response = httpx.post(self.webhook_url or "", json=payload, timeout=remaining)
            except httpx.TransportError as exc:
                error = type(exc).__name__
            else:
                if response.is_success:
                    return Delivery(channel="webhook", attempts=attempt, delivered=True)
                error = f"HTTP {response.status_code}"
                if response.status_code < 500:
                    break
            pause = min(self.first_backoff_seconds * 2 ** (attempt - 1), deadline - time.monotonic())
            if pause <= 0 or attempt >= self.max_attempts:
                break
            time.sleep(pause)
        return Delivery(channel="webhook", attempts=attempt, delivered=False, last_error=error)

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

    def data_quality(
        self, run_at: datetime, failed: list[dict[str, Any]], data_docs: str, run_id: str | None = None
    ) -> Alert | None:
        """Send a `data_quality` alert for new or grown failures; return it, or None."""
        with engine_for(self.require_warehouse()).begin() as conn:
            alert = data_quality_alert(conn, run_at, failed, data_docs, run_id)
        if alert is not None:
            self.send(alert)
        return alert
