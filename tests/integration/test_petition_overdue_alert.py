"""The `petition_overdue` alert from hand-made `mart.fact_petition` rows: open petitions past `HanXuLy` per
unit, oldest first, once per local day, again only when there are more, with the change since the last one;
by webhook and e-mail, in the alert log, and never with the sender's data or the petition's text."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import dagster as dg
from sqlalchemy import text

from assets.petition_alerts import no_open_petition_past_deadline
from assets.petitions import fact_petition
from core.run_clock import AS_OF_TAG
from resources.alerting import AlertingResource
from resources.warehouse import WarehouseResource
from tests.overdue_petitions import at, insert_petitions, petition, sender_values
from tests.smtp import PASSWORD, USER, smtp_server
from tests.webhook import webhook_receiver

DAY_1 = at("2026-11-15 09:30")
DAY_1_LATE = at("2026-11-15 22:00")
DAY_1_RERUN = at("2026-11-15 09:30")
DAY_2 = at("2026-11-16 08:00")
PETITION_KEYS = {"petition_key", "unit_code", "classification", "handle_due_at", "days_overdue"}


def install(warehouse: WarehouseResource) -> None:
    """Open petitions of three units past their deadline on 15/11, others on time, ended or due later."""
    with warehouse.begin() as conn:
        insert_petitions(conn, [
            petition("PA-01", "U01", 2, "2026-10-10 08:00", "2026-11-01 17:00"),
            petition("PA-02", "U01", 1, "2026-10-20 08:00", "2026-11-10 17:00", classification=None),
            petition("PA-03", "U02", 2, "2026-10-12 08:00", "2026-11-05 17:00", classification=2),
            petition("PA-04", "U01", 2, "2026-11-01 08:00", "2026-11-15 08:00"),
            petition("PA-05", "U02", 2, "2026-11-01 08:00", "2026-11-15 09:30"),
            petition("PA-06", "U02", 2, "2026-11-01 08:00", "2026-11-15 12:00"),
            petition("PA-07", "U01", 6, "2026-10-01 08:00", "2026-10-20 17:00", "2026-11-02 08:00"),
            petition("PA-08", "U03", 3, "2026-10-01 08:00", "2026-10-20 17:00", "2026-10-05 08:00"),
            petition("PA-09", "U03", 4, "2026-10-01 08:00", "2026-10-20 17:00", "2026-10-02 08:00"),
            *[petition(f"PB-{n:02d}", "U04", 2, "2026-10-01 08:00", f"2026-11-{n:02d} 10:00")
              for n in range(2, 14)],
        ])  # fmt: skip


def test_overdue_petitions_alert_once_a_day_again_next_day_and_again_when_more(
    warehouse: WarehouseResource,
) -> None:
    install(warehouse)
    with webhook_receiver() as hook:
        alerts = AlertingResource(webhook_url=hook.url, warehouse_url=warehouse.url)
        first = alerts.petition_overdue(DAY_1, "run-1")
        same_day = alerts.petition_overdue(DAY_1_RERUN, "run-2")
        later_that_day = alerts.petition_overdue(DAY_1_LATE, "run-2b")
        with warehouse.begin() as conn:
            conn.execute(text("UPDATE mart.fact_petition SET status_code = 6, ended_at = :t, handled_at = :t"
                              " WHERE petition_key = 'PA-01'"), {"t": DAY_1})
        next_day = alerts.petition_overdue(DAY_2, "run-3")
        with warehouse.begin() as conn:
            insert_petitions(conn, [petition("PC-01", "U03", 1, "2026-10-01 08:00", "2026-11-12 17:00")])
        more = alerts.petition_overdue(DAY_2 + timedelta(hours=2), "run-4")
        again = alerts.petition_overdue(DAY_2 + timedelta(hours=3), "run-5")
    assert first is not None and same_day is None and later_that_day is not None
    assert next_day is not None and more is not None and again is None
    sent = hook.of_kind("petition_overdue")
    assert [alert["run_id"] for alert in sent] == ["run-1", "run-2b", "run-3", "run-4"]
    day_1 = sent[0]["details"]
    assert day_1["overdue"] == 16
    assert day_1["by_unit"] == {"U01": 3, "U04": 12, "U02": 1}
    assert day_1["units"][0] == {"unit_code": "U01", "overdue": 3, "oldest_handle_due_on": "2026-11-01",
                                 "most_days_overdue": 14}  # fmt: skip
    assert [unit["unit_code"] for unit in day_1["units"]] == ["U01", "U04", "U02"]
    assert day_1["change"]["previous_overdue"] is None
    oldest = day_1["oldest_petitions"]
    assert len(oldest) == 10 and all(set(item) == PETITION_KEYS for item in oldest)
    assert oldest[0] == {"petition_key": "PA-01", "unit_code": "U01", "classification": 1,
                         "handle_due_at": "2026-11-01 17:00", "days_overdue": 14}  # fmt: skip
    assert [item["petition_key"] for item in oldest[:4]] == ["PA-01", "PB-02", "PB-03", "PB-04"]
    assert "phản ánh, kiến nghị quá hạn" in sent[0]["title_vi"] and "16 open petition" in sent[0]["title_en"]
    assert sent[1]["details"]["change"] == {
        "previous_local_day": "2026-11-15", "previous_overdue": 16, "overdue_delta": 2,
        "by_unit_delta": {"U02": 2},
    }
    assert sent[2]["details"]["change"] == {
        "previous_local_day": "2026-11-15", "previous_overdue": 18, "overdue_delta": -1,
        "by_unit_delta": {"U01": -1},
    }
    assert sent[2]["details"]["oldest_petitions"][0]["petition_key"] == "PB-02"
    assert sent[3]["details"]["change"]["overdue_delta"] == 1
    assert sent[3]["details"]["change"]["by_unit_delta"] == {"U03": 1}


def test_the_check_after_fact_petition_warns_and_raises_the_alert(warehouse: WarehouseResource) -> None:
    install(warehouse)
    with webhook_receiver() as hook:
        result = dg.materialize(
            [fact_petition, no_open_petition_past_deadline],
            selection=dg.AssetSelection.checks(no_open_petition_past_deadline),
            resources={"warehouse": warehouse,
                       "alerts": AlertingResource(webhook_url=hook.url, warehouse_url=warehouse.url)},
            tags={AS_OF_TAG: DAY_1.isoformat()},
        )  # fmt: skip
    (evaluation,) = result.get_asset_check_evaluations()
    assert (evaluation.passed, evaluation.severity) == (False, dg.AssetCheckSeverity.WARN)
    assert evaluation.metadata["overdue"].value == 16 and evaluation.metadata["alert_raised"].value is True
    assert "| U04 | 12 | 2026-11-02 | 13 |" in evaluation.metadata["by_unit"].value
    (sent,) = hook.of_kind("petition_overdue")
    assert sent["run_id"] == result.run_id and sent["details"]["overdue"] == 16


def test_no_overdue_petition_no_alert(warehouse: WarehouseResource) -> None:
    with warehouse.begin() as conn:
        insert_petitions(conn, [petition("PA-01", "U01", 2, "2026-11-10 08:00", "2026-12-01 17:00")])
    with webhook_receiver() as hook:
        alerts = AlertingResource(webhook_url=hook.url, warehouse_url=warehouse.url)
        assert alerts.petition_overdue(DAY_1) is None
    assert hook.requests == 0


def test_the_alert_is_e_mailed_and_logged_without_any_sender_data(
    warehouse: WarehouseResource, tmp_path: Path
) -> None:
    install(warehouse)
    with smtp_server(tmp_path) as mailbox, webhook_receiver() as hook:
        alerts = AlertingResource(
            webhook_url=hook.url, warehouse_url=warehouse.url, smtp_host=mailbox.host, smtp_port=mailbox.port,
            smtp_username=USER, smtp_password=PASSWORD, smtp_ca_file=mailbox.ca_file,
            email_recipients={"petition_overdue": ["pakn@soyte.example.vn"], "*": ["truc@soyte.example.vn"]},
        )  # fmt: skip
        alert = alerts.petition_overdue(DAY_1, "run-1")
    assert alert is not None
    assert mailbox.envelopes == [["pakn@soyte.example.vn"]]
    (message,) = mailbox.messages
    body = message.get_body(preferencelist=("plain",)).get_content()
    for fact in (alert.title_vi, "Loại cảnh báo / Kind: petition_overdue", "overdue: 16", "U04: 12",
                 "- petition_key: PA-01", "days_overdue: 14"):  # fmt: skip
        assert fact in body, fact
    (attachment,) = list(message.iter_attachments())
    with warehouse.begin() as conn:
        logged = conn.execute(text("SELECT channel, delivered, payload::text FROM meta.alert_log"
                                   " WHERE kind = 'petition_overdue' ORDER BY channel")).all()  # fmt: skip
    assert [(row.channel, row.delivered) for row in logged] == [("email", True), ("webhook", True)]
    webhook = json.dumps(hook.accepted, ensure_ascii=False)
    everything = [body, attachment.get_content().decode("utf-8"), webhook, *(row.payload for row in logged)]
    for value in sender_values():
        assert all(value not in part for part in everything), value


def test_boundaries_of_overdue(warehouse: WarehouseResource) -> None:
    install(warehouse)
    with warehouse.begin() as conn:
        rows = conn.execute(text("SELECT petition_key, days_overdue FROM mart.overdue_open_petitions(:t)"
                                 " ORDER BY petition_key"), {"t": DAY_1}).all()  # fmt: skip
    found = dict(rows)
    assert found["PA-04"] == 0, "due at 08:00 the same day: overdue by less than a day"
    assert "PA-05" not in found, "due at the very moment: still on time (E <= HanXuLy)"
    assert "PA-06" not in found and "PA-07" not in found and "PA-08" not in found and "PA-09" not in found
    assert found["PA-02"] == 5 and found["PA-03"] == 10
