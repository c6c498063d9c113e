"""Sensors: the new system's change feed and the indicator months it changed, alerts on failed runs and on
marts overdue after their deadline."""


import time
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import dagster as dg

from assets.indicators import MONTHLY_PARTITIONS
from core.build_mode import FULL_REBUILD_TAG
from core.environment import read_environment
from core.local_time import LOCAL_ZONE
from core.run_clock import recorded_as_of
from pipelines.failures import failure_text
from pipelines.jobs import AFTER_MONTHLY_MARTS, MONTHLY_MARTS, changed_months_job, newsys_changes_job
from pipelines.run_tags import as_of_run_tags, full_range_run_tags, month_range_run_tags
from resources.alert_rules import run_failure_alert as run_failure_alert_for
from resources.alerting import AlertingResource
from resources.newsys_client import EventsGone, NewsysClient
from resources.warehouse import WarehouseResource
from transform.changed_months import MonthsPlan, plan_changed_months

if TYPE_CHECKING:
    from dagster_shared.error import SerializableErrorInfo

EVENT_PAGE_LIMIT = 1000
MAX_EVENT_PAGES = 50
READ_DEADLINE_SECONDS = 30.0
LATEST_PROBE = 2**62
FRESHNESS_FAIL = "FAIL"
WAITING_STATUSES = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING]
FEED_OF_EVENT = {"hoso": "cases", "canbo": "officials", "pakn": "petitions", "danhgia": "ratings"}
"""The feed whose change an event type's prefix announces (`hoso.*`: cases, `pakn.*`: petitions, ...)."""


def read_new_events(
    newsys: NewsysClient, after: int, deadline_seconds: float = READ_DEADLINE_SECONDS
) -> tuple[list[dict], int]:
    """The events after `after`, with the new cursor; EventsGone when `after` has expired.

    Bounded to fit in a tick: at most MAX_EVENT_PAGES pages and `deadline_seconds`; the rest is read at the
    next tick.
    """
    events: list[dict] = []
    cursor = after
    deadline = time.monotonic() + deadline_seconds
    for _ in range(MAX_EVENT_PAGES):
        page = newsys.events(cursor, EVENT_PAGE_LIMIT)
        if not page.events:
            return events, max(cursor, page.last_seq)
        events.extend(page.events)
        cursor = max(int(event.get("seq", cursor)) for event in page.events)
        if time.monotonic() > deadline:
            break
    return events, cursor


def changed_feeds(events: list[dict]) -> list[str]:
    """The feeds the events announce changes of, sorted; a type the contract does not name counts as
    `other` (it still requests a sync: the run reads every feed from its watermark)."""
    prefixes = {str(event.get("type", "")).split(".", 1)[0] for event in events}
    return sorted({FEED_OF_EVENT.get(prefix, "other") for prefix in prefixes})


def waiting_sync_run(instance: dg.DagsterInstance) -> str | None:
    """The id of a change-feed sync run that is queued and has not started reading yet, if any."""
    runs = instance.get_runs(
        filters=dg.RunsFilter(job_name=newsys_changes_job.name, statuses=WAITING_STATUSES), limit=1
    )
    return runs[0].run_id if runs else None


def change_feed_interval_seconds() -> int:
    """Seconds between the change-feed sensor's ticks (`EGOV_SYNC_SENSOR_INTERVAL_SECONDS`, default 300)."""
    return read_environment().sensor_interval_seconds


