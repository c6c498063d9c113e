"""The case universe mart: one row per real case; applicants only pseudonymised (`applicant_key`)."""

from typing import Any

import dagster as dg
from sqlalchemy import Connection

from assets.data_versions import table_data_version
from assets.shared import build_asset, build_inputs, read_rows, warehouse_check
from core import asset_keys as keys
from core.presentation import markdown_table, violations_result
from resources.settings import PipelineSettings
from resources.warehouse import WarehouseResource
from transform.builds import BuildRun
from transform.case_universe import FACT_CASE, FACT_CASE_SQL
from transform.registry import run_build
from transform.statements import rows


@build_asset(
    FACT_CASE, keys.FACT_CASE,
    [keys.STAGING_CASE, keys.STAGING_CASE_LINK, keys.RAW_NEWSYS_PROCEDURE, keys.RAW_NEWSYS_OFFICIAL],
)  # fmt: skip
def fact_case(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, settings: PipelineSettings
) -> dg.MaterializeResult:
    """One row per real case: every valid, non-deleted new-system case and every valid Egov case that no
    migrated record links to (a migrated case is represented once, by its new-system record, carrying
    `legacy_case_no`). Units are current units; applicants appear only as `applicant_key`, keyed with
    `PII_HASH_KEY` as the table is built. Only the rows the changes affect are recomputed, unless the run asks
    for a full rebuild or the key changed.
    """
    inputs = build_inputs(context, settings)

    def build(conn: Connection) -> tuple[BuildRun, list[dict[str, Any]] | None]:
        run = run_build(conn, FACT_CASE, inputs)
        return run, rows(conn, FACT_CASE_SQL, "fact_case_counts") if run.published.rows_written else None

    run, counts = warehouse.transaction(build)
    metadata = run.as_metadata()
    if counts is not None:
        metadata["dagster/row_count"] = sum(row["cases"] for row in counts)
        metadata["cases_by_source"] = markdown_table(counts, ["source_system", "cases", "with_legacy_no"])
    return dg.MaterializeResult(metadata=metadata, data_version=table_data_version(warehouse, keys.FACT_CASE))


@warehouse_check(keys.FACT_CASE)
def fact_case_keys_are_unique(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """No case_key appears twice in mart.fact_case."""
    duplicates = read_rows(warehouse, FACT_CASE_SQL, "check_fact_case_keys")
    return violations_result(duplicates, ["case_key", "n"], count="duplicates_shown", table="duplicates")
