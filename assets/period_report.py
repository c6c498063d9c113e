"""The periodic TTHC report mart (Circular 01/2020/TT-VPCP): quarters, halves and years per unit and field."""

from datetime import date, datetime
from typing import Any

import dagster as dg
from sqlalchemy import Connection

from core import asset_keys as keys
from core.build_mode import full_rebuild_requested
from core.presentation import markdown_table, violations_result
from core.run_clock import run_started_at
from core.sql_files import sql
from resources.difference import Changes, Published, publish_difference
from resources.warehouse import WarehouseResource
from transform.case_universe import ALL_ROWS, rows, run, run_template
from transform.changes import (
    CHANGES_SQL,
    BuildPlan,
    counts_apply_as_difference,
    first_month,
    plan_build,
    procedures_changed,
    save_cursor,
    settled_before,
    stage_affected_months,
    stage_fact_delta,
)
from transform.indicators import stage_cases_of_spans

PERIOD_REPORT_SQL = "queries/period_report.sql"
PERIOD_REPORT = Published(
    "mart.tthc_period_report", key=("period_kind", "period_start", "unit_code", "field_code")
)
COUNT_COLUMNS = (
    "received_total", "carried_over", "received_online", "received_offline", "resolved_total",
    "resolved_early", "resolved_on_time", "resolved_late", "pending_total", "pending_within_due",
    "pending_overdue",
)  # fmt: skip


IN_LIVE_PERIODS = "(s.period_kind, p::date) IN (SELECT period_kind, period_start FROM live_period)"
IN_SETTLED_PERIODS = "(s.period_kind, p::date) IN (SELECT period_kind, period_start FROM settled_period)"
ALL_CASES = {"cases": "mart.fact_case", "weight": "1", "period_filter": ALL_ROWS}
NO_PERIODS = {"cases": "mart.fact_case", "weight": "1", "period_filter": "false"}
AFFECTED_PERIODS = (
    "(t.period_kind, t.period_start) IN (SELECT period_kind, period_start FROM affected_period)"
)


def build_period_report(conn: Connection, as_of: datetime, *, full: bool = False) -> Changes:
    """Publish `mart.tthc_period_report` for every period up to that of `as_of` (or the periods the changes
    touch), as a difference; the build plan goes in `extra`.

    Of the periods the changes touch, those settled at this build and the last take the fact changes as a
    difference of counts (unless a procedure, hence a field, changed); the others are recomputed.
    """
    run(conn, PERIOD_REPORT_SQL, "lock_period_report")
    plan = plan_build(conn, "tthc_period_report", full_requested=full)
    first = first_month(conn)
    params = {"as_of": as_of}
    changes = Changes()
    if plan.full:
        plan.rows_read = count_periods(conn, params, **ALL_CASES)
        changes = publish_difference(conn, PERIOD_REPORT, "period_report_new")
    elif stage_affected_months(conn, plan, as_of, first, with_procedures=True):
        run(conn, PERIOD_REPORT_SQL, "drop_affected_period")
        periods = run(conn, PERIOD_REPORT_SQL, "create_affected_period")
        settled, live = split_settled_periods(conn, plan, as_of, first)
        plan.extra |= {
            "periods_affected": periods, "periods_recomputed": live, "periods_by_difference": settled,
        }  # fmt: skip
        if live:
            conn.execute(sql(CHANGES_SQL, "drop_affected_span"))
            run(conn, PERIOD_REPORT_SQL, "create_affected_span_of_live_periods")
            plan.rows_read += stage_cases_of_spans(conn)
            count_periods(conn, params, cases="span_case", weight="1", period_filter=IN_LIVE_PERIODS)
        else:
            count_periods(conn, params, **NO_PERIODS)
        if settled:
            plan.rows_read += stage_fact_delta(conn)
            count_periods(conn, params, target="period_report_delta", cases="fact_delta", weight="c.weight",
                          period_filter=IN_SETTLED_PERIODS)  # fmt: skip
            run(conn, PERIOD_REPORT_SQL, "merge_settled_periods")
        changes = publish_difference(conn, PERIOD_REPORT, "period_report_new", scope=AFFECTED_PERIODS)
    plan.rows_written = changes.inserted + changes.updated + changes.deleted
    save_cursor(conn, plan, as_of=as_of, first_month=first)
    changes.extra["plan"] = plan
    return changes


