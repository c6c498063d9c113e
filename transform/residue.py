"""The residue: backlog cases open on Egov that no migrated record links to, per case and per unit per day."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from core.local_time import local_date
from resources.difference import Changes, Published, publish_difference
from transform.case_universe import ALL_ROWS, rows, rows_in_scope, run, run_template
from transform.changes import plan_case_build, save_cursor

RESIDUE_SQL = "queries/residue.sql"
RESIDUE_CASE = Published("mart.residue_case", key=("egov_id",))
RESIDUE_SNAPSHOT = Published("mart.backlog_residue_snapshot", key=("as_of_date", "unit_code"))


RESIDUE_SCOPE = "t.egov_id IN (SELECT egov_id FROM residue_scope)"


def build_residue_case(
    conn: Connection, cutover: datetime, as_of: datetime, *, full: bool = False
) -> Changes:
    """Publish `mart.residue_case`: backlog cases open on Egov that no migrated record links to.

    Only the changed Egov cases are recomputed, unless the run's local date (days open) or the cutover
    changed; the build plan goes in `extra`.
    """
    run(conn, RESIDUE_SQL, "lock_residue_case")
    plan = plan_case_build(conn, "residue_case", full=full, cutover=cutover, as_of_date=local_date(as_of))
    params = {"cutover": cutover, "as_of": as_of}
    if plan.full:
        plan.rows_read = run_template(conn, RESIDUE_SQL, "create_residue_new", params, egov_filter=ALL_ROWS)
        changes = publish_difference(conn, RESIDUE_CASE, "residue_new")
    else:
        plan.rows_read = rows_in_scope(
            conn, RESIDUE_SQL, "residue_scope", "create_residue_new", params,
            egov_filter="e.egov_id IN (SELECT egov_id FROM residue_scope)",
        )
        changes = publish_difference(conn, RESIDUE_CASE, "residue_new", scope=RESIDUE_SCOPE)
    plan.rows_written = changes.inserted + changes.updated + changes.deleted
    save_cursor(conn, plan, as_of=as_of, cutover=cutover)
    changes.extra["plan"] = plan
    return changes


def build_residue_snapshot(conn: Connection, as_of: datetime) -> Changes:
    """Publish the residue per unit of `as_of`'s local date from `mart.residue_case`; rows go in `extra`."""
    run(conn, RESIDUE_SQL, "lock_snapshot")
    run(conn, RESIDUE_SQL, "create_snapshot_new", as_of=as_of)
    changes = publish_difference(
        conn,
        RESIDUE_SNAPSHOT,
        "snapshot_new",
        scope="t.as_of_date = :as_of_date",
        params={"as_of_date": local_date(as_of)},
    )
    changes.extra["by_unit"] = rows(conn, RESIDUE_SQL, "residue_by_unit")
    return changes
