"""The case universe mart: one row per real case; applicants only pseudonymised (`applicant_key`)."""

import dagster as dg

from assets.data_versions import table_data_version
from core import asset_keys as keys
from core.asset_keys import WAREHOUSE_POOL
from core.build_mode import full_rebuild_requested
from core.presentation import markdown_table, violations_result
from resources.settings import PipelineSettings
from resources.warehouse import WarehouseResource
from transform.case_universe import FACT_CASE_SQL, build_fact_case, rows


@dg.asset(
    pool=WAREHOUSE_POOL,
    key=keys.FACT_CASE,
    deps=[keys.STAGING_CASE, keys.STAGING_CASE_LINK, keys.RAW_NEWSYS_PROCEDURE, keys.RAW_NEWSYS_OFFICIAL],
    kinds={"postgres", "sql"},
)
def fact_case(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, settings: PipelineSettings
) -> dg.MaterializeResult:
    """One row per real case: every valid, non-deleted new-system case and every valid Egov case that no
    migrated record links to (a migrated case is represented once, by its new-system record, carrying
    `legacy_case_no`). Units are current units; applicants appear only as `applicant_key`, keyed with
    `PII_HASH_KEY` as the table is built. Only the rows the changes affect are recomputed, unless the run asks
    for a full rebuild or the key changed.
    """
    full = full_rebuild_requested(context)
    changes = warehouse.transaction(lambda conn: build_fact_case(conn, settings.pii_hash_key, full=full))
    metadata = {**changes.as_metadata(), **changes.extra["plan"].as_metadata()}
    counts = changes.extra["counts"]
    if counts is not None:
        metadata["dagster/row_count"] = sum(row["cases"] for row in counts)
        metadata["cases_by_source"] = markdown_table(counts, ["source_system", "cases", "with_legacy_no"])
    return dg.MaterializeResult(metadata=metadata, data_version=table_data_version(warehouse, keys.FACT_CASE))


@dg.asset_check(
    asset=keys.FACT_CASE, description="No case_key appears twice in mart.fact_case.", pool=WAREHOUSE_POOL
)
def fact_case_keys_are_unique(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Look for duplicate case keys."""
    with warehouse.begin() as conn:
        duplicates = rows(conn, FACT_CASE_SQL, "check_fact_case_keys")
    return violations_result(duplicates, ["case_key", "n"], count="duplicates_shown", table="duplicates")
