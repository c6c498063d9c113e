"""The Egov backlog reconciliation mart and its conservation checks."""

import dagster as dg

from assets.data_versions import table_data_version
from assets.shared import build_asset, build_inputs, read_rows, warehouse_check
from core import asset_keys as keys
from core.presentation import counts_table, markdown_table, violations_result
from resources.settings import PipelineSettings
from resources.warehouse import WarehouseResource
from transform.reconciliation import RECONCILIATION, RECONCILIATION_SQL, outcome_counts
from transform.registry import run_build
from transform.statements import rows

MISMATCH_SAMPLE_SIZE = 20


@build_asset(RECONCILIATION, keys.BACKLOG_RECONCILIATION, [keys.STAGING_CASE, keys.STAGING_CASE_LINK])
def backlog_reconciliation(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, settings: PipelineSettings
) -> dg.MaterializeResult:
    """One row per Egov backlog case (received before `CUTOVER_AT`, not finished before it) with its outcome
    (finished_in_egov, residue, migrated, migrated_mismatch, double_handled), plus one row per migrated
    record that is no backlog case's primary (duplicate_migrated, orphan_migrated). Published as a
    difference in one transaction, for the rows the changes affect: a re-run with unchanged sources changes
    no row.
    """
    inputs = build_inputs(context, settings)
    run, outcomes, sample = warehouse.transaction(
        lambda conn: (
            run_build(conn, RECONCILIATION, inputs),
            outcome_counts(conn),
            rows(conn, RECONCILIATION_SQL, "mismatch_sample", limit=MISMATCH_SAMPLE_SIZE),
        )
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": sum(outcomes.values()),
            "outcomes": counts_table(outcomes, "outcome"),
            "residue": outcomes["residue"],
            "mismatch_sample": markdown_table(
                sample, ["legacy_case_no", "new_case_id", "outcome", "match_method", "mismatch_fields"]
            ),
            "cutover_at": settings.cutover().isoformat(),
            **run.as_metadata(),
        },
        data_version=table_data_version(warehouse, keys.BACKLOG_RECONCILIATION),
    )


@warehouse_check(keys.BACKLOG_RECONCILIATION)
def every_backlog_case_has_one_row(
    warehouse: WarehouseResource, settings: PipelineSettings
) -> dg.AssetCheckResult:
    """Every Egov backlog case has exactly one backlog row (finished_in_egov ... double_handled)."""
    cutover = settings.cutover()
    broken = read_rows(warehouse, RECONCILIATION_SQL, "check_backlog_conservation", cutover=cutover)
    return violations_result(broken, ["legacy_case_no", "backlog_cases", "backlog_rows"])


@warehouse_check(keys.BACKLOG_RECONCILIATION)
def every_migrated_record_appears_once(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Every valid, non-deleted migrated record appears exactly once, as primary or extra row."""
    broken = read_rows(warehouse, RECONCILIATION_SQL, "check_migrated_conservation")
    return violations_result(broken, ["new_case_id", "rows"])
