"""The run's start time (`as_of`), the same for every asset of a run."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import dagster as dg

AS_OF_TAG = "egov_sync/as_of"


def recorded_as_of(tags: Mapping[str, str], record: dg.RunRecord | None) -> datetime:
    """A run's `as_of`: its `egov_sync/as_of` tag when given, else its recorded start, else now."""
    tagged = tags.get(AS_OF_TAG)
    if tagged:
        return datetime.fromisoformat(tagged)
    if record is not None and record.start_time is not None:
        return datetime.fromtimestamp(record.start_time, tz=UTC)
    return datetime.now(UTC)


def run_started_at(context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext) -> datetime:
    """`as_of` of the running run (its record is read only when the run carries no `as_of` tag)."""
    tags = context.run.tags
    record = None if tags.get(AS_OF_TAG) else context.instance.get_run_record_by_id(context.run.run_id)
    return recorded_as_of(tags, record)

