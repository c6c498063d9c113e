"""The periodic TTHC report mart `mart/tthc_period_report` (Circular 01/2020/TT-VPCP) and its checks:
quarters, halves and years per unit and field (the filed form is `report/tthc_periodic`)."""

from typing import Any

import dagster as dg

from assets.data_versions import table_data_version
from assets.shared import build_asset, build_inputs, read_rows, warehouse_check
from core import asset_keys as keys
from core.presentation import markdown_table, violations_result
from core.run_clock import run_started_at
from resources.warehouse import WarehouseResource
from transform.period_report import (
    COUNT_COLUMNS,
    PERIOD_REPORT_SQL,
    TTHC_PERIOD_REPORT,
    latest_complete_quarter,
)
from transform.registry import run_build
from transform.statements import rows


@build_asset(TTHC_PERIOD_REPORT, keys.TTHC_PERIOD_REPORT, [keys.FACT_CASE, keys.RAW_NEWSYS_PROCEDURE])
def tthc_period_report(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """The periodic report on handling TTHC (Circular 01/2020/TT-VPCP): per quarter, half and year (local
    time), current unit (and ALL) and field (and ALL), the cases received (carried over, online, in person
    or by post), resolved (early, on time, late) and pending (within due, overdue).
    """
    inputs = build_inputs(context)
    assert inputs.as_of is not None
    run, summary = warehouse.transaction(
        lambda conn: (
            run_build(conn, TTHC_PERIOD_REPORT, inputs),
            rows(conn, PERIOD_REPORT_SQL, "period_report_summary"),
        )
    )
    metadata: dict[str, Any] = {
        "dagster/row_count": sum(row["row_count"] for row in summary),
        "periods": markdown_table(
            summary, ["period_kind", "periods", "first_period", "last_period", "row_count"]
        ),
        "as_of": inputs.as_of.isoformat(),
        **run.as_metadata(),
    }
    for row in summary:
        metadata[f"periods/{row['period_kind']}"] = int(row["periods"])
    return dg.MaterializeResult(
        metadata=metadata, data_version=table_data_version(warehouse, keys.TTHC_PERIOD_REPORT)
    )


@warehouse_check(keys.TTHC_PERIOD_REPORT)
def period_report_balances(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Every row balances: received = carried over + online + offline = resolved + pending; resolved = early +
    on time + late; pending = within due + overdue."""
    broken = read_rows(warehouse, PERIOD_REPORT_SQL, "check_period_report_conservation")
    columns = ["period_kind", "period_start", "unit_code", "field_code", *COUNT_COLUMNS]
    return violations_result(broken, columns, count="unbalanced_rows", table="sample")


@warehouse_check(keys.TTHC_PERIOD_REPORT)
def period_report_agrees_with_on_time_rate(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    """For the latest complete quarter, per unit and ALL: the on_time_rate numerator over its cases (E =
    earliest of finished_at, quarter end, as_of; hit when E <= due_at) equals resolved_early +
    resolved_on_time + pending_within_due."""
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
