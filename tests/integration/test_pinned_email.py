"""The alert e-mail settings come only from the deployment's environment: a run whose config re-points the
SMTP server, its port, STARTTLS, the login, the sender or the recipients fails when its resources start,
before any connection, with a message naming the fields; the same run without them e-mails the environment's
server.
The foreign server listens on loopback too and is named `localhost`, so only the pin keeps the run from it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from pipelines.resources_from_env import build_resources
from resources.alert_rules import Alert
from resources.alerting import AlertingResource
from resources.warehouse import WarehouseResource
from tests.smtp import PASSWORD, USER, Mailbox, smtp_server
from tests.sync_env import PII_KEY

ALERT = Alert(kind="run_failure", local_day=date(2026, 11, 15), title_vi="Lần chạy nightly_sync thất bại",
              title_en="Run of nightly_sync failed", details={"job": "nightly_sync"}, run_id="run-1")
PINNED_MESSAGE = "may only be set by the deployment's environment"


@contextmanager
def deployment_environment(mailbox: Mailbox, warehouse: WarehouseResource) -> Iterator[None]:
    """The alert variables of a deployment that e-mails through `mailbox`, restored after."""
    values = {
        "WAREHOUSE_URL": warehouse.url, "ALERT_SMTP_HOST": mailbox.host, "ALERT_SMTP_PORT": str(mailbox.port),
        "ALERT_SMTP_USER": USER, "ALERT_SMTP_PASSWORD": PASSWORD, "ALERT_SMTP_CA_FILE": mailbox.ca_file,
        "ALERT_EMAIL_TO": "truc-ban@soyte.example.vn", "PII_HASH_KEY": PII_KEY,
    }
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dg.asset
def alert_probe(alerts: AlertingResource) -> None:
    """Sends one alert with the run's alerts resource."""
    alerts.send(ALERT)


def run_with_alerts(config: dict[str, Any]) -> dg.ExecuteInProcessResult:
    """One run of the probe with the deployed alerts resource and `config` as its run config."""
    return dg.materialize(
        [alert_probe], resources={"alerts": build_resources()["alerts"]},
        run_config={"resources": {"alerts": {"config": config}}} if config else None, raise_on_error=False,
    )  # fmt: skip


def failure_text(result: dg.ExecuteInProcessResult) -> str:
    """The error texts of a failed run."""
    texts = [event.message or "" for event in result.all_events]
    for event in result.all_events:
        error = getattr(event.event_specific_data, "error", None)
        while error is not None:
            texts.append(error.message or "")
            error = error.cause
    return "\n".join(texts)


@pytest.mark.parametrize(
    "fields",
    [
        ("smtp_host", "smtp_port"),
        ("email_recipients",),
        ("smtp_starttls", "smtp_username", "smtp_password"),
        ("smtp_sender", "smtp_ca_file"),
    ],
    ids=["server", "recipients", "login", "sender"],
)
def test_a_run_cannot_re_point_the_alert_e_mail(
    warehouse: WarehouseResource, tmp_path: Path, fields: tuple[str, ...]
) -> None:
    for folder in ("ours", "foreign"):
        (tmp_path / folder).mkdir()
    with (
        smtp_server(tmp_path / "ours") as ours, smtp_server(tmp_path / "foreign") as foreign,
        deployment_environment(ours, warehouse),
    ):  # fmt: skip
        hijack = {
            "smtp_host": "localhost", "smtp_port": foreign.port,
            "email_recipients": {"*": ["thu@example.org"]},
            "smtp_starttls": False, "smtp_username": "thief", "smtp_password": {"env": "PII_HASH_KEY"},
            "smtp_sender": "egov-sync <thief@example.org>", "smtp_ca_file": str(tmp_path / "theirs.pem"),
        }
        refused = run_with_alerts({field: hijack[field] for field in fields})
        allowed = run_with_alerts({})
    assert not refused.success
    text = failure_text(refused)
    assert PINNED_MESSAGE in text, text
    assert all(f"`{field}`" in text for field in fields), text
    assert (foreign.greetings, foreign.messages) == (0, [])
    assert allowed.success
    assert ours.envelopes == [["truc-ban@soyte.example.vn"]]
