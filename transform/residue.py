"""The residue: backlog cases open on Egov that no migrated record links to, per case and per unit per day."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from core.local_time import local_date
from resources.difference import Changes, Published, publish_difference
from transform.case_universe import rows, run

RESIDUE_SQL = "queries/residue.sql"
RESIDUE_CASE = Published("mart.residue_case", key=("egov_id",))
RESIDUE_SNAPSHOT = Published("mart.backlog_residue_snapshot", key=("as_of_date", "unit_code"))


def build_residue_case(conn: Connection, cutover: datetime, as_of: datetime) -> Changes:
    """Publish `mart.residue_case`: backlog cases open on Egov that no migrated record links to."""
    run(conn, RESIDUE_SQL, "lock_residue_case")
    run(conn, RESIDUE_SQL, "create_residue_new", cutover=cutover, as_of=as_of)
    return publish_difference(conn, RESIDUE_CASE, "residue_new")


def build_residue_snapshot(conn: Connection, as_of: datetime) -> Changes:
    """Publish the residue per unit of `as_of`'s local date from `mart.residue_case`; rows go in `extra`."""
    run(conn, RESIDUE_SQL, "lock_snapshot")
    run(conn, RESIDUE_SQL, "create_snapshot_new", as_of=as_of)
    changes = publish_difference(
        conn, RESIDUE_SNAPSHOT, "snapshot_new", scope="t.as_of_date = :as_of_date",
        params={"as_of_date": local_date(as_of)},
    )
    changes.extra["by_unit"] = rows(conn, RESIDUE_SQL, "residue_by_unit")
    return changes
