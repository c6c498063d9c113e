"""The `freshness` alert: the marts overdue after their 06:00 deadline, once per local day, again that day
only when a mart not named yet became overdue."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text

from resources.alerting import AlertingResource
from resources.warehouse import WarehouseResource

MORNING = datetime(2026, 11, 15, 6, 10, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def overdue(*assets: str) -> list[dict[str, str | None]]:
    """Overdue marts as the freshness sensor reports them."""
    return [{"asset": asset, "last_materialized": "2026-11-13T01:20:00+07:00",
             "overdue_since": "2026-11-15T06:00:30+07:00"} for asset in assets]


def test_an_overdue_mart_alerts_once_a_day_and_again_for_a_new_one(warehouse: WarehouseResource) -> None:
    alerts = AlertingResource(warehouse_url=warehouse.url)
    first = alerts.freshness(MORNING, overdue("mart/fact_case"))
    assert first is not None and first.kind == "freshness"
    assert first.local_day.isoformat() == "2026-11-15"
    assert "mart/fact_case" in first.title_vi and "06:00" in first.title_vi
    assert first.details["overdue"][0]["last_materialized"] == "2026-11-13T01:20:00+07:00"
    assert alerts.freshness(MORNING + timedelta(minutes=10), overdue("mart/fact_case")) is None
    grown = alerts.freshness(MORNING + timedelta(minutes=20), overdue("mart/fact_case", "report/monthly"))
    assert grown is not None and [item["asset"] for item in grown.details["overdue"]] == [
        "mart/fact_case", "report/monthly"
    ]
    assert alerts.freshness(MORNING + timedelta(days=1), overdue("mart/fact_case")) is not None
    assert alerts.freshness(MORNING, []) is None
    with warehouse.begin() as conn:
        count = text("SELECT count(*) FROM meta.alert_log WHERE kind = 'freshness'")
        logged = conn.execute(count).scalar_one()
    assert logged == 3
