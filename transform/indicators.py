"""Monthly indicators and the Decision 766 estimate, computed in SQL for a window of months."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from core.sql_files import sql
from resources.difference import Changes, Published, publish_difference

QUERIES = "queries/indicators.sql"
INDICATOR_MONTHLY = Published("mart.indicator_monthly", key=("period_month", "unit_code", "indicator_code"))
INDICATOR_766 = Published("mart.indicator_766_estimate", key=("period_month", "unit_code"))
IN_WINDOW = (
    "t.period_month >= coalesce(CAST(:month_start AS date), '-infinity'::date)"
    " AND t.period_month < coalesce(CAST(:month_end AS date), 'infinity'::date)"
)

INDICATOR_LABELS: dict[str, str] = {
    "on_time_rate": "Tỷ lệ hồ sơ giải quyết đúng hạn",
    "online_rate": "Tỷ lệ hồ sơ nộp trực tuyến",
    "online_payment_rate": "Tỷ lệ hồ sơ thanh toán trực tuyến",
    "digitized_rate": "Tỷ lệ hồ sơ được số hóa",
    "e_result_rate": "Tỷ lệ kết quả giải quyết có bản điện tử",
    "satisfaction_rate": "Tỷ lệ hài lòng của người dân",
    "apology_rate": "Tỷ lệ hồ sơ trễ hạn có phiếu xin lỗi",
    "national_sync_rate": "Tỷ lệ hồ sơ đồng bộ Cổng Dịch vụ công quốc gia",
    "official_vneid_rate": "Tỷ lệ công chức dùng tài khoản VNeID",
}


@dataclass(frozen=True)
class MonthWindow:
    """The months a run replaces: `[month_start, month_end)`, None meaning unbounded."""

    month_start: date | None
    month_end: date | None

    def params(self, as_of: datetime) -> dict[str, Any]:
        """Bind parameters of the indicator queries."""
        return {"as_of": as_of, "month_start": self.month_start, "month_end": self.month_end}

    def describe(self) -> str:
        """A short human description of the window."""
        start = self.month_start.isoformat() if self.month_start else "first month in the data"
        end = self.month_end.isoformat() if self.month_end else "month of as_of (inclusive)"
        return f"{start} .. {end}"


def publish_indicator_monthly(conn: Connection, window: MonthWindow, as_of: datetime) -> Changes:
    """Compute the window's indicators into a temp table and publish the difference."""
    params = window.params(as_of)
    conn.execute(sql(QUERIES, "lock_indicators"))
    conn.execute(sql(QUERIES, "create_indicator_monthly_new"))
    conn.execute(sql(QUERIES, "compute_indicator_monthly"), params)
    return publish_difference(
        conn, INDICATOR_MONTHLY, "indicator_monthly_new", scope=IN_WINDOW, params=params
    )


def publish_indicator_766(conn: Connection, window: MonthWindow, as_of: datetime) -> Changes:
    """Derive the 766 estimate of the window from `mart.indicator_monthly` and publish the difference."""
    params = window.params(as_of)
    conn.execute(sql(QUERIES, "lock_indicators"))
    conn.execute(sql(QUERIES, "create_indicator_766_new"))
    conn.execute(sql(QUERIES, "compute_indicator_766"), params)
    return publish_difference(conn, INDICATOR_766, "indicator_766_new", scope=IN_WINDOW, params=params)
