"""The residue: backlog cases still open on Egov and nowhere else, per case and per unit per day."""

import dagster as dg

from assets.data_versions import table_data_version
from assets.shared import build_asset, build_inputs, read_rows, warehouse_check
from core import asset_keys as keys
from core.asset_keys import WAREHOUSE_POOL
from core.local_time import local_date
from core.presentation import markdown_table
from core.run_clock import run_started_at
from resources.alerting import AlertingResource
from resources.settings import PipelineSettings
from resources.warehouse import WarehouseResource
from transform.registry import run_build
from transform.residue import RESIDUE_CASE, RESIDUE_SQL, build_residue_snapshot
from transform.statements import rows


@build_asset(
    RESIDUE_CASE, keys.RESIDUE_CASE, [keys.STAGING_CASE, keys.STAGING_CASE_LINK, keys.BACKLOG_RECONCILIATION],
)
def residue_case(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, settings: PipelineSettings
) -> dg.MaterializeResult:
    """The work list behind the residue: each Egov backlog case still open on Egov that no migrated record
    links to, with its legacy case number, current unit, received and due dates, days open and overdue at
    the run's local date, and the last official on Egov. No applicant data.
    """
    inputs = build_inputs(context, settings)
    run, (counts,) = warehouse.transaction(
        lambda conn: (
            run_build(conn, RESIDUE_CASE, inputs),
            rows(conn, RESIDUE_SQL, "check_residue_matches_reconciliation"),
        )
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": counts["residue_cases"],
            "as_of": run_started_at(context).isoformat(),
            **run.as_metadata(),
        },
        data_version=table_data_version(warehouse, keys.RESIDUE_CASE),
    )


@warehouse_check(keys.RESIDUE_CASE)
def residue_case_matches_reconciliation(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """The residue work list has as many cases as the reconciliation has residue rows."""
    (counts,) = read_rows(warehouse, RESIDUE_SQL, "check_residue_matches_reconciliation")
    return dg.AssetCheckResult(passed=counts["residue_cases"] == counts["residue_rows"], metadata=counts)


@dg.asset(
    pool=WAREHOUSE_POOL,
    key=keys.BACKLOG_RESIDUE_SNAPSHOT,
    deps=[keys.RESIDUE_CASE],
    kinds={"postgres", "sql"},
)
def backlog_residue_snapshot(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, alerts: AlertingResource
) -> dg.MaterializeResult:
    """Residue per current unit for the run's local date (local time), replaced on a re-run the same day; a
    unit that had residue in an earlier snapshot keeps a row, with zero once cleared. Raises a
    `backlog_residue` alert once a day while any residue remains, again that day if it grew (letter 01/2025
    orders it to zero).
    """
    as_of = run_started_at(context)
    published, by_unit = warehouse.transaction(
        lambda conn: (build_residue_snapshot(conn, as_of), rows(conn, RESIDUE_SQL, "residue_by_unit"))
    )
    residue = sum(row["residue_count"] for row in by_unit)
    alert = alerts.backlog_residue(as_of, context.run_id)
    return dg.MaterializeResult(
        metadata={
            "residue": residue,
            "as_of_date": local_date(as_of).isoformat(),
            "residue_by_unit": markdown_table(by_unit, ["unit_code", "residue_count"]),
            "alert_raised": alert is not None,
            **published.as_metadata(),
        },
        data_version=table_data_version(warehouse, keys.BACKLOG_RESIDUE_SNAPSHOT),
    )
