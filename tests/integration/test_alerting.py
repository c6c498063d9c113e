"""Alert delivery: JSON POSTs with both titles, retries within a deadline, and the alert log."""

import time
from datetime import date

import pytest
from sqlalchemy import text

from resources.alert_rules import Alert, redact
from resources.alerting import AlertingResource
from resources.warehouse import WarehouseResource
from tests.webhook import webhook_receiver

ALERT = Alert(
    kind="backlog_residue",
    local_day=date(2026, 11, 15),
    title_vi="Còn 12 hồ sơ tồn trên Egov",
    title_en="12 cases still open on Egov",
    details={"residue": 12},
)


def alert_log(warehouse: WarehouseResource) -> list[dict]:
    """Every row of `meta.alert_log`, oldest first."""
    with warehouse.begin() as conn:
        rows = conn.execute(text("SELECT * FROM meta.alert_log ORDER BY alert_id")).mappings()
        return [dict(row) for row in rows]


def test_alert_is_posted_as_json_with_both_titles_and_recorded(warehouse: WarehouseResource) -> None:
    with webhook_receiver() as hook:
        AlertingResource(webhook_url=hook.url, warehouse_url=warehouse.url).send(ALERT)
    (alert,) = hook.accepted
    assert (alert["kind"], alert["details"]["residue"], alert["source"]) == (
        "backlog_residue", 12, "egov-sync",
    )
    assert (alert["title_vi"], alert["title_en"], alert["local_day"]) == (
        ALERT.title_vi, ALERT.title_en, "2026-11-15",
    )
    (row,) = alert_log(warehouse)
    assert (row["kind"], row["local_day"], row["channel"], row["attempts"], row["delivered"]) == (
        "backlog_residue", date(2026, 11, 15), "webhook", 1, True,
    )
    assert row["payload"]["title_vi"] == ALERT.title_vi


def test_webhook_answering_503_twice_then_200_receives_the_alert_once(warehouse: WarehouseResource) -> None:
    with webhook_receiver([503, 503, 200]) as hook:
        delivery = AlertingResource(
            webhook_url=hook.url, warehouse_url=warehouse.url, first_backoff_seconds=0.05
        ).send(ALERT)
    assert (hook.requests, len(hook.accepted)) == (3, 1)
    assert (delivery.attempts, delivery.delivered) == (3, True)
    (row,) = alert_log(warehouse)
    assert (row["attempts"], row["delivered"], row["last_error"]) == (3, True, None)


def test_a_failing_webhook_never_holds_the_run_past_the_timeout(warehouse: WarehouseResource) -> None:
    with webhook_receiver([503] * 100) as hook:
        started = time.monotonic()
        delivery = AlertingResource(
            webhook_url=hook.url, warehouse_url=warehouse.url, timeout_seconds=1.0, max_attempts=100,
            first_backoff_seconds=0.1,
        ).send(ALERT)
        elapsed = time.monotonic() - started
    assert elapsed < 2.0
    assert not delivery.delivered and delivery.attempts >= 2 and delivery.last_error == "HTTP 503"
    (row,) = alert_log(warehouse)
    assert (row["delivered"], row["last_error"]) == (False, "HTTP 503")


def test_a_4xx_is_not_retried(warehouse: WarehouseResource) -> None:
    with webhook_receiver([404, 200]) as hook:
        delivery = AlertingResource(webhook_url=hook.url, warehouse_url=warehouse.url).send(ALERT)
    assert (hook.requests, delivery.delivered, delivery.last_error) == (1, False, "HTTP 404")


def test_unreachable_webhook_is_logged_not_raised(
    warehouse: WarehouseResource, caplog: pytest.LogCaptureFixture
) -> None:
    delivery = AlertingResource(
        webhook_url="http://127.0.0.1:9/nowhere", warehouse_url=warehouse.url, timeout_seconds=1,
        first_backoff_seconds=0.1,
    ).send(ALERT)
    assert not delivery.delivered and delivery.last_error == "ConnectError"
    assert "could not be delivered" in caplog.text
    assert alert_log(warehouse)[0]["delivered"] is False


def test_without_a_webhook_the_alert_is_logged_and_recorded(
    warehouse: WarehouseResource, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="egov_sync.alerts")
    delivery = AlertingResource(warehouse_url=warehouse.url).send(ALERT)
    assert (delivery.channel, delivery.attempts) == ("log", 0)
    assert "12 cases still open on Egov" in caplog.text
    assert alert_log(warehouse)[0]["channel"] == "log"


def test_failure_messages_lose_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EGOV_API_KEY", "egov-key-5b1e0c9a7d")
    message = redact("401 with key egov-key-5b1e0c9a7d from postgresql://sync:hunter22@db:5432/w")
    assert "egov-key-5b1e0c9a7d" not in message and "hunter22" not in message
    assert "<EGOV_API_KEY>" in message and "postgresql://sync:***@db" in message
