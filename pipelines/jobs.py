"""Jobs: the nightly sync of everything, and the sync of what the new system's change feed announced.

Every asset and check is in the `warehouse` concurrency pool, which the deployed instance
(`deploy/dagster.yaml`) lets one run hold at a time; the jobs' runs also carry `egov_sync/writes_warehouse`.
They run with the Definitions' executor, like every other run (`pipelines/executors.py`).
"""

from __future__ import annotations

import dagster as dg

from core import asset_keys as keys

WRITES_WAREHOUSE_TAG = "egov_sync/writes_warehouse"
WAREHOUSE_WRITER_TAGS = {WRITES_WAREHOUSE_TAG: "true"}

RAW_NEWSYS_CHANGES = dg.AssetSelection.assets(keys.RAW_NEWSYS_CASE, keys.RAW_NEWSYS_OFFICIAL)

nightly_sync_job = dg.define_asset_job(
    name="nightly_sync",
    selection=dg.AssetSelection.all(),
    description="Sync both systems, rebuild staging, reconcile, validate and republish every mart.",
    tags=WAREHOUSE_WRITER_TAGS,
)

newsys_changes_job = dg.define_asset_job(
    name="newsys_changes_sync",
    selection=RAW_NEWSYS_CHANGES.downstream(),
    description="Sync the new system's cases and officials after change events, then what depends on them.",
    tags=WAREHOUSE_WRITER_TAGS,
)
