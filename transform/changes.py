"""Incremental builds: which changes a build consumes, whether it must rebuild in full, and its cursor.

Landing logs the keys it changed in `raw.change_log`; the staging build consumes it and logs what it changed
in `staging.change_log`, which every later build consumes (and the case-link and fact_case builds append to).
Each build keeps a cursor (`staging.build_cursor`) saved in the transaction that publishes its rows, so a
change is processed exactly once even when a run fails half-way. A build rebuilds in full when asked to,
on its first build, after an upstream full rebuild, or when a parameter its rows depend on changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from core.local_time import local_date
from core.sql_files import sql

CHANGES_SQL = "queries/changes.sql"
PRODUCERS = ("staging_case", "case_link", "fact_case")
STAGING_CONSUMERS = (
    "case_link", "fact_case", "backlog_reconciliation", "residue_case", "dq_subject", "indicator_monthly",
    "tthc_period_report",
)  # fmt: skip


@dataclass
class BuildPlan:
    """How one build runs: in full or on the pending changes `(last_change_id, horizon]`, and why."""

    consumer: str
    full: bool
    reason: str
    last_change_id: int
    horizon: int
    changes: int
    raw: bool = False
    previous_as_of: datetime | None = None
    previous_cutover: datetime | None = None
    previous_first_month: date | None = None
    rows_read: int = 0
    rows_written: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def mode(self) -> str:
        """`full` or `incremental`."""
        return "full" if self.full else "incremental"

    def as_metadata(self) -> dict[str, Any]:
        """What the build did, for Dagster metadata."""
        return {
            "build_mode": self.mode,
            "build_reason": self.reason,
            "changes_consumed": self.changes,
            "rows_read": self.rows_read,
            "rows_written": self.rows_written,
            **self.extra,
        }


def _full_reason(
    requested: bool, cursor: Any, upstream_full: bool, parameters_changed: str | None
) -> str | None:
    """Why the build must run in full, or None when it can run on the changes."""
    if requested:
        return "full rebuild requested (run tag egov_sync/full_rebuild)"
    if cursor is None:
        return "first build"
    if upstream_full:
        return "an upstream build was rebuilt in full"
    return parameters_changed


def plan_build(
    conn: Connection,
    consumer: str,
    *,
    raw: bool = False,
    upstream: tuple[str, ...] = PRODUCERS,
    full_requested: bool = False,
    cutover: datetime | None = None,
    as_of_date: date | None = None,
) -> BuildPlan:
    """Lock the log, read the cursor and stage the pending changes (`pending_raw` or `pending_changes`).

    A full rebuild of one of the `upstream` builds makes this one rebuild in full too.
    """
    conn.execute(sql(CHANGES_SQL, "lock_raw_log" if raw else "lock_staging_log"))
    cursor = conn.execute(sql(CHANGES_SQL, "read_cursor"), {"consumer": consumer}).first()
    horizon = int(conn.execute(sql(CHANGES_SQL, "raw_horizon" if raw else "staging_horizon")).scalar_one())
    last = int(cursor.last_change_id) if cursor is not None else 0
    bounds = {"last_change_id": last, "horizon": horizon}
    conn.execute(sql(CHANGES_SQL, "drop_pending_raw" if raw else "drop_pending_changes"))
    if raw:
        conn.execute(sql(CHANGES_SQL, "create_pending_raw"), bounds)
        conn.execute(sql(CHANGES_SQL, "analyze_pending_raw"))
        changes, upstream_full = int(conn.execute(sql(CHANGES_SQL, "pending_raw_count")).scalar_one()), False
    else:
        conn.execute(sql(CHANGES_SQL, "create_pending_changes"), bounds)
        conn.execute(sql(CHANGES_SQL, "analyze_pending_changes"))
        counts = conn.execute(sql(CHANGES_SQL, "pending_counts"), {"upstream": list(upstream)}).one()
        changes, upstream_full = int(counts.changes), counts.full_rebuilds > 0
    changed = None
    if cursor is not None:
        if cutover is not None and cursor.cutover_at != cutover:
            changed = "CUTOVER_AT changed since the last build"
        elif as_of_date is not None and (cursor.as_of is None or local_date(cursor.as_of) != as_of_date):
            changed = "the local date of as_of changed since the last build"
    reason = _full_reason(full_requested, cursor, upstream_full, changed)
    return BuildPlan(
        consumer=consumer,
        full=reason is not None,
        reason=reason or "changes since the last build",
        last_change_id=last,
        horizon=horizon,
        changes=changes,
        raw=raw,
        previous_as_of=cursor.as_of if cursor is not None else None,
        previous_cutover=cursor.cutover_at if cursor is not None else None,
        previous_first_month=cursor.first_month if cursor is not None else None,
    )


CASE_UNIVERSE = ("staging_case", "case_link")
SignedCount = Callable[[datetime, str, str], object]


def plan_case_build(conn: Connection, consumer: str, *, full: bool = False, **parameters: Any) -> BuildPlan:
    """The plan of a build on the case universe (`staging.case` and its links)."""
    return plan_build(conn, consumer, upstream=CASE_UNIVERSE, full_requested=full, **parameters)


def save_cursor(
    conn: Connection,
    plan: BuildPlan,
    *,
    as_of: datetime | None = None,
    cutover: datetime | None = None,
    first_month: date | None = None,
) -> None:
    """Record that the build consumed every change up to its horizon, with the parameters it used.

    A build that logged changes itself skips them: it holds the log's lock, so no one else wrote since.
    """
    consumed = plan.horizon
    if not plan.raw:
        consumed = int(conn.execute(sql(CHANGES_SQL, "staging_horizon")).scalar_one())
    conn.execute(
        sql(CHANGES_SQL, "save_cursor"),
        {
            "consumer": plan.consumer,
            "last_change_id": consumed,
            "as_of": as_of,
            "cutover_at": cutover,
            "first_month": first_month,
        },
    )


def log_full_rebuild(conn: Connection, producer: str) -> None:
    """Tell the builds downstream of `producer` that it was rebuilt in full."""
    conn.execute(sql(CHANGES_SQL, "log_full_rebuild"), {"producer": producer})


def prune_logs(conn: Connection, raw_consumed: int) -> None:
    """Delete the landing changes staging consumed and the staging changes every consumer consumed."""
    conn.execute(sql(CHANGES_SQL, "prune_raw_log"), {"last_change_id": raw_consumed})
    consumers = {"consumers": list(STAGING_CONSUMERS)}
    consumed = conn.execute(sql(CHANGES_SQL, "consumed_by_all"), consumers).scalar()
    if consumed is not None:
        conn.execute(sql(CHANGES_SQL, "prune_staging_log"), {"last_change_id": consumed})


def first_month(conn: Connection) -> date | None:
    """The first month with a received case of `mart.fact_case`."""
    return conn.execute(sql(CHANGES_SQL, "first_month")).scalar()


def stage_affected_months(
    conn: Connection, plan: BuildPlan, as_of: datetime, first: date | None, *, with_procedures: bool
) -> int:
    """The months the pending changes touch into temp table `affected_month`; returns how many."""
    conn.execute(sql(CHANGES_SQL, "drop_affected_month"))
    conn.execute(
        sql(CHANGES_SQL, "create_affected_month"),
        {
            "as_of": as_of,
            "previous_as_of": plan.previous_as_of,
            "first_month": first,
            "previous_first_month": plan.previous_first_month,
            "with_procedures": with_procedures,
        },
    )
    return int(conn.execute(sql(CHANGES_SQL, "affected_month_count")).scalar_one())


def difference_since(
    conn: Connection, plan: BuildPlan, as_of: datetime, first: date | None, *, by_field: bool = False
) -> datetime | None:
    """The months and periods that began by this time may take the pending changes as a difference of the
    counts the last build published (the earlier of its as_of and this one); None when none may.

    That needs a previous build, an unchanged first month and the fact images of every pending change; a
    count by field also needs unchanged procedures (a procedure's field may have moved).
    """
    if plan.previous_as_of is None or first != plan.previous_first_month:
        return None
    if conn.execute(sql(CHANGES_SQL, "fact_changes_without_images")).scalar_one():
        return None
    if by_field and conn.execute(sql(CHANGES_SQL, "procedure_changes_pending")).scalar_one():
        return None
    return min(as_of, plan.previous_as_of)


def counts_into(target: str, *, create: bool = False) -> str:
    """How a count statement writes `target`: created from the query, or appended to."""
    return f"CREATE TEMP TABLE {target} ON COMMIT DROP AS" if create else f"INSERT INTO {target}"


def count_changes(conn: Connection, plan: BuildPlan, as_of: datetime, count: SignedCount) -> int:
    """Count what changed since the last build with `count(as_of, cases, weight)`: the signed fact changes at
    the last build's as_of (the published counts' own), then the cases due between the two as_of at this
    one (+1) and at the last (-1). Returns the case rows read."""
    assert plan.previous_as_of is not None
    read = _stage_fact_delta(conn)
    count(plan.previous_as_of, "fact_delta", "c.weight")
    if plan.previous_as_of != as_of:
        read += _stage_as_of_flip(conn, plan, as_of)
        count(as_of, "as_of_flip", "1")
        count(plan.previous_as_of, "as_of_flip", "-1")
    return read


def _stage_as_of_flip(conn: Connection, plan: BuildPlan, as_of: datetime) -> int:
    """The cases due between the last build's as_of and this one's into temp table `as_of_flip`; returns
    how many."""
    conn.execute(sql(CHANGES_SQL, "drop_as_of_flip"))
    params = {"as_of": as_of, "previous_as_of": plan.previous_as_of}
    return conn.execute(sql(CHANGES_SQL, "create_as_of_flip"), params).rowcount


def _stage_fact_delta(conn: Connection) -> int:
    """The pending fact changes as signed rows into temp table `fact_delta`; returns how many."""
    conn.execute(sql(CHANGES_SQL, "drop_fact_delta"))
    return conn.execute(sql(CHANGES_SQL, "create_fact_delta")).rowcount
