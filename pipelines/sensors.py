"""Sensors: the new system's change feed, and alerts on failed runs."""


from datetime import UTC, datetime

import dagster as dg

from pipelines.failures import failure_text
from pipelines.jobs import newsys_changes_job
from pipelines.run_tags import full_range_run_tags
from resources.alerting import AlertingResource
from resources.newsys_client import EventsGone, NewsysClient

EVENT_PAGE_LIMIT = 1000
MAX_EVENT_PAGES = 50
LATEST_PROBE = 2**62


def read_new_events(newsys: NewsysClient, after: int) -> tuple[list[dict], int]:
    """Every event after `after` (bounded), with the new cursor; EventsGone when `after` has expired."""
    events: list[dict] = []
    cursor = after
    for _ in range(MAX_EVENT_PAGES):
        page = newsys.events(cursor, EVENT_PAGE_LIMIT)
        if not page.events:
            return events, max(cursor, page.last_seq)
        events.extend(page.events)
        cursor = max(int(event.get("seq", cursor)) for event in page.events)
    return events, cursor


@dg.sensor(
    job=newsys_changes_job,
    minimum_interval_seconds=300,
    description=(
        "Reads `/api/v2/events` from its cursor and requests a sync when cases or officials changed. "
        "When the cursor has expired (410 Gone) it falls back to a full incremental read from the "
        "stored watermark."
    ),
)
def newsys_change_feed_sensor(
    context: dg.SensorEvaluationContext, newsys: NewsysClient
) -> dg.SensorResult | dg.SkipReason:
    """Turn change events into sync runs; the cursor is the last event sequence number handled."""
    after = int(context.cursor or 0)
    now = datetime.now(UTC)
    try:
        events, cursor = read_new_events(newsys, after)
    except EventsGone:
        latest = newsys.events(LATEST_PROBE, 1).last_seq
        tags = full_range_run_tags(now) | {"egov_sync/trigger": "events_expired"}
        return dg.SensorResult(
            run_requests=[dg.RunRequest(run_key=f"events-expired-{after}-{latest}", tags=tags)],
            cursor=str(latest),
        )
    if not events:
        return dg.SkipReason(f"no change events after seq {after}")
    kinds = sorted({str(event.get("type")) for event in events})
    tags = full_range_run_tags(now) | {"egov_sync/trigger": "events", "egov_sync/events": str(len(events))}
    context.log.info(f"{len(events)} change events ({', '.join(kinds)}) after seq {after}")
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=f"events-{after}-{cursor}", tags=tags)], cursor=str(cursor)
    )


@dg.run_failure_sensor(description="Raises a `run_failure` alert for every failed run.")
def run_failure_alert(context: dg.RunFailureSensorContext, alerts: AlertingResource) -> None:
    """Alert on a failed run: the job name and, per failed step, the text the console prints (no secrets)."""
    message = failure_text(context.get_step_failure_events(), context.failure_event.message or "")
    alerts.send(
        "run_failure",
        f"Run of {context.dagster_run.job_name} failed",
        {"run_id": context.dagster_run.run_id, "message": message},
    )
