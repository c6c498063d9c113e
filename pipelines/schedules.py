"""The nightly schedule: 01:00 local time, every asset, every month of the indicators."""

import dagster as dg

from core.local_time import LOCAL_TZ_NAME
from pipelines.jobs import nightly_sync_job
from pipelines.run_tags import full_range_run_tags


@dg.schedule(
    job=nightly_sync_job,
    cron_schedule="0 1 * * *",
    execution_timezone=LOCAL_TZ_NAME,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Nightly sync of Egov and the new system, and republication of the marts (01:00 local).",
)
def nightly_sync_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """One run over all assets and every indicator month up to the scheduled day, keyed by that tick (a tick
    evaluated twice, e.g. after a daemon restart, starts one run)."""
    scheduled = context.scheduled_execution_time
    return dg.RunRequest(run_key=f"nightly-{scheduled.isoformat()}", tags=full_range_run_tags(scheduled))
