"""The project's resources, configured from the environment (secrets through `EnvVar`, never in code)."""

from __future__ import annotations

import os
from typing import Any

import dagster as dg

from resources.alert_rules import ALERT_KINDS
from resources.alerting import AlertingResource
from resources.egov_client import EgovClient
from resources.newsys_client import NewsysClient
from resources.settings import DEFAULT_CUTOVER_AT, PipelineSettings
from resources.warehouse import WarehouseResource


def _optional(name: str, default: Any) -> Any:
    """`EnvVar(name)` when the variable is set, else the default."""
    return dg.EnvVar(name) if os.environ.get(name) else default


def email_recipients() -> dict[str, list[str]]:
    """Alert addresses per kind: `ALERT_EMAIL_TO` for every kind (`*`), `ALERT_EMAIL_TO_<KIND>` instead of it
    for one kind; comma-separated."""
    recipients = {"*": os.environ.get("ALERT_EMAIL_TO", "")}
    for kind in ALERT_KINDS:
        recipients[kind] = os.environ.get(f"ALERT_EMAIL_TO_{kind.upper()}", "")
    addresses = {kind: [part.strip() for part in text.split(",") if part.strip()]
                 for kind, text in recipients.items()}
    return {kind: found for kind, found in addresses.items() if found}


def email_settings() -> dict[str, Any]:
    """The SMTP settings of the alerts resource, when `ALERT_SMTP_HOST` is set (secrets through EnvVar)."""
    if not os.environ.get("ALERT_SMTP_HOST"):
        return {}
    settings: dict[str, Any] = {
        "smtp_host": dg.EnvVar("ALERT_SMTP_HOST"),
        "smtp_port": dg.EnvVar.int("ALERT_SMTP_PORT") if os.environ.get("ALERT_SMTP_PORT") else 587,
        "smtp_starttls": os.environ.get("ALERT_SMTP_STARTTLS", "true").lower() != "false",
        "smtp_username": _optional("ALERT_SMTP_USER", None),
        "smtp_password": _optional("ALERT_SMTP_PASSWORD", None),
        "smtp_ca_file": _optional("ALERT_SMTP_CA_FILE", None),
        "email_recipients": email_recipients(),
    }
    if os.environ.get("ALERT_SMTP_FROM"):
        settings["smtp_sender"] = dg.EnvVar("ALERT_SMTP_FROM")
    return settings


def build_resources() -> dict[str, Any]:
    """Resources by key, as the assets, checks and sensors expect them."""
    return {
        "warehouse": WarehouseResource(url=dg.EnvVar("WAREHOUSE_URL")),
        "egov": EgovClient(base_url=dg.EnvVar("EGOV_BASE_URL"), api_key=dg.EnvVar("EGOV_API_KEY")),
        "newsys": NewsysClient(
            base_url=dg.EnvVar("NEWSYS_BASE_URL"),
            client_id=dg.EnvVar("NEWSYS_CLIENT_ID"),
            client_secret=dg.EnvVar("NEWSYS_CLIENT_SECRET"),
        ),
        "settings": PipelineSettings(
            cutover_at=_optional("CUTOVER_AT", DEFAULT_CUTOVER_AT), pii_hash_key=dg.EnvVar("PII_HASH_KEY")
        ),
        "alerts": AlertingResource(
            webhook_url=_optional("ALERT_WEBHOOK_URL", None), warehouse_url=dg.EnvVar("WAREHOUSE_URL"),
            **email_settings(),
        ),
    }
