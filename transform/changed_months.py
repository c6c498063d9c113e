"""The months the monthly marts must recount after the change feed: planned from the staging log, so that a
run materialises only the partitions it recomputes.

The change-feed runs stop before the monthly marts. A plan reads the staging log from its own cursor
(consumer `changed_months`, or the indicator build's cursor when that one is later, e.g. after the nightly
run) and finds the months the entries affect with the counting driver's statement (`create_affected_month`,
at the plan's as_of against the as_of and first month of the cursor it starts from). A run over a range of
those months counts them from their cases at the plan's as_of and logs them as a recount
(`transform.indicators`), so the marts equal a full rebuild once the runs are done, and the next build counts
those months again.

It plans every month instead (one run over the whole range, the registry's build) when the indicator build
must run in full: its first build, changed code, an upstream build rebuilt in full, or a full rebuild asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection

from core.sql_files import sql
from transform import change_log
from transform.builds import Cursor, read_cursor
from transform.change_log import CHANGE_LOG_SQL, Log
from transform.counting import first_month, stage_affected_months
from transform.indicators import INDICATOR_MONTHLY, INDICATORS

PLAN_SQL = "queries/changed_months.sql"
PLANNER = "changed_months"
LOCK_WAIT_MILLISECONDS = 20_000


@dataclass(frozen=True)
class MonthsPlan:
    """What the monthly marts must recount: some months, or every month (`full` says why)."""

    months: tuple[date, ...] = ()
    full: str | None = None

    def ranges(self) -> list[tuple[date, date]]:
        """The months as contiguous ranges, first and last month of each, oldest first."""
        found: list[tuple[date, date]] = []
        for month in self.months:
            if found and next_month(found[-1][1]) == month:
                found[-1] = (found[-1][0], month)
            else:
                found.append((month, month))
        return found


def next_month(month: date) -> date:
    """The first day of the month after `month`."""
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def start_cursor(build: Cursor, planned: Cursor | None) -> Cursor:
    """The cursor a plan starts from: the last plan's, unless the indicator build consumed further since."""
    if planned is not None and planned.last_change_id > build.last_change_id:
        return planned
    return build


def full_reason(build: Cursor | None, full_requested: bool) -> str | None:
    """Why every month must be rebuilt by the registry's build, or None."""
    if full_requested:
        return "full rebuild requested (run tag egov_sync/full_rebuild)"
    if build is None:
        return "the indicator build has not run yet"
    if build.code_version != INDICATOR_MONTHLY.code_version():
        return "the indicator build's code changed since it last ran"
    return None


def plan_changed_months(conn: Connection, as_of: datetime, *, full_requested: bool = False) -> MonthsPlan:
    """The months to recount at `as_of` for the log entries since the last plan; moves the plan's cursor."""
    conn.execute(sql(PLAN_SQL, "short_lock_timeout"), {"milliseconds": LOCK_WAIT_MILLISECONDS})
    change_log.lock(conn, Log.STAGING)
    build, planned = read_cursor(conn, INDICATORS.build), read_cursor(conn, PLANNER)
    until = change_log.horizon(conn, Log.STAGING)
    reason = full_reason(build, full_requested)
    if reason is not None or build is None:
        save_plan_cursor(conn, until, as_of, first_month(conn))
        return MonthsPlan(full=reason)
    start = start_cursor(build, planned)
    if start.as_of is not None and start.as_of >= as_of:
        return MonthsPlan()
    _, rebuilds = change_log.stage_pending(conn, Log.STAGING, start.last_change_id, until, INDICATORS.after)
    first = first_month(conn)
    save_plan_cursor(conn, until, as_of, first)
    if rebuilds:
        return MonthsPlan(full="an upstream build was rebuilt in full")
    conn.execute(sql(PLAN_SQL, "drop_recounts"))
    stage_affected_months(conn, INDICATORS, as_of, start.as_of, first, start.first_month)
    return MonthsPlan(months=tuple(conn.execute(sql(PLAN_SQL, "affected_months")).scalars()))


def save_plan_cursor(conn: Connection, until: int, as_of: datetime, first: date | None) -> None:
    """Record that the log is planned up to `until`, at `as_of`, from the first month `first`."""
    conn.execute(
        sql(CHANGE_LOG_SQL, "save_cursor"),
        {"consumer": PLANNER, "last_change_id": until, "as_of": as_of, "cutover_at": None,
         "first_month": first, "code_version": INDICATOR_MONTHLY.code_version()},
    )  # fmt: skip
