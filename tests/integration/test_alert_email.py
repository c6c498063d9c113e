"""Alerts by e-mail, against a real SMTP server started by the test (STARTTLS with a self-signed certificate,
login): a Vietnamese subject, a readable body with the alert's facts, the payload attached, recipients per
kind, transient replies retried within the deadline, permanent ones not, every delivery in the alert log."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from resources.alert_rules import Alert
from resources.alerting import AlertingResource
from resources.warehouse import WarehouseResource
from tests.smtp import PASSWORD, USER, Mailbox, smtp_server
from tests.webhook import webhook_receiver

RESIDUE = Alert(
    kind="backlog_residue",
    local_day=date(2026, 11, 15),
    title_vi="Còn 12 hồ sơ tồn trên Egov chưa có trên hệ thống mới (ngày 15/11/2026)",
    title_en="12 Egov backlog case(s) still open on Egov and nowhere else (2026-11-15)",
    details={"residue": 12, "by_unit": {"SYT-VP": 7, "SYT-NV": 5},
             "oldest_cases": [{"legacy_case_no": "000.00.01.H16-191203-0001", "days_open": 412}]},
    run_id="run-1",
)
FAILURE = Alert(kind="run_failure", local_day=date(2026, 11, 15), title_vi="Lần chạy nightly_sync thất bại",
                title_en="Run of nightly_sync failed", details={"job": "nightly_sync"}, run_id="run-2")
RECIPIENTS = {"*": ["truc-ban@soyte.example.vn"], "run_failure": ["van-hanh@soyte.example.vn"]}


def alerts_by_email(mailbox: Mailbox, warehouse: WarehouseResource, **overrides: object) -> AlertingResource:
    """The alerts resource e-mailing through the test's server."""
    settings = {
        "warehouse_url": warehouse.url, "smtp_host": mailbox.host, "smtp_port": mailbox.port,
        "smtp_username": USER, "smtp_password": PASSWORD, "smtp_ca_file": mailbox.ca_file,
        "smtp_sender": "egov-sync <egov-sync@soyte.example.vn>", "email_recipients": RECIPIENTS,
        "first_backoff_seconds": 0.05,
    }
    return AlertingResource(**(settings | overrides))


def email_log(warehouse: WarehouseResource) -> list[dict]:
    """The alert log's e-mail deliveries, oldest first."""
    with warehouse.begin() as conn:
        rows = conn.execute(text("SELECT * FROM meta.alert_log WHERE channel = 'email' ORDER BY alert_id"))
        return [dict(row) for row in rows.mappings()]


def test_an_alert_is_e_mailed_over_starttls_with_its_facts(
    warehouse: WarehouseResource, tmp_path: Path
) -> None:
    with smtp_server(tmp_path) as mailbox:
        delivery = alerts_by_email(mailbox, warehouse).send(RESIDUE)
    assert (delivery.channel, delivery.delivered, delivery.attempts) == ("email", True, 1)
    (message,) = mailbox.messages
    assert mailbox.over_tls == [True]
    assert message["Subject"] == f"[egov-sync] {RESIDUE.title_vi}"
    assert message["To"] == "truc-ban@soyte.example.vn"
    assert mailbox.envelopes == [["truc-ban@soyte.example.vn"]]
    body = message.get_body(preferencelist=("plain",)).get_content()
    for fact in (RESIDUE.title_vi, RESIDUE.title_en, "Ngày / Day: 15/11/2026", "Lần chạy / Run: run-1",
                 "residue: 12", "SYT-VP: 7", "SYT-NV: 5", "- legacy_case_no: 000.00.01.H16-191203-0001",
                 "days_open: 412"):
        assert fact in body, fact
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "alert.json"
    assert json.loads(attachment.get_content())["details"] == RESIDUE.details
    (row,) = email_log(warehouse)
    assert (row["kind"], row["delivered"], row["attempts"]) == ("backlog_residue", True, 1)
    assert row["last_error"] is None


def test_recipients_are_chosen_by_alert_kind(warehouse: WarehouseResource, tmp_path: Path) -> None:
    with smtp_server(tmp_path) as mailbox:
        alerts = alerts_by_email(mailbox, warehouse)
        alerts.send(FAILURE)
        alerts.send(RESIDUE)
    assert mailbox.envelopes == [["van-hanh@soyte.example.vn"], ["truc-ban@soyte.example.vn"]]


def test_a_transient_reply_is_retried_within_the_deadline(
    warehouse: WarehouseResource, tmp_path: Path
) -> None:
    with smtp_server(tmp_path, replies=["451 4.3.0 try again later"]) as mailbox:
        delivery = alerts_by_email(mailbox, warehouse).send(RESIDUE)
    assert (delivery.delivered, delivery.attempts) == (True, 2)
    assert len(mailbox.messages) == 1


def test_a_refused_login_is_not_retried(warehouse: WarehouseResource, tmp_path: Path) -> None:
    with smtp_server(tmp_path) as mailbox:
        delivery = alerts_by_email(mailbox, warehouse, smtp_password="wrong").send(RESIDUE)
    assert (delivery.delivered, delivery.attempts, delivery.last_error) == (False, 1, "SMTP 535")
    assert mailbox.messages == []
    assert email_log(warehouse)[0]["last_error"] == "SMTP 535"


def test_a_server_certificate_that_does_not_verify_is_refused(
    warehouse: WarehouseResource, tmp_path: Path
) -> None:
    with smtp_server(tmp_path) as mailbox:
        delivery = alerts_by_email(mailbox, warehouse, smtp_ca_file=None).send(RESIDUE)
    assert not delivery.delivered and delivery.attempts == 1
    assert delivery.last_error.startswith("TLS certificate not trusted")
    assert mailbox.messages == []


def test_webhook_and_e_mail_both_receive_it_and_both_are_logged(
    warehouse: WarehouseResource, tmp_path: Path
) -> None:
    with smtp_server(tmp_path) as mailbox, webhook_receiver() as hook:
        deliveries = alerts_by_email(mailbox, warehouse, webhook_url=hook.url).deliveries(RESIDUE)
    assert sorted((d.channel, d.delivered) for d in deliveries) == [("email", True), ("webhook", True)]
    assert len(hook.accepted) == 1 and len(mailbox.messages) == 1
    with warehouse.begin() as conn:
        channels = conn.execute(text("SELECT channel FROM meta.alert_log ORDER BY channel")).scalars().all()
    assert channels == ["email", "webhook"]


def test_an_unreachable_smtp_server_never_holds_the_run_past_the_timeout(
    warehouse: WarehouseResource, tmp_path: Path
) -> None:
    with smtp_server(tmp_path) as mailbox:
        port = mailbox.port
    closed = Mailbox(host="127.0.0.1", port=port, ca_file=mailbox.ca_file)
    delivery = alerts_by_email(closed, warehouse, timeout_seconds=1.0, max_attempts=50).send(RESIDUE)
    assert not delivery.delivered and delivery.attempts >= 2
    assert delivery.last_error == "ConnectionRefusedError"


@pytest.mark.parametrize("kind", ["freshness", "data_quality"])
def test_kinds_without_their_own_recipients_go_to_the_default(
    kind: str, warehouse: WarehouseResource, tmp_path: Path
) -> None:
    alert = Alert(kind=kind, local_day=date(2026, 11, 15), title_vi="Cảnh báo", title_en="Alert")
    with smtp_server(tmp_path) as mailbox:
        alerts_by_email(mailbox, warehouse).send(alert)
    assert mailbox.envelopes == [["truc-ban@soyte.example.vn"]]
