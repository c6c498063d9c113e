"""The run's start time (`as_of`), the same for every asset of a run."""

from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg

AS_OF_TAG = "egov_sync/as_of"


def run_started_at(context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext) -> datetime:
    """`as_of`: the `egov_sync/as_of` run tag when given, else the run's recorded start, else now."""
    tagged = context.run.tags.get(AS_OF_TAG)
    if tagged:
        return datetime.fromisoformat(tagged)
    record = context.instance.get_run_record_by_id(context.run.run_id)
    if record is not None and record.start_time is not None:
        return datetime.fromtimestamp(record.start_time, tz=UTC)
    return datetime.now(UTC)

