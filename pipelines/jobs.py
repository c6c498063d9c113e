"""Jobs: the nightly sync of everything, the sync of what the new system's change feed announced, and the
recount of the indicator months those changes touched.

The change-feed job stops before the monthly marts: a run of it lands and rebuilds what the changes affect,
and `changed_months_sensor` then plans the months to recount and requests one `changed_months_sync` run per
contiguous range of them, so the event log holds a materialisation for each month recomputed and no other.

Every asset and check is in the `warehouse` concurrency pool, which the deployed instance
(`deploy/dagster.yaml`) lets one run hold at a time; the jobs' runs also carry `egov_sync/writes_warehouse`.
They run with the Definitions' executor, like every other run (`pipelines/executors.py`).
"""

from __future__ import annotations

import dagster as dg

from core import asset_keys as keys

WRITES_WAREHOUSE_TAG = "egov_sync/writes_warehouse"
WAREHOUSE_WRITER_TAGS = {WRITES_WAREHOUSE_TAG: "true"}

RAW_NEWSYS_CHANGES = dg.AssetSelection.assets(
    keys.RAW_NEWSYS_CASE, keys.RAW_NEWSYS_OFFICIAL, keys.RAW_NEWSYS_PETITION, keys.RAW_NEWSYS_RATING
)

MONTHLY_MARTS = (keys.INDICATOR_MONTHLY,)
AFTER_MONTHLY_MARTS = (keys.SCORE766_MONTHLY, keys.MONTHLY_REPORT)
"""What is built from the monthly marts: the run of the latest months rebuilds them too (the scorecard scores
again every month whose indicator rows changed)."""
MONTHLY = dg.AssetSelection.assets(*MONTHLY_MARTS)

nightly_sync_job = dg.define_asset_job(
    name="nightly_sync",
    selection=dg.AssetSelection.all(),
    description="Sync both systems, rebuild staging, reconcile, validate and republish every mart.",
    tags=WAREHOUSE_WRITER_TAGS,
)

newsys_changes_job = dg.define_asset_job(
    name="newsys_changes_sync",
    selection=RAW_NEWSYS_CHANGES.downstream() - MONTHLY.downstream(),
    description=(
        "Sync the new system's cases, officials, petitions and ratings after change events, then what "
        "depends on them but the monthly marts (`changed_months_sync` recounts the months that changed)."
    ),
    tags=WAREHOUSE_WRITER_TAGS,
)

changed_months_job = dg.define_asset_job(
    name="changed_months_sync",
    selection=MONTHLY | dg.AssetSelection.assets(*AFTER_MONTHLY_MARTS),
    description=(
        "Recount a range of indicator months that a change-feed run changed (requested by "
        "`changed_months_sensor`, one run per contiguous range), then the monthly report after the latest."
    ),
    tags=WAREHOUSE_WRITER_TAGS,
)
