"""The petitions and ratings marts: one row per valid, non-deleted petition (PAKN) and rating, no sender data
and no free text (those stay in raw)."""

from typing import Any

import dagster as dg
from sqlalchemy import Connection

from assets.data_versions import table_data_version
from assets.shared import build_asset, build_inputs
from core import asset_keys as keys
from core.presentation import markdown_table
from resources.warehouse import WarehouseResource
from transform.builds import Build, BuildRun
from transform.petitions import FACT_PETITION, FACT_PETITION_SQL, FACT_RATING, FACT_RATING_SQL
from transform.registry import run_build
from transform.statements import rows

UPSTREAM = [keys.STAGING_CASE, keys.FACT_CASE]


def materialize_build(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, build: Build, counts: tuple[str, str],
    columns: list[str],
) -> dg.MaterializeResult:  # fmt: skip
    """Run one build of the registry; its metadata, its row counts by `columns` and its table's version."""
    inputs = build_inputs(context)

    def run(conn: Connection) -> tuple[BuildRun, list[dict[str, Any]]]:
        return run_build(conn, build, inputs), rows(conn, *counts)

    done, table = warehouse.transaction(run)
    metadata = done.as_metadata()
    metadata["dagster/row_count"] = sum(row[columns[1]] for row in table)
    metadata["counts"] = markdown_table(table, columns)
    version = table_data_version(warehouse, context.asset_key)
    return dg.MaterializeResult(metadata=metadata, data_version=version)


@build_asset(FACT_PETITION, keys.FACT_PETITION, [keys.RAW_NEWSYS_PETITION, *UPSTREAM])
def fact_petition(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One row per valid, non-deleted petition (phản ánh, kiến nghị): its current unit, status, deadlines and
    end, answer flags and votes, and its case when that is a case of `mart.fact_case`. Only the petitions the
    changes affect (landed, about a changed case, or under a changed unit) are recomputed."""
    columns = ["status_code", "petitions", "about_a_case", "case_found"]
    counts = (FACT_PETITION_SQL, "petition_counts")
    return materialize_build(context, warehouse, FACT_PETITION, counts, columns)


@build_asset(FACT_RATING, keys.FACT_RATING, [keys.RAW_NEWSYS_RATING, *UPSTREAM])
def fact_rating(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One row per valid, non-deleted rating of a case (replaced ones included, `in_force` false), with its
    case when that is a case of `mart.fact_case`; no comment text. Only the ratings the changes affect (landed
    or of a changed case) are recomputed."""
    columns = ["in_force", "ratings", "case_found"]
    counts = (FACT_RATING_SQL, "rating_counts")
    return materialize_build(context, warehouse, FACT_RATING, counts, columns)
