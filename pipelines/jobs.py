"""Jobs: the nightly sync of everything, and the sync of what the new system's change feed announced."""

from __future__ import annotations

import dagster as dg

from core import asset_keys as keys

RAW_NEWSYS_CHANGES = dg.AssetSelection.assets(keys.RAW_NEWSYS_CASE, keys.RAW_NEWSYS_OFFICIAL)

nightly_sync_job = dg.define_asset_job(
    name="nightly_sync",
    selection=dg.AssetSelection.all(),
    description="Sync both systems, rebuild staging, reconcile, validate and republish every mart.",
)

newsys_changes_job = dg.define_asset_job(
    name="newsys_changes_sync",
    selection=RAW_NEWSYS_CHANGES.downstream(),
    description="Sync the new system's cases and officials after change events, then what depends on them.",
)
