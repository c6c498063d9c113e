"""Run tags of the jobs: a run's `as_of`, and one run over a range of monthly partitions (every one up to a
moment, or some months) at that moment."""

from __future__ import annotations

from datetime import datetime

from assets.indicators import MONTHLY_PARTITIONS
from core.run_clock import AS_OF_TAG

PARTITION_RANGE_START_TAG = "dagster/asset_partition_range_start"
PARTITION_RANGE_END_TAG = "dagster/asset_partition_range_end"


def as_of_run_tags(as_of: datetime) -> dict[str, str]:
    """Run tags giving a run its `as_of` (a run of unpartitioned assets, e.g. the change-feed job)."""
    return {AS_OF_TAG: as_of.isoformat()}


def month_range_run_tags(first: str, last: str, as_of: datetime) -> dict[str, str]:
    """Run tags for one run over the monthly partitions `first..last` (partition keys), at `as_of`."""
    return {PARTITION_RANGE_START_TAG: first, PARTITION_RANGE_END_TAG: last} | as_of_run_tags(as_of)


def full_range_run_tags(as_of: datetime) -> dict[str, str]:
    """Run tags for one run over every monthly partition up to the month of `as_of`, and that `as_of`.

    Pass them as `tags=` to `dg.materialize(...)` (or a job run) together with unpartitioned assets.
    """
    keys = MONTHLY_PARTITIONS.get_partition_keys(current_time=as_of)
    return month_range_run_tags(keys[0], keys[-1], as_of)
