"""Run tags of the jobs: one run over every monthly partition up to a moment, with that moment as `as_of`."""

from __future__ import annotations

from datetime import datetime

from assets.indicators import MONTHLY_PARTITIONS
from core.run_clock import AS_OF_TAG

PARTITION_RANGE_START_TAG = "dagster/asset_partition_range_start"
PARTITION_RANGE_END_TAG = "dagster/asset_partition_range_end"


def full_range_run_tags(as_of: datetime) -> dict[str, str]:
    """Run tags for one run over every monthly partition up to the month of `as_of`, and that `as_of`.

    Pass them as `tags=` to `dg.materialize(...)` (or a job run) together with unpartitioned assets.
    """
    keys = MONTHLY_PARTITIONS.get_partition_keys(current_time=as_of)
    return {
        PARTITION_RANGE_START_TAG: keys[0],
        PARTITION_RANGE_END_TAG: keys[-1],
        AS_OF_TAG: as_of.isoformat(),
    }
