"""Every asset key of the project, defined once, and the rule that names their groups.

A key is `<layer>/<name>`; its group is its layer (`raw`, `staging`, `mart`, `report`), so a reader can tell
an asset's group from its key. Groups are applied in one place, `pipelines.definitions`.
"""

from __future__ import annotations

import dagster as dg

RAW_EGOV_CASE = dg.AssetKey(["raw", "egov_case"])
RAW_NEWSYS_CASE = dg.AssetKey(["raw", "newsys_case"])
RAW_NEWSYS_OFFICIAL = dg.AssetKey(["raw", "newsys_official"])
RAW_NEWSYS_PROCEDURE = dg.AssetKey(["raw", "newsys_procedure"])
RAW_NEWSYS_UNIT = dg.AssetKey(["raw", "newsys_unit"])
RAW_NEWSYS_PETITION = dg.AssetKey(["raw", "newsys_petition"])
RAW_NEWSYS_RATING = dg.AssetKey(["raw", "newsys_rating"])

STAGING_CASE = dg.AssetKey(["staging", "case"])
STAGING_CASE_LINK = dg.AssetKey(["staging", "case_link"])

BACKLOG_RECONCILIATION = dg.AssetKey(["mart", "backlog_reconciliation"])
FACT_CASE = dg.AssetKey(["mart", "fact_case"])
FACT_PETITION = dg.AssetKey(["mart", "fact_petition"])
FACT_RATING = dg.AssetKey(["mart", "fact_rating"])
RESIDUE_CASE = dg.AssetKey(["mart", "residue_case"])
BACKLOG_RESIDUE_SNAPSHOT = dg.AssetKey(["mart", "backlog_residue_snapshot"])
DQ_RESULTS = dg.AssetKey(["mart", "dq_results"])
INDICATOR_MONTHLY = dg.AssetKey(["mart", "indicator_monthly"])
SCORE766_MONTHLY = dg.AssetKey(["mart", "score766_monthly"])
TTHC_PERIOD_REPORT = dg.AssetKey(["mart", "tthc_period_report"])

MONTHLY_REPORT = dg.AssetKey(["report", "monthly"])
TTHC_PERIODIC_REPORT = dg.AssetKey(["report", "tthc_periodic"])

LAYERS = ("raw", "staging", "mart", "report")


def group_of(key: dg.AssetKey) -> str:
    """The group of an asset: the first part of its key, which must be one of the layers."""
    layer = key.path[0]
    if layer not in LAYERS:
        layers = ", ".join(LAYERS)
        raise ValueError(f"asset key {key.to_user_string()} does not start with a layer ({layers})")
    return layer

# Every asset and check reads or writes the warehouse, so all of them are in one Dagster concurrency pool: the
# deployed instance lets one run at a time hold it (`deploy/dagster.yaml`, `concurrency.pools`), whether the
# run comes from a job, the asset graph, a backfill or a re-execution.
WAREHOUSE_POOL = "warehouse"