def count_periods(
    conn: Connection, params: dict[str, Any], *, target: str = "period_report_new", **template: str
) -> int:
    """Count the template's cases in its periods into temp table `target`; returns the rows written."""
    return run_template(
        conn, PERIOD_REPORT_SQL, "create_period_report_new", params, target=target, **template
    )


def split_settled_periods(
    conn: Connection, plan: BuildPlan, as_of: datetime, first: date | None
) -> tuple[int, int]:
    """Split `affected_period` into `settled_period` and `live_period`; returns how many of each."""
    by_difference = counts_apply_as_difference(conn, plan, first) and not procedures_changed(conn)
    bound = {"settled_before": settled_before(plan, as_of) if by_difference else None}
    run(conn, PERIOD_REPORT_SQL, "drop_settled_and_live_periods")
    return run(conn, PERIOD_REPORT_SQL, "create_settled_period", **bound), run(
        conn, PERIOD_REPORT_SQL, "create_live_period", **bound
    )


def latest_complete_quarter(conn: Connection, as_of: datetime) -> date | None:
    """Start of the latest quarter that ended by `as_of`'s local date and has rows, if any."""
    (row,) = rows(conn, PERIOD_REPORT_SQL, "latest_complete_quarter", as_of=as_of)
    return row["period_start"]


@dg.asset(
    key=keys.TTHC_PERIOD_REPORT,
    deps=[keys.FACT_CASE, keys.RAW_NEWSYS_PROCEDURE],
    kinds={"postgres", "sql"},
)
def tthc_period_report(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """The periodic report on handling TTHC (Circular 01/2020/TT-VPCP): per quarter, half and year (local
    time), current unit (and ALL) and field (and ALL), the cases received (carried over, online, in person
    or by post), resolved (early, on time, late) and pending (within due, overdue).
    """
    as_of = run_started_at(context)
    full = full_rebuild_requested(context)
    changes, summary = warehouse.transaction(
        lambda conn: (
            build_period_report(conn, as_of, full=full),
            rows(conn, PERIOD_REPORT_SQL, "period_report_summary"),
        )
    )
    metadata: dict[str, Any] = {
        "dagster/row_count": sum(row["row_count"] for row in summary),
        "periods": markdown_table(
            summary, ["period_kind", "periods", "first_period", "last_period", "row_count"]
        ),
        "as_of": as_of.isoformat(),
        **changes.as_metadata(),
        **changes.extra["plan"].as_metadata(),
    }
    for row in summary:
        metadata[f"periods/{row['period_kind']}"] = int(row["periods"])
    return dg.MaterializeResult(metadata=metadata)


@dg.asset_check(
    asset=keys.TTHC_PERIOD_REPORT,
    description=(
        "Every row balances: received = carried over + online + offline = resolved + pending; "
        "resolved = early + on time + late; pending = within due + overdue."
    ),
)
def period_report_balances(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Look for rows whose counts do not add up."""
    with warehouse.begin() as conn:
        broken = rows(conn, PERIOD_REPORT_SQL, "check_period_report_conservation")
    columns = ["period_kind", "period_start", "unit_code", "field_code", *COUNT_COLUMNS]
    return violations_result(broken, columns, count="unbalanced_rows", table="sample")


@dg.asset_check(
    asset=keys.TTHC_PERIOD_REPORT,
    description=(
        "For the latest complete quarter, per unit and ALL: the on_time_rate numerator over its cases "
        "(E = earliest of finished_at, quarter end, as_of; hit when E <= due_at) equals resolved_early + "
        "resolved_on_time + pending_within_due."
    ),
)
def period_report_agrees_with_on_time_rate(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    """Recount the on-time hits of the latest complete quarter's cases and compare with the report."""
    as_of = run_started_at(context)
    with warehouse.begin() as conn:
        quarter = latest_complete_quarter(conn, as_of)
        if quarter is None:
            return dg.AssetCheckResult(passed=True, metadata={"quarter": "none complete yet"})
        differences = rows(
            conn, PERIOD_REPORT_SQL, "check_period_report_on_time", as_of=as_of, period_start=quarter
        )
    return dg.AssetCheckResult(
        passed=not differences,
        metadata={
            "quarter": quarter.isoformat(),
            "units_differing": len(differences),
            "differences": markdown_table(
                differences, ["unit_code", "on_time_numerator", "report_numerator"]
            ),
        },
    )
