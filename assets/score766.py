"""The Decision 766 scorecard `mart/score766_monthly` as the portal scores it, and its checks: scores within
their points, the counts of "those of" metrics equal to their indicators', group sums within the group's
points."""

from datetime import date, datetime
from typing import Any

import dagster as dg
from sqlalchemy import Connection

from assets.data_versions import table_data_version
from assets.shared import build_asset, build_inputs, warehouse_check
from core import asset_keys as keys
from core.local_time import last_complete_month, month_of
from core.presentation import violations_result
from resources.settings import PipelineSettings
from resources.warehouse import WarehouseResource
from transform.registry import run_build
from transform.score766 import (
    GROUPS,
    SCORE766_MONTHLY,
    SCORE766_SQL,
    department_groups,
    group_values,
    metric_values,
)
from transform.statements import rows, template_rows

SCORECARD_DEPS = [
    keys.INDICATOR_MONTHLY, keys.FACT_CASE, keys.FACT_PETITION, keys.FACT_RATING, keys.RAW_NEWSYS_PROCEDURE,
]  # fmt: skip


def month_metadata(conn: Connection, label: str, month: date) -> dict[str, Any]:
    """The Department's total (out of the points that have data) and each group's score for one month."""
    scores = department_groups(conn, month)
    metadata: dict[str, Any] = {f"{label}/month": month.isoformat()}
    for group in GROUPS:
        found = scores.get(group.code)
        shown = "no data" if found is None or found.score is None else f"{found.score:.2f} / {group.points}"
        metadata[f"{label}/{group.code}"] = shown
    total = sum(row.score for row in scores.values() if row.score is not None)
    with_data = sum(row.points_with_data for row in scores.values() if row.points_with_data is not None)
    metadata[f"{label}/total"] = f"{total:.2f} / {with_data:g} (of 100)" if with_data else "no data"
    return metadata


def scorecard_metadata(conn: Connection, as_of: datetime) -> dict[str, Any]:
    """Rows and months of the scorecard; the Department's scores for the month of as_of and the last complete
    month."""
    (summary,) = rows(conn, SCORE766_SQL, "score_summary")
    current, last_complete = month_of(as_of), last_complete_month(as_of)
    return {
        "dagster/row_count": int(summary["row_count"]),
        "first_month": summary["first_month"].isoformat() if summary["first_month"] else "none",
        "last_month": summary["last_month"].isoformat() if summary["last_month"] else "none",
        "as_of": as_of.isoformat(),
        **month_metadata(conn, "as_of_month", current),
        **month_metadata(conn, "last_complete_month", last_complete),
    }


@build_asset(SCORE766_MONTHLY, keys.SCORE766_MONTHLY, SCORECARD_DEPS)
def score766_monthly(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, settings: PipelineSettings
) -> dg.MaterializeResult:
    """The Decision 766 scorecard as the portal scores it: per month, current unit (and ALL) and metric, the
    ten metrics these sources feed with their counts, ratio, score and points; only the months the changes
    touch are scored again."""
    inputs = build_inputs(context, settings)
    assert inputs.as_of is not None
    as_of = inputs.as_of
    run, metadata = warehouse.transaction(
        lambda conn: (run_build(conn, SCORE766_MONTHLY, inputs), scorecard_metadata(conn, as_of))
    )
    return dg.MaterializeResult(
        metadata=metadata | run.as_metadata(),
        data_version=table_data_version(warehouse, keys.SCORE766_MONTHLY),
    )


def scorecard_rows(warehouse: WarehouseResource, name: str) -> list[dict[str, Any]]:
    """The rows of one check query of the scorecard (the metrics and groups filled in)."""
    with warehouse.begin() as conn:
        return template_rows(conn, SCORE766_SQL, name, metrics=metric_values(), groups=group_values())


@warehouse_check(keys.SCORE766_MONTHLY)
def score766_within_points(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Every score is between 0 and the metric's points."""
    found = scorecard_rows(warehouse, "check_score_range")
    columns = ["period_month", "unit_code", "metric_code", "numerator", "denominator", "score", "max_score"]
    return violations_result(found, columns, count="rows_out_of_range", table="sample")


@warehouse_check(keys.SCORE766_MONTHLY)
def score766_counts_are_their_indicators(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Each metric that takes the counts of an indicator ("those of") has its numerator, denominator and ratio
    (0, 0 and null when the indicator has no row)."""
    found = scorecard_rows(warehouse, "check_those_of")
    columns = [
        "period_month", "unit_code", "metric_code", "indicator_code", "numerator", "denominator", "ratio",
        "indicator_numerator", "indicator_denominator", "indicator_value",
    ]  # fmt: skip
    return violations_result(found, columns, count="rows_differing", table="sample")


@warehouse_check(keys.SCORE766_MONTHLY)
def score766_groups_within_points(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """The scores of a group never sum above the group's points (per month and unit)."""
    found = scorecard_rows(warehouse, "check_group_sums")
    columns = ["period_month", "unit_code", "group_code", "score", "points"]
    return violations_result(found, columns, count="groups_above_points", table="sample")
