"""Monthly indicators and the Decision 766 estimate, computed in SQL for a window of months."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from core.local_time import month_of
from core.sql_files import sql, sql_text
from resources.difference import Changes, Published, publish_difference
from transform.case_universe import ALL_ROWS, run_template
from transform.changes import (
    CHANGES_SQL,
    BuildPlan,
    count_changes,
    counts_into,
    difference_since,
    first_month,
    plan_build,
    save_cursor,
    stage_affected_months,
)

QUERIES = "queries/indicators.sql"
INDICATOR_MONTHLY = Published("mart.indicator_monthly", key=("period_month", "unit_code", "indicator_code"))
INDICATOR_766 = Published("mart.indicator_766_estimate", key=("period_month", "unit_code"))
COUNTS, DELTA_COUNTS = "indicator_count_new", "indicator_count_delta"
ALL_CASES = {
    "cases": "mart.fact_case",
    "weight": "1",
    "month_filter": ALL_ROWS,
    "handler_names": sql_text(QUERIES, "handlers_of_fact_case"),
}
RECOMPUTED_CASES = {
    "cases": "span_case",
    "weight": "1",
    "month_filter": "m::date IN (SELECT period_month FROM recomputed_month)",
    "handler_names": sql_text(QUERIES, "handlers_maintained"),
}
DIFFERENCE_MONTHS = {
    "month_filter": "m::date IN (SELECT period_month FROM difference_month)",
    "handler_names": sql_text(QUERIES, "no_handler_names"),
}
NO_CASES = "(SELECT * FROM mart.fact_case WHERE false)"
IN_AFFECTED_MONTHS = "t.period_month IN (SELECT period_month FROM affected_month)"
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

    @property
    def unbounded(self) -> bool:
        """True when the window is every month in the data."""
        return self.month_start is None and self.month_end is None

    def describe(self) -> str:
        """A short human description of the window."""
        start = self.month_start.isoformat() if self.month_start else "first month in the data"
        end = self.month_end.isoformat() if self.month_end else "month of as_of (inclusive)"
        return f"{start} .. {end}"


def publish_indicator_monthly(
    conn: Connection, window: MonthWindow, as_of: datetime, *, full: bool = False
) -> Changes:
    """Compute the window's indicators (or only the months the changes touch) and publish the difference.

    Of the months the changes touch, those settled at this build and the last take the fact changes as a
    difference of counts; the others are recomputed from their cases. A run over a bounded window
    recomputes its months and leaves the changes to the next unbounded run. The build plan goes in `extra`.
    """
    params = window.params(as_of)
    conn.execute(sql(QUERIES, "lock_indicators"))
    conn.execute(sql(QUERIES, "create_indicator_monthly_new"))
    if not window.unbounded:
        count_indicators(conn, params, create=True, **ALL_CASES)
        conn.execute(sql(QUERIES, "finish_indicator_monthly"))
        changes = publish_difference(
            conn, INDICATOR_MONTHLY, "indicator_monthly_new", scope=IN_WINDOW, params=params
        )
        log_counted_out_of_turn(conn, window, as_of)
        changes.extra["plan"] = BuildPlan("indicator_monthly", True, "a bounded window of months", 0, 0, 0)
        return changes
    plan = plan_build(conn, "indicator_monthly", full_requested=full)
    first = first_month(conn)
    if plan.full:
        plan.rows_read = count_indicators(conn, params, create=True, **ALL_CASES)
        conn.execute(sql(QUERIES, "finish_indicator_monthly"))
        changes = publish_difference(
            conn, INDICATOR_MONTHLY, "indicator_monthly_new", scope=IN_WINDOW, params=params
        )
    elif months := stage_affected_months(conn, plan, as_of, first, with_procedures=False):
        run_template(conn, QUERIES, "create_indicator_counts", target=COUNTS)
        by_difference, recomputed = split_months(conn, plan, as_of, first)
        plan.extra |= {"months_affected": months, "months_by_difference": by_difference,
                       "months_recomputed": recomputed}  # fmt: skip
        if recomputed:
            plan.rows_read += stage_recomputed_span_cases(conn)
            count_indicators(conn, params, **RECOMPUTED_CASES)
        if by_difference:
            plan.rows_read += count_differences(conn, plan, as_of)
            conn.execute(sql(QUERIES, "merge_difference_counts"))
        conn.execute(sql(QUERIES, "finish_indicator_monthly"))
        changes = publish_difference(
            conn, INDICATOR_MONTHLY, "indicator_monthly_new", scope=IN_AFFECTED_MONTHS
        )
    else:
        changes = Changes()
    plan.rows_written = changes.inserted + changes.updated + changes.deleted
    save_cursor(conn, plan, as_of=as_of, first_month=first)
    changes.extra["plan"] = plan
    return changes


def log_counted_out_of_turn(conn: Connection, window: MonthWindow, as_of: datetime) -> None:
    """Log the months a bounded run counted at its own as_of as a fact change without images, so the next
    build recomputes them from their cases instead of adding differences to them."""
    first = first_month(conn)
    if first is None:
        return
    conn.execute(sql(CHANGES_SQL, "lock_staging_log"))
    last = (window.month_end - timedelta(days=1)).replace(day=1) if window.month_end else month_of(as_of)
    conn.execute(
        sql(QUERIES, "log_recomputed_months"),
        {"month_from": max(first, window.month_start or first), "month_to": last},
    )


def count_indicators(
    conn: Connection, params: dict[str, Any], *, target: str = COUNTS, create: bool = False, **template: str
) -> int:
    """Count the indicators of the template's cases and months into `target` (created from the query when
    asked); returns the counts written."""
    into = counts_into(target, create=create)
    return run_template(conn, QUERIES, "compute_indicator_counts", params, into=into, **template)


def split_months(conn: Connection, plan: BuildPlan, as_of: datetime, first: date | None) -> tuple[int, int]:
    """Split `affected_month` into `difference_month` and `recomputed_month`; returns how many of each."""
    since = {"carried_since": difference_since(conn, plan, as_of, first)}
    conn.execute(sql(CHANGES_SQL, "drop_difference_and_recomputed_months"))
    return (conn.execute(sql(CHANGES_SQL, "create_difference_month"), since).rowcount,
            conn.execute(sql(CHANGES_SQL, "create_recomputed_month"), since).rowcount)  # fmt: skip


def count_differences(conn: Connection, plan: BuildPlan, as_of: datetime) -> int:
    """Count into `indicator_count_delta` what changed in the months counted by difference (and the officials
    afresh); returns the case rows read."""
    run_template(conn, QUERIES, "create_indicator_counts", target=DELTA_COUNTS)

    def count(moment: datetime, cases: str, weight: str) -> None:
        params = MonthWindow(None, None).params(moment)
        count_indicators(conn, params, target=DELTA_COUNTS, cases=cases, weight=weight, **DIFFERENCE_MONTHS)

    read = count_changes(conn, plan, as_of, count)
    count_indicators(conn, MonthWindow(None, None).params(as_of), target=DELTA_COUNTS, cases=NO_CASES,
                     weight="1", month_filter=DIFFERENCE_MONTHS["month_filter"],
                     handler_names=sql_text(QUERIES, "handlers_maintained"))  # fmt: skip
    return read


def stage_recomputed_span_cases(conn: Connection) -> int:
    """The cases counting in the recomputed months into temp table `span_case`; returns how many."""
    conn.execute(sql(CHANGES_SQL, "drop_affected_span"))
    conn.execute(sql(CHANGES_SQL, "create_affected_span_of_recomputed_months"))
    return stage_cases_of_spans(conn)


def stage_cases_of_spans(conn: Connection) -> int:
    """The cases counting in any span of temp table `affected_span` into `span_case`; returns how many."""
    conn.execute(sql(CHANGES_SQL, "drop_span_case"))
    return conn.execute(sql(CHANGES_SQL, "create_span_case")).rowcount


def publish_indicator_766(conn: Connection, window: MonthWindow, as_of: datetime) -> Changes:
    """Derive the 766 estimate of the window from `mart.indicator_monthly` and publish the difference."""
    params = window.params(as_of)
    conn.execute(sql(QUERIES, "lock_indicators"))
    conn.execute(sql(QUERIES, "create_indicator_766_new"))
    conn.execute(sql(QUERIES, "compute_indicator_766"), params)
    return publish_difference(conn, INDICATOR_766, "indicator_766_new", scope=IN_WINDOW, params=params)