@dg.sensor(
    job=newsys_changes_job,
    minimum_interval_seconds=change_feed_interval_seconds(),
    description=(
        "Reads `/api/v2/events` from its cursor and requests a sync when cases, officials, petitions or "
        "ratings changed (`hoso.*`, `canbo.updated`, `pakn.*`, `danhgia.*`). When the cursor has expired "
        "(410 Gone) it falls back to a full incremental read of every feed from its stored watermark."
    ),
)
def newsys_change_feed_sensor(
    context: dg.SensorEvaluationContext, newsys: NewsysClient
) -> dg.SensorResult | dg.SkipReason:
    """Turn change events into sync runs; the cursor is the last event sequence number handled.

    While a sync run is queued and has not started, no other is requested: the queued one reads the feed
    from the watermark when it starts, these changes included.
    """
    after = int(context.cursor or 0)
    now = datetime.now(UTC)
    try:
        events, cursor = read_new_events(newsys, after)
        trigger, run_key = "events", f"events-{after}-{cursor}"
    except EventsGone:
        cursor = newsys.events(LATEST_PROBE, 1).last_seq
        events, trigger, run_key = [], "events_expired", f"events-expired-{after}-{cursor}"
    if trigger == "events" and not events:
        return dg.SkipReason(f"no change events after seq {after}")
    waiting = waiting_sync_run(context.instance)
    if waiting is not None:
        reason = f"changes after seq {after}: run {waiting} is queued and will read them when it starts"
        return dg.SensorResult(skip_reason=reason, cursor=str(cursor))
    tags = as_of_run_tags(now) | {"egov_sync/trigger": trigger}
    if events:
        kinds = sorted({str(event.get("type")) for event in events})
        tags["egov_sync/events"] = str(len(events))
        tags["egov_sync/feeds"] = ",".join(changed_feeds(events))
        context.log.info(f"{len(events)} change events ({', '.join(kinds)}) after seq {after}")
    return dg.SensorResult(run_requests=[dg.RunRequest(run_key=run_key, tags=tags)], cursor=str(cursor))


AFTER_RUN_TAG = "egov_sync/after_run"


def latest_feed_run(instance: dg.DagsterInstance) -> dg.RunRecord | None:
    """The change-feed run that succeeded last, if any."""
    succeeded = dg.RunsFilter(job_name=newsys_changes_job.name, statuses=[dg.DagsterRunStatus.SUCCESS])
    records = instance.get_run_records(filters=succeeded, limit=1)
    return records[0] if records else None


def partition_key(month: date) -> str:
    """The monthly partition of a month (months before the first partition fall in the first, whose runs
    recount every month before it too)."""
    return max(month.isoformat(), MONTHLY_PARTITIONS.get_first_partition_key())


def month_run_requests(run_id: str, as_of: datetime, plan: MonthsPlan) -> list[dg.RunRequest]:
    """One run per contiguous range of the plan's months (every month when the plan is full), at the plan's
    as_of; the run of the latest months also rebuilds the monthly report."""
    tags = {AFTER_RUN_TAG: run_id}
    if plan.full is not None:
        return [dg.RunRequest(run_key=f"months-{run_id}-all", tags=full_range_run_tags(as_of) | tags)]
    ranges = plan.ranges()
    requests = []
    for index, (first, last) in enumerate(ranges):
        start, end = partition_key(first), partition_key(last)
        selection = [*MONTHLY_MARTS, *(AFTER_MONTHLY_MARTS if index == len(ranges) - 1 else ())]
        requests.append(dg.RunRequest(
            run_key=f"months-{run_id}-{start}-{end}", tags=month_range_run_tags(start, end, as_of) | tags,
            asset_selection=selection,
        ))  # fmt: skip
    return requests


@dg.sensor(
    job=changed_months_job,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "After a change-feed run succeeded, plans the indicator months its changes touched (the counting "
        "driver's affected months) and requests one `changed_months_sync` run per contiguous range of them, "
        "so that each run materialises only the partitions it recomputes."
    ),
)
def changed_months_sensor(
    context: dg.SensorEvaluationContext, warehouse: WarehouseResource
) -> dg.SensorResult | dg.SkipReason:
    """Turn the latest successful change-feed run into month-range runs; the cursor is that run's storage id.

    One plan covers every change logged since the last plan, so change-feed runs that succeeded between two
    ticks are planned together, at the latest one's as_of. When planning fails the cursor stays, and the next
    tick plans again.
    """
    record = latest_feed_run(context.instance)
    if record is None or record.storage_id <= int(context.cursor or 0):
        return dg.SkipReason("no change-feed run succeeded since the last plan")
    run, as_of = record.dagster_run, recorded_as_of(record.dagster_run.tags, record)
    full = run.tags.get(FULL_REBUILD_TAG) == "true"
    plan = warehouse.transaction(lambda conn: plan_changed_months(conn, as_of, full_requested=full))
    requests = month_run_requests(run.run_id, as_of, plan)
    cursor = str(record.storage_id)
    if not requests:
        return dg.SensorResult(skip_reason=f"run {run.run_id} changed no indicator month", cursor=cursor)
    months = plan.full or ", ".join(f"{first:%Y-%m}..{last:%Y-%m}" for first, last in plan.ranges())
    context.log.info(f"run {run.run_id}: recount {months}")
    return dg.SensorResult(run_requests=requests, cursor=cursor)


