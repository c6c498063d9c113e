"""The case universe mart: one row per real case, without personal data."""

import dagster as dg

from core import asset_keys as keys
from core.build_mode import full_rebuild_requested
from core.presentation import markdown_table
from resources.warehouse import WarehouseResource
from transform.case_universe import FACT_CASE_SQL, build_fact_case, rows


@dg.asset(
    key=keys.FACT_CASE,
    deps=[keys.STAGING_CASE, keys.STAGING_CASE_LINK, keys.RAW_NEWSYS_PROCEDURE, keys.RAW_NEWSYS_OFFICIAL],
    kinds={"postgres", "sql"},
    description=(
        "One row per real case: every valid, non-deleted new-system case and every valid Egov case that no "
        "migrated record links to (a migrated case is represented once, by its new-system record, carrying "
        "`legacy_case_no`). Units are current units; applicants appear only as `applicant_key`."
    ),
)
def fact_case(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Publish the rows of `mart.fact_case` the changes affect (or all of it) as a difference."""
    with warehouse.begin() as conn:
        changes = build_fact_case(conn, full=full_rebuild_requested(context))
    metadata = {**changes.as_metadata(), **changes.extra["plan"].as_metadata()}
    counts = changes.extra["counts"]
    if counts is not None:
        metadata["dagster/row_count"] = sum(row["cases"] for row in counts)
        metadata["cases_by_source"] = markdown_table(counts, ["source_system", "cases", "with_legacy_no"])
    return dg.MaterializeResult(metadata=metadata)


@dg.asset_check(asset=keys.FACT_CASE, description="No case_key appears twice in mart.fact_case.")
def fact_case_keys_are_unique(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Look for duplicate case keys."""
    with warehouse.begin() as conn:
        duplicates = rows(conn, FACT_CASE_SQL, "check_fact_case_keys")
    return dg.AssetCheckResult(
        passed=not duplicates,
        metadata={"duplicates": markdown_table(duplicates, ["case_key", "n"])},
    )
