"""Staging assets: both case sources in one shape with current units, and the links of migrated records."""

import dagster as dg

from assets.data_versions import table_data_version
from core import asset_keys as keys
from core.asset_keys import WAREHOUSE_POOL
from core.build_mode import full_rebuild_requested
from core.presentation import markdown_table
from resources.warehouse import WarehouseResource
from transform.case_universe import build_case_link, build_staging_case


@dg.asset(
    pool=WAREHOUSE_POOL,
    key=keys.STAGING_CASE,
    deps=[keys.RAW_NEWSYS_CASE, keys.RAW_EGOV_CASE, keys.RAW_NEWSYS_UNIT],
    kinds={"postgres", "sql"},
)
def staging_case(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Every valid landed case of the new system and of Egov in one canonical shape (`staging.case`), with
    `case_key` per the contract and `unit_code` the current unit; the landed changes are applied (or it is
    rebuilt). Also resolves units along their successors (`staging.unit_current`) and reports cycles and
    broken chains (`staging.unit_problem`).
    """
    full = full_rebuild_requested(context)
    summary = warehouse.transaction(lambda conn: build_staging_case(conn, full=full))
    metadata = {
        "unit_problem_count": len(summary["unit_problems"]),
        "unit_problems": markdown_table(summary["unit_problems"], ["unit_code", "problem", "chain"]),
        "non_ascii_case_numbers_keyed": summary["keyed"],
        **summary["plan"].as_metadata(),
    }
    if summary["counts"] is not None:
        counts = {row["source_system"]: row for row in summary["counts"]}
        metadata["dagster/row_count"] = sum(row["cases"] for row in summary["counts"])
        metadata["cases_by_source"] = markdown_table(
            summary["counts"], ["source_system", "cases", "deleted", "migrated"]
        )
        metadata["newsys_cases"] = counts.get("newsys", {}).get("cases", 0)
        metadata["egov_cases"] = counts.get("egov", {}).get("cases", 0)
    return dg.MaterializeResult(
        metadata=metadata, data_version=table_data_version(warehouse, keys.STAGING_CASE)
    )


@dg.asset(
    pool=WAREHOUSE_POOL,
    key=keys.STAGING_CASE_LINK,
    deps=[keys.STAGING_CASE],
    kinds={"postgres", "sql"},
)
def staging_case_link(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Each valid, non-deleted migrated new-system record (`NguonHoSo = EGOV`) linked to the Egov case it
    copies: by normalised `MaHoSoCu` when exactly one Egov case has that number, otherwise by a unique
    fingerprint (procedure, applicant ID, received minute). Relinks the records the changes affect.
    """
    full = full_rebuild_requested(context)
    plan = warehouse.transaction(lambda conn: build_case_link(conn, full=full))
    return dg.MaterializeResult(
        metadata=plan.as_metadata(), data_version=table_data_version(warehouse, keys.STAGING_CASE_LINK)
    )
