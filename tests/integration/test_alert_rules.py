"""When `backlog_residue` and `data_quality` alerts go out again, decided from the warehouse's history."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text

from resources.alerting import AlertingResource
from resources.warehouse import WarehouseResource
from tests.webhook import Webhook, webhook_receiver

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
DAY_1_EARLY = datetime(2026, 11, 15, 1, 0, tzinfo=LOCAL)
DAY_1_LATE = datetime(2026, 11, 15, 23, 30, tzinfo=LOCAL)
DAY_2 = datetime(2026, 11, 16, 1, 0, tzinfo=LOCAL)
INSERT_RESIDUE = text(
    "INSERT INTO mart.residue_case (egov_id, legacy_case_no, unit_code, status_code, received_at, days_open,"
    " last_official) VALUES (:egov_id, :case_no, :unit, 2, :received_at, :days_open, :official)"
)
INSERT_DQ = text(
    "INSERT INTO mart.dq_results (run_at, suite, expectation, success, element_count, unexpected_count)"
    " VALUES (:run_at, 'business_rules', :expectation, :success, 100, :unexpected)"
)


def add_residue(warehouse: WarehouseResource, first_id: int, count: int, unit: str) -> None:
    """`count` residue cases of `unit`, older for smaller ids."""
    with warehouse.begin() as conn:
        for egov_id in range(first_id, first_id + count):
            conn.execute(INSERT_RESIDUE, {
                "egov_id": egov_id, "case_no": f"000.00.{egov_id:05d}", "unit": unit,
                "received_at": DAY_1_EARLY - timedelta(days=1000 - egov_id), "days_open": 1000 - egov_id,
                "official": f"canbo{egov_id % 3}",
            })


def test_residue_alert_once_a_day_again_next_day_and_again_when_it_grew(warehouse: WarehouseResource) -> None:
    add_residue(warehouse, 1, 8, "U01")
    add_residue(warehouse, 100, 4, "U02")
    with webhook_receiver() as hook:
        alerts = AlertingResource(webhook_url=hook.url, warehouse_url=warehouse.url)
        first = alerts.backlog_residue(DAY_1_EARLY, "run-1")
        second = alerts.backlog_residue(DAY_1_LATE, "run-2")
        next_day = alerts.backlog_residue(DAY_2, "run-3")
        add_residue(warehouse, 200, 2, "U03")
        grown = alerts.backlog_residue(DAY_2 + timedelta(hours=5), "run-4")
        unchanged_after_growth = AlertingResource(
            webhook_url=hook.url, warehouse_url=warehouse.url
        ).backlog_residue(DAY_2 + timedelta(hours=6), "run-5")
    assert first is not None and second is None and next_day is not None and grown is not None
    assert unchanged_after_growth is None
    sent = hook.of_kind("backlog_residue")
    assert [alert["run_id"] for alert in sent] == ["run-1", "run-3", "run-4"]
    day_1 = sent[0]["details"]
    assert (day_1["residue"], day_1["by_unit"]) == (12, {"U01": 8, "U02": 4})
    assert day_1["change"]["previous_residue"] is None
    assert len(day_1["oldest_cases"]) == 10
    assert day_1["oldest_cases"][0] == {
        "legacy_case_no": "000.00.00001", "unit_code": "U01", "days_open": 999, "last_official": "canbo1",
    }
    assert all(set(case) == {"legacy_case_no", "unit_code", "days_open", "last_official"}
               for case in day_1["oldest_cases"])
    assert sent[1]["details"]["change"] == {
        "previous_local_day": "2026-11-15", "previous_residue": 12, "residue_delta": 0, "by_unit_delta": {},
    }
    assert sent[2]["details"]["change"]["residue_delta"] == 2
    assert sent[2]["details"]["change"]["by_unit_delta"] == {"U03": 2}
    assert "Egov" in sent[2]["title_vi"] and "still open" in sent[2]["title_en"]


def test_no_residue_no_alert(warehouse: WarehouseResource) -> None:
    with webhook_receiver() as hook:
        alerts = AlertingResource(webhook_url=hook.url, warehouse_url=warehouse.url)
        assert alerts.backlog_residue(DAY_1_EARLY) is None
    assert hook.requests == 0


def test_an_undelivered_residue_alert_is_sent_again_the_same_day(warehouse: WarehouseResource) -> None:
    add_residue(warehouse, 1, 3, "U01")
    with webhook_receiver([500] * 3) as hook:
        alerts = AlertingResource(
            webhook_url=hook.url, warehouse_url=warehouse.url, max_attempts=3, first_backoff_seconds=0.01
        )
        alerts.backlog_residue(DAY_1_EARLY, "run-1")
        alerts.backlog_residue(DAY_1_LATE, "run-2")
    assert [alert["run_id"] for alert in hook.of_kind("backlog_residue")] == ["run-2"]


def validate(warehouse: WarehouseResource, hook: Webhook, run_at: datetime, failures: dict[str, int]) -> bool:
    """Record a validation where `failures` failed (others passed) and ask for its alert."""
    with warehouse.begin() as conn:
        for expectation in ("closed_case_has_result", "due_after_received", "official_has_vneid"):
            unexpected = failures.get(expectation, 0)
            conn.execute(INSERT_DQ, {"run_at": run_at, "expectation": expectation,
                                     "success": not unexpected, "unexpected": unexpected})
    failed = [
        {"suite": "business_rules", "expectation": name, "severity": "WARN", "element_count": 100,
         "unexpected_count": count}
        for name, count in failures.items()
    ]
    alerts = AlertingResource(webhook_url=hook.url, warehouse_url=warehouse.url)
    return alerts.data_quality(run_at, failed, "/docs/index.html", "run") is not None


def test_data_quality_alert_only_for_new_or_grown_failures(warehouse: WarehouseResource) -> None:
    with webhook_receiver() as hook:
        assert validate(warehouse, hook, DAY_1_EARLY, {"closed_case_has_result": 5})
        assert not validate(warehouse, hook, DAY_1_LATE, {"closed_case_has_result": 5})
        assert not validate(warehouse, hook, DAY_2, {"closed_case_has_result": 4})
        assert validate(warehouse, hook, DAY_2 + timedelta(hours=1), {"closed_case_has_result": 7})
        assert validate(warehouse, hook, DAY_2 + timedelta(hours=2),
                        {"closed_case_has_result": 7, "due_after_received": 1})
        assert not validate(warehouse, hook, DAY_2 + timedelta(hours=3), {"due_after_received": 1})
        assert validate(warehouse, hook, DAY_2 + timedelta(hours=4),
                        {"closed_case_has_result": 2, "due_after_received": 1})
    sent = hook.of_kind("data_quality")
    assert len(sent) == 4
    assert [(item["expectation"], item["status"]) for item in sent[0]["details"]["new_or_grown"]] == [
        ("closed_case_has_result", "new"),
    ]
    grew = sent[1]["details"]["new_or_grown"][0]
    assert (grew["status"], grew["previous_unexpected_count"], grew["unexpected_delta"]) == ("grew", 4, 3)
    both = {item["expectation"]: item["status"] for item in sent[2]["details"]["failed"]}
    assert both == {"closed_case_has_result": "unchanged", "due_after_received": "new"}
    assert [item["expectation"] for item in sent[2]["details"]["new_or_grown"]] == ["due_after_received"]
    assert "due_after_received" in sent[2]["title_en"] and "chất lượng dữ liệu" in sent[2]["title_vi"]
    assert sent[3]["details"]["new_or_grown"][0]["status"] == "new"
