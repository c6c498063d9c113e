"""The periodic TTHC report mart (Circular 01/2020/TT-VPCP), counted by difference (`TTHC_PERIOD_REPORT`): per
quarter, half and year, current unit (and ALL) and field (and ALL), the cases received, resolved and pending.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection

from resources.publication import PublishedTable
from transform.case_universe import FACTS
from transform.counting import PERIODS, CountedMart, counted_build
from transform.statements import rows

PERIOD_REPORT_SQL = "queries/period_report.sql"
COUNT_COLUMNS = (
    "received_total", "carried_over", "received_online", "received_offline", "resolved_total",
    "resolved_early", "resolved_on_time", "resolved_late", "pending_total", "pending_within_due",
    "pending_overdue",
)  # fmt: skip
PERIOD_REPORT = CountedMart(
    build="tthc_period_report",
    after=FACTS,
    table=PublishedTable(
        "mart.tthc_period_report", key=("period_kind", "period_start", "unit_code", "field_code")
    ),
    spans=PERIODS,
    queries=PERIOD_REPORT_SQL,
    groups=("period_kind", "period_start", "period_end", "unit_code", "field_code"),
    counts=COUNT_COLUMNS,
    kept_while="received_total",
    by_procedure=True,
)
TTHC_PERIOD_REPORT = counted_build(PERIOD_REPORT)


def latest_complete_quarter(conn: Connection, as_of: datetime) -> date | None:
    """Start of the latest quarter that ended by `as_of`'s local date and has rows, if any."""
    (row,) = rows(conn, PERIOD_REPORT_SQL, "latest_complete_quarter", as_of=as_of)
    return row["period_start"]
