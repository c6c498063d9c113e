"""Monthly indicators (`INDICATOR_MONTHLY`, counted by difference).

A run over every month is the build `INDICATOR_MONTHLY`, run by the registry. A run over some months (a
partition or a backfill range) counts exactly those months at its own as_of and asks the next build to count
them again (a `recount` entry), since their counts are no longer those of the last build's as_of.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from core.local_time import month_of
from core.sql_files import sql_text
from resources.publication import PublishedTable
from transform import change_log
from transform.builds import BuildInputs, BuildRun, lock_tables
from transform.case_universe import FACTS
from transform.change_log import Log
from transform.counting import (
    MONTHS,
    CountedMart,
    Pass,
    count_all,
    counted_build,
    first_month,
    publish_counts,
)

QUERIES = "queries/indicators.sql"
HANDLERS_SQL = "queries/case_handlers.sql"
PETITIONS_SQL = "queries/fact_petition.sql"
ALL_PETITIONS = sql_text(PETITIONS_SQL, "all_petitions")
NO_PETITIONS = sql_text(PETITIONS_SQL, "no_petitions")
AFRESH_INDICATORS = ("official_vneid_rate", "petition_on_time_rate", "petition_satisfaction_rate")
INDICATOR_MONTHLY_TABLE = PublishedTable(
    "mart.indicator_monthly", key=("period_month", "unit_code", "indicator_code")
)
IN_WINDOW = (
    "t.period_month >= coalesce(CAST(:month_start AS date), '-infinity'::date)"
    " AND t.period_month < coalesce(CAST(:month_end AS date), 'infinity'::date)"
)
MONTH_IN_WINDOW = (
    "m::date >= coalesce(CAST(:month_start AS date), '-infinity'::date)"
    " AND m::date < coalesce(CAST(:month_end AS date), 'infinity'::date)"
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

INDICATORS = CountedMart(
    build="indicator_monthly",
    after=(*FACTS, "fact_petition"),
    table=INDICATOR_MONTHLY_TABLE,
    spans=MONTHS,
    queries=QUERIES,
    groups=("period_month", "unit_code", "indicator_code"),
    counts=("numerator", "denominator"),
    kept_while="denominator",
    fragments={
        Pass.ALL: {"handler_names": sql_text(HANDLERS_SQL, "of_fact_case"), "petitions": ALL_PETITIONS},
        Pass.RECOUNTED: {"handler_names": sql_text(HANDLERS_SQL, "maintained"), "petitions": ALL_PETITIONS},
        Pass.CHANGES: {"handler_names": sql_text(HANDLERS_SQL, "none"), "petitions": NO_PETITIONS},
        Pass.AFRESH: {"handler_names": sql_text(HANDLERS_SQL, "maintained"), "petitions": ALL_PETITIONS},
    },
    afresh="t.indicator_code IN (" + ", ".join(f"'{code}'" for code in AFRESH_INDICATORS) + ")",
    finish="finish",
    by_petition=True,
)
INDICATOR_MONTHLY = counted_build(INDICATORS)


@dataclass(frozen=True)
class MonthWindow:
    """The months a run replaces: `[month_start, month_end)`, None meaning unbounded."""

    month_start: date | None
    month_end: date | None

    def params(self, as_of: datetime) -> dict[str, Any]:
        """Bind parameters of the indicator queries."""
        return {"as_of": as_of, "month_start": self.month_start, "month_end": self.month_end}

    @property
    def unbounded(self) -> bool:
        """True when the window is every month in the data."""
        return self.month_start is None and self.month_end is None

    def describe(self) -> str:
        """A short human description of the window."""
        start = self.month_start.isoformat() if self.month_start else "first month in the data"
        end = self.month_end.isoformat() if self.month_end else "month of as_of (inclusive)"
        return f"{start} .. {end}"


def count_window(conn: Connection, window: MonthWindow, inputs: BuildInputs) -> BuildRun:
    """Count the months of a bounded window at the run's as_of and publish them; log them as a recount for
    the next build. Returns what it did, as a full run that consumed nothing."""
    as_of = inputs.as_of
    assert as_of is not None
    params = window.params(as_of)
    lock_tables(conn, (INDICATOR_MONTHLY_TABLE.table,))
    count_all(conn, INDICATORS, as_of, span_filter=MONTH_IN_WINDOW, params=params)
    published = publish_counts(conn, INDICATORS, scope=IN_WINDOW, params=params)
    log_counted_out_of_turn(conn, window, as_of)
    reason = "a bounded window of months"
    return BuildRun(INDICATOR_MONTHLY, inputs, True, reason, 0, 0, 0, published=published)


def log_counted_out_of_turn(conn: Connection, window: MonthWindow, as_of: datetime) -> None:
    """Log the months a bounded run counted at its own as_of as a recount, so that the next build counts
    them again from their cases instead of adding differences to them."""
    first = first_month(conn)
    if first is None:
        return
    change_log.lock(conn, Log.STAGING)
    last = (window.month_end - timedelta(days=1)).replace(day=1) if window.month_end else month_of(as_of)
    change_log.log_recount(conn, INDICATORS.build, max(first, window.month_start or first), last)
