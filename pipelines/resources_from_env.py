"""The project's resources as the deployment runs them: configured from the environment (secrets through
`EnvVar`, never in code), with every address, credential and key pinned to it (`resources.pinned`).

A run launched from the UI may still tune the clients' timeouts, retries and page sizes; it cannot re-point
a source, the warehouse or the webhook, nor change the credentials, the pseudonymisation key or the cutover.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

import dagster as dg

from core.environment import DEFAULT_CUTOVER_AT, pii_key_problem, read_environment
from resources.alert_rules import ALERT_KINDS
from resources.alerting import AlertingResource
from resources.egov_client import EgovClient
from resources.newsys_client import NewsysClient
from resources.pinned import PinnedConfigError, PinnedToEnvironment, field_default
from resources.settings import PipelineSettings
from resources.warehouse import WarehouseResource


class DeployedWarehouse(PinnedToEnvironment, WarehouseResource):
    """The warehouse of `WAREHOUSE_URL`."""

    pinned_fields: ClassVar[dict[str, str]] = {"url": "WAREHOUSE_URL"}


class DeployedEgov(PinnedToEnvironment, EgovClient):
    """Egov at `EGOV_BASE_URL` with `EGOV_API_KEY`."""

    pinned_fields: ClassVar[dict[str, str]] = {"base_url": "EGOV_BASE_URL", "api_key": "EGOV_API_KEY"}


class DeployedNewsys(PinnedToEnvironment, NewsysClient):
    """The new system at `NEWSYS_BASE_URL` with `NEWSYS_CLIENT_ID` and `NEWSYS_CLIENT_SECRET`."""

    pinned_fields: ClassVar[dict[str, str]] = {
        "base_url": "NEWSYS_BASE_URL",
        "client_id": "NEWSYS_CLIENT_ID",
        "client_secret": "NEWSYS_CLIENT_SECRET",
    }


class DeployedSettings(PinnedToEnvironment, PipelineSettings):
    """`CUTOVER_AT` and `PII_HASH_KEY`; a weak key, or the demo's key outside the demo, is refused."""

    pinned_fields: ClassVar[dict[str, str]] = {"cutover_at": "CUTOVER_AT", "pii_hash_key": "PII_HASH_KEY"}

    def check_pinned(self) -> None:
        """The pinned fields, then the key's strength."""
        super().check_pinned()
        problem = pii_key_problem(self.pii_hash_key, demo=read_environment().demo)
        if problem:
            raise PinnedConfigError(f"PII_HASH_KEY {problem}")


EMAIL_FIELDS = {
    "smtp_host": "ALERT_SMTP_HOST", "smtp_port": "ALERT_SMTP_PORT", "smtp_starttls": "ALERT_SMTP_STARTTLS",
    "smtp_username": "ALERT_SMTP_USER", "smtp_password": "ALERT_SMTP_PASSWORD",
    "smtp_sender": "ALERT_SMTP_FROM", "smtp_ca_file": "ALERT_SMTP_CA_FILE",
    "email_recipients": "ALERT_EMAIL_TO and ALERT_EMAIL_TO_<KIND>",
}  # fmt: skip
"""The e-mail fields of the alerts resource and the variables they come from."""
SECRET_EMAIL_FIELDS = ("smtp_host", "smtp_username", "smtp_password", "smtp_sender", "smtp_ca_file")
"""The e-mail fields passed as `EnvVar` (their values stay out of the resource's config)."""


def email_recipients() -> dict[str, list[str]]:
    """Alert addresses per kind: `ALERT_EMAIL_TO` for every kind (`*`), `ALERT_EMAIL_TO_<KIND>` instead of it
    for one kind; comma-separated."""
    recipients = {"*": os.environ.get("ALERT_EMAIL_TO", "")}
    for kind in ALERT_KINDS:
        recipients[kind] = os.environ.get(f"ALERT_EMAIL_TO_{kind.upper()}", "")
    addresses = {kind: [part.strip() for part in text.split(",") if part.strip()]
                 for kind, text in recipients.items()}
    return {kind: found for kind, found in addresses.items() if found}


def email_values() -> dict[str, Any]:
    """The e-mail settings the environment gives the alerts resource: none unless `ALERT_SMTP_HOST` is set,
    then only those whose variable is set (the others keep the field's default)."""
    environment = read_environment()
    if not environment.smtp_host:
        return {}
    values: dict[str, Any] = {
        "smtp_host": environment.smtp_host,
        "smtp_port": environment.smtp_port,
        "smtp_starttls": environment.smtp_starttls,
        "email_recipients": email_recipients(),
    }
    for field in ("smtp_username", "smtp_password", "smtp_sender", "smtp_ca_file"):
        if os.environ.get(EMAIL_FIELDS[field]):
            values[field] = os.environ[EMAIL_FIELDS[field]]
    return values


def email_settings() -> dict[str, Any]:
    """The e-mail settings as the alerts resource is configured with them (strings through EnvVar)."""
    values = email_values()
    return {field: dg.EnvVar(EMAIL_FIELDS[field]) if field in SECRET_EMAIL_FIELDS else value
            for field, value in values.items()}


class DeployedAlerting(PinnedToEnvironment, AlertingResource):
    """Alerts to `ALERT_WEBHOOK_URL` and e-mailed through `ALERT_SMTP_HOST` (none when unset) to the
    recipients of `ALERT_EMAIL_TO*`, recorded in the warehouse of `WAREHOUSE_URL`: every address, the port,
    STARTTLS, the login and the recipients come from the environment only."""

    pinned_fields: ClassVar[dict[str, str]] = {
        "webhook_url": "ALERT_WEBHOOK_URL", "warehouse_url": "WAREHOUSE_URL", **EMAIL_FIELDS,
    }

    def environment_value(self, field: str) -> Any:
        """The e-mail fields as `email_values` reads them (the field's default when not given); the others
        from their variable."""
        if field in EMAIL_FIELDS:
            return email_values().get(field, field_default(self, field))
        return super().environment_value(field)


def _optional(name: str, default: Any) -> Any:
    """`EnvVar(name)` when the variable is set, else the default."""
    return dg.EnvVar(name) if os.environ.get(name) else default


def build_resources() -> dict[str, Any]:
    """Resources by key, as the assets, checks and sensors expect them."""
    return {
        "warehouse": DeployedWarehouse(url=dg.EnvVar("WAREHOUSE_URL")),
        "egov": DeployedEgov(base_url=dg.EnvVar("EGOV_BASE_URL"), api_key=dg.EnvVar("EGOV_API_KEY")),
        "newsys": DeployedNewsys(
            base_url=dg.EnvVar("NEWSYS_BASE_URL"),
            client_id=dg.EnvVar("NEWSYS_CLIENT_ID"),
            client_secret=dg.EnvVar("NEWSYS_CLIENT_SECRET"),
        ),
        "settings": DeployedSettings(
            cutover_at=_optional("CUTOVER_AT", DEFAULT_CUTOVER_AT), pii_hash_key=dg.EnvVar("PII_HASH_KEY")
        ),
        "alerts": DeployedAlerting(
            webhook_url=_optional("ALERT_WEBHOOK_URL", None), warehouse_url=dg.EnvVar("WAREHOUSE_URL"),
            **email_settings(),
        ),
    }
