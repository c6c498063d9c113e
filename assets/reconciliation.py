"""The Egov backlog reconciliation mart and its conservation checks."""

import dagster as dg

from assets.data_versions import table_data_version
from core import asset_keys as keys
from core.asset_keys import WAREHOUSE_POOL
from core.build_mode import full_rebuild_requested
from core.presentation import counts_table, markdown_table, violations_result
from resources.settings import PipelineSettings
from resources.warehouse import WarehouseResource
from transform.case_universe import rows
from transform.reconciliation import RECONCILIATION_SQL, build_reconciliation

MISMATCH_SAMPLE_SIZE = 20


@dg.asset(
    pool=WAREHOUSE_POOL,
    key=keys.BACKLOG_RECONCILIATION,
    deps=[keys.STAGING_CASE, keys.STAGING_CASE_LINK],
    kinds={"postgres", "sql"},
)
def backlog_reconciliation(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, settings: PipelineSettings
) -> dg.MaterializeResult:
    """One row per Egov backlog case (received before `CUTOVER_AT`, not finished before it) with its outcome
    (finished_in_egov, residue, migrated, migrated_mismatch, double_handled), plus one row per migrated
    record that is no backlog case's primary (duplicate_migrated, orphan_migrated). Published as a
    difference in one transaction, for the rows the changes affect: a re-run with unchanged sources changes
    no row.
    """
    full = full_rebuild_requested(context)
    changes, sample = warehouse.transaction(
        lambda conn: (
            build_reconciliation(conn, settings.cutover(), full=full),
            rows(conn, RECONCILIATION_SQL, "mismatch_sample", limit=MISMATCH_SAMPLE_SIZE),
        )
    )
    outcomes = changes.extra["outcomes"]
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": sum(outcomes.values()),
            "outcomes": counts_table(outcomes, "outcome"),
            "residue": outcomes["residue"],
            "mismatch_sample": markdown_table(
                sample, ["legacy_case_no", "new_case_id", "outcome", "match_method", "mismatch_fields"]
            ),
            "cutover_at": settings.cutover().isoformat(),
            **changes.as_metadata(),
            **changes.extra["plan"].as_metadata(),
        },
        data_version=table_data_version(warehouse, keys.BACKLOG_RECONCILIATION),
    )


@dg.asset_check(
    pool=WAREHOUSE_POOL,
    asset=keys.BACKLOG_RECONCILIATION,
    description="Every Egov backlog case has exactly one backlog row (finished_in_egov ... double_handled).",
)
def every_backlog_case_has_one_row(
    warehouse: WarehouseResource, settings: PipelineSettings
) -> dg.AssetCheckResult:
    """Compare the backlog case numbers (with multiplicity) with the backlog rows published."""
    with warehouse.begin() as conn:
        broken = rows(conn, RECONCILIATION_SQL, "check_backlog_conservation", cutover=settings.cutover())
    return violations_result(broken, ["legacy_case_no", "backlog_cases", "backlog_rows"])


@dg.asset_check(
    pool=WAREHOUSE_POOL,
    asset=keys.BACKLOG_RECONCILIATION,
    description="Every valid, non-deleted migrated record appears exactly once, as primary or extra row.",
)
def every_migrated_record_appears_once(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Compare the migrated records with the `new_case_id` values published."""
    with warehouse.begin() as conn:
        broken = rows(conn, RECONCILIATION_SQL, "check_migrated_conservation")
    return violations_result(broken, ["new_case_id", "rows"])