def user_error(error: "SerializableErrorInfo | None") -> "SerializableErrorInfo | None":
    """The project's own error in Dagster's wrapping of it: the first cause that is not a Dagster error."""
    current = error
    while current is not None:
        if not (current.cls_name or "").startswith("Dagster"):
            return current
        current = current.cause
    return error


def error_message(error: "SerializableErrorInfo") -> str:
    """The first line of an error's message, without the `module.Class: ` prefix Dagster puts before it."""
    first = (error.message or "").strip().splitlines()[0] if error.message else ""
    prefix = f"{error.cls_name}: "
    return first.split(prefix, 1)[1] if prefix in first else first


def failure_facts(context: dg.RunFailureSensorContext) -> tuple[str | None, str | None, str]:
    """The failing step, the error class and the error message of a failed run."""
    for event in context.get_step_failure_events():
        error = user_error(event.step_failure_data.error)
        if error is not None:
            return event.step_key, error.cls_name, error_message(error)
        return event.step_key, None, event.message or ""
    return None, None, context.failure_event.message or ""


@dg.run_failure_sensor(
    description="Raises a `run_failure` alert for every failed run: job, run, failing step and error.",
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def run_failure_alert(context: dg.RunFailureSensorContext, alerts: AlertingResource) -> None:
    """Alert on a failed run: the job, the run, the failing step, its error class and, as the message, the
    text the console prints for each failed step (no secrets)."""
    step, error_class, message = failure_facts(context)
    text = failure_text(context.get_step_failure_events(), message)
    run = context.dagster_run
    alerts.send(run_failure_alert_for(run.job_name, run.run_id, step, error_class, text, datetime.now(UTC)))


def freshness_interval_seconds() -> int:
    """Seconds between the freshness sensor's ticks (`EGOV_SYNC_FRESHNESS_INTERVAL_SECONDS`, default 600)."""
    return read_environment().freshness_interval_seconds


def overdue_assets(context: dg.SensorEvaluationContext) -> list[dict[str, str | None]]:
    """The assets with a freshness policy that the instance's freshness evaluation holds overdue (FAIL),
    each with its last materialisation and since when it is overdue (local time)."""
    graph = context.repository_def.asset_graph
    keys = [key for key in graph.get_all_asset_keys() if graph.get(key).freshness_policy is not None]
    records = context.instance.get_freshness_state_records(keys)
    overdue = []
    for key, record in sorted(records.items(), key=lambda item: item[0].to_user_string()):
        if record.freshness_state != FRESHNESS_FAIL:
            continue
        event = context.instance.get_latest_materialization_event(key)
        last = datetime.fromtimestamp(event.timestamp, UTC) if event else None
        overdue.append({
            "asset": key.to_user_string(),
            "last_materialized": last.astimezone(LOCAL_ZONE).isoformat() if last else None,
            "overdue_since": record.updated_at.astimezone(LOCAL_ZONE).isoformat(),
        })
    return overdue


@dg.sensor(
    minimum_interval_seconds=freshness_interval_seconds(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Raises a `freshness` alert when a mart or report is still overdue after its 06:00 deadline (the "
        "freshness policies the daemon evaluates): once a day, again only when another one becomes overdue."
    ),
)
def freshness_alert(context: dg.SensorEvaluationContext, alerts: AlertingResource) -> dg.SkipReason:
    """Turn the instance's overdue marts into the day's `freshness` alert."""
    overdue = overdue_assets(context)
    if not overdue:
        return dg.SkipReason("every mart with a freshness policy is fresh (or not evaluated yet)")
    alert = alerts.freshness(datetime.now(UTC), overdue)
    names = ", ".join(item["asset"] or "" for item in overdue)
    if alert is None:
        return dg.SkipReason(f"overdue, already alerted today: {names}")
    return dg.SkipReason(f"freshness alert sent for {names}")

