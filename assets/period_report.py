"""The periodic TTHC report mart (Circular 01/2020/TT-VPCP): quarters, halves and years per unit and field."""

from datetime import date, datetime
from typing import Any

import dagster as dg
from sqlalchemy import Connection

from assets.data_versions import table_data_version
from core import asset_keys as keys
from core.asset_keys import WAREHOUSE_POOL
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
    count_changes,
    counts_into,
    difference_since,
    first_month,
    plan_build,
    save_cursor,
    stage_affected_months,
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


COUNTS, DELTA = "period_report_new", "period_report_delta"
IN_RECOMPUTED_PERIODS = (
    "(s.period_kind, p::date) IN (SELECT period_kind, period_start FROM recomputed_period)"
)
DIFFERENCE_PERIODS = {
    "period_filter": "(s.period_kind, p::date) IN (SELECT period_kind, period_start FROM difference_period)"
}
ALL_CASES = {"cases": "mart.fact_case", "weight": "1", "period_filter": ALL_ROWS}
AFFECTED_PERIODS = (
    "(t.period_kind, t.period_start) IN (SELECT period_kind, period_start FROM affected_period)"
)


def build_period_report(conn: Connection, as_of: datetime, *, full: bool = False) -> Changes:
    """Publish `mart.tthc_period_report` for every period up to that of `as_of` (or the periods the changes
    touch), as a difference; the build plan goes in `extra`.

    Of the periods the changes touch, those counted at the last build take the changes as a difference of
    counts; the others are recomputed from their cases.
    """
    run(conn, PERIOD_REPORT_SQL, "lock_period_report")
    plan = plan_build(conn, "tthc_period_report", full_requested=full)
    first = first_month(conn)
    params = {"as_of": as_of}
    changes = Changes()
    if plan.full:
        plan.rows_read = count_periods(conn, params, create=True, **ALL_CASES)
        changes = publish_difference(conn, PERIOD_REPORT, COUNTS)
    elif stage_affected_months(conn, plan, as_of, first, with_procedures=True):
        run_template(conn, PERIOD_REPORT_SQL, "create_period_counts", target=COUNTS)
        run(conn, PERIOD_REPORT_SQL, "drop_affected_period")
        periods = run(conn, PERIOD_REPORT_SQL, "create_affected_period")
        by_difference, recomputed = split_periods(conn, plan, as_of, first)
        plan.extra |= {
            "periods_affected": periods, "periods_by_difference": by_difference,
            "periods_recomputed": recomputed,
        }  # fmt: skip
        if recomputed:
            conn.execute(sql(CHANGES_SQL, "drop_affected_span"))
            run(conn, PERIOD_REPORT_SQL, "create_affected_span_of_recomputed_periods")
            plan.rows_read += stage_cases_of_spans(conn)
            count_periods(conn, params, cases="span_case", weight="1", period_filter=IN_RECOMPUTED_PERIODS)
        if by_difference:
            plan.rows_read += count_period_differences(conn, plan, as_of)
            run(conn, PERIOD_REPORT_SQL, "merge_difference_periods")
        changes = publish_difference(conn, PERIOD_REPORT, COUNTS, scope=AFFECTED_PERIODS)
    plan.rows_written = changes.inserted + changes.updated + changes.deleted
    save_cursor(conn, plan, as_of=as_of, first_month=first)
    changes.extra["plan"] = plan
    return changes


def count_periods(
    conn: Connection, params: dict[str, Any], *, target: str = COUNTS, create: bool = False, **template: str
) -> int:
    """Count the template's cases in its periods into `target` (created from the query when asked); returns
    the rows written."""
    into = counts_into(target, create=create)
    return run_template(conn, PERIOD_REPORT_SQL, "count_periods", params, into=into, **template)


def split_periods(conn: Connection, plan: BuildPlan, as_of: datetime, first: date | None) -> tuple[int, int]:
    """Split `affected_period` into `difference_period` and `recomputed_period`; returns how many of each."""
    since = {"carried_since": difference_since(conn, plan, as_of, first, by_field=True)}
    run(conn, PERIOD_REPORT_SQL, "drop_difference_and_recomputed_periods")
    return (run(conn, PERIOD_REPORT_SQL, "create_difference_period", **since),
            run(conn, PERIOD_REPORT_SQL, "create_recomputed_period", **since))  # fmt: skip


def count_period_differences(conn: Connection, plan: BuildPlan, as_of: datetime) -> int:
    """Count into `period_report_delta` what changed in the periods counted by difference; returns the case
    rows read."""
    run_template(conn, PERIOD_REPORT_SQL, "create_period_counts", target=DELTA)

    def count(moment: datetime, cases: str, weight: str) -> None:
        count_periods(conn, {"as_of": moment}, target=DELTA, cases=cases, weight=weight, **DIFFERENCE_PERIODS)

    return count_changes(conn, plan, as_of, count)


def latest_complete_quarter(conn: Connection, as_of: datetime) -> date | None:
    """Start of the latest quarter that ended by `as_of`'s local date and has rows, if any."""
    (row,) = rows(conn, PERIOD_REPORT_SQL, "latest_complete_quarter", as_of=as_of)
    return row["period_start"]


@dg.asset(
    pool=WAREHOUSE_POOL,
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
    return dg.MaterializeResult(
        metadata=metadata, data_version=table_data_version(warehouse, keys.TTHC_PERIOD_REPORT)
    )


@dg.asset_check(
    pool=WAREHOUSE_POOL,
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
    pool=WAREHOUSE_POOL,
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
