"""Whether a run asks the downstream builds to rebuild in full rather than apply the landed changes."""

from __future__ import annotations

import dagster as dg

FULL_REBUILD_TAG = "egov_sync/full_rebuild"


def full_rebuild_requested(context: dg.AssetExecutionContext) -> bool:
    """True when the run carries the tag `egov_sync/full_rebuild: "true"`."""
    return context.run.tags.get(FULL_REBUILD_TAG, "").strip().lower() == "true"
