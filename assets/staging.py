"""Staging assets: both case sources in one shape with current units, and the links of migrated records."""

from typing import Any

import dagster as dg
from sqlalchemy import Connection

from assets.data_versions import table_data_version
from assets.shared import build_asset, build_inputs
from core import asset_keys as keys
from core.presentation import markdown_table
from resources.warehouse import WarehouseResource
from transform.builds import BuildRun
from transform.case_universe import CASE_LINK, STAGING_CASE, STAGING_SQL, unit_problems
from transform.registry import run_build
from transform.statements import rows


@build_asset(
    STAGING_CASE, keys.STAGING_CASE, [keys.RAW_NEWSYS_CASE, keys.RAW_EGOV_CASE, keys.RAW_NEWSYS_UNIT],
)
def staging_case(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Every valid landed case of the new system and of Egov in one canonical shape (`staging.case`), with
    `case_key` per the contract and `unit_code` the current unit; the landed changes are applied (or it is
    rebuilt). Also resolves units along their successors (`staging.unit_current`) and reports cycles and
    broken chains (`staging.unit_problem`).
    """
    inputs = build_inputs(context)

    def build(conn: Connection) -> tuple[BuildRun, list[dict[str, Any]], list[dict[str, Any]] | None]:
        run = run_build(conn, STAGING_CASE, inputs)
        counts = rows(conn, STAGING_SQL, "case_counts") if run.published.rows_written else None
        return run, unit_problems(conn), counts

    run, problems, counts = warehouse.transaction(build)
    metadata = {
        "unit_problem_count": len(problems),
        "unit_problems": markdown_table(problems, ["unit_code", "problem", "chain"]),
        **run.as_metadata(),
    }
    if counts is not None:
        by_source = {row["source_system"]: row for row in counts}
        metadata["dagster/row_count"] = sum(row["cases"] for row in counts)
        columns = ["source_system", "cases", "deleted", "migrated"]
        metadata["cases_by_source"] = markdown_table(counts, columns)
        metadata["newsys_cases"] = by_source.get("newsys", {}).get("cases", 0)
        metadata["egov_cases"] = by_source.get("egov", {}).get("cases", 0)
    return dg.MaterializeResult(
        metadata=metadata, data_version=table_data_version(warehouse, keys.STAGING_CASE)
    )


@build_asset(CASE_LINK, keys.STAGING_CASE_LINK, [keys.STAGING_CASE])
def staging_case_link(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Each valid, non-deleted migrated new-system record (`NguonHoSo = EGOV`) linked to the Egov case it
    copies: by normalised `MaHoSoCu` when exactly one Egov case has that number, otherwise by a unique
    fingerprint (procedure, applicant ID, received minute). Relinks the records the changes affect.
    """
    inputs = build_inputs(context)
    run = warehouse.transaction(lambda conn: run_build(conn, CASE_LINK, inputs))
    return dg.MaterializeResult(
        metadata=run.as_metadata(), data_version=table_data_version(warehouse, keys.STAGING_CASE_LINK)
    )
