"""Alerts: POSTed as JSON to `ALERT_WEBHOOK_URL`, or only logged when it is unset."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import dagster as dg
import httpx
from pydantic import Field

log = logging.getLogger("egov_sync.alerts")


class AlertingResource(dg.ConfigurableResource):
    """Where alerts go; a failed delivery is logged, never fatal to the run that raised it."""

    webhook_url: str | None = Field(default=None, description="URL that receives alerts as JSON POSTs.")
    timeout_seconds: float = 10.0

    def send(self, kind: str, title: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
        """Raise one alert of `kind` (e.g. `backlog_residue`, `data_quality`, `run_failure`)."""
        alert = {
            "kind": kind,
            "title": title,
            "details": details or {},
            "raised_at": datetime.now(UTC).isoformat(),
            "source": "egov-sync",
        }
        log.warning("ALERT %s: %s", kind, title)
        if self.webhook_url:
            try:
                httpx.post(self.webhook_url, json=alert, timeout=self.timeout_seconds).raise_for_status()
            except httpx.HTTPError as error:
                log.error("alert %s could not be delivered: %s", kind, type(error).__name__)
        return alert
