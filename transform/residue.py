"""The residue: backlog cases open on Egov that no migrated record links to, per case (`RESIDUE_CASE`, run by
the registry) and per unit per day."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from core.local_time import local_date
from resources.publication import Publication, PublishedTable, publish_table
from transform.builds import Build, BuildRun, Param, lock_tables
from transform.case_universe import CASE_UNIVERSE
from transform.statements import ALL_ROWS, execute, rows_in_scope, run_template

RESIDUE_SQL = "queries/residue.sql"
RESIDUE_CASE_TABLE = PublishedTable("mart.residue_case", key=("egov_id",))
RESIDUE_SNAPSHOT_TABLE = PublishedTable("mart.backlog_residue_snapshot", key=("as_of_date", "unit_code"))
RESIDUE_SCOPE = "t.egov_id IN (SELECT egov_id FROM residue_scope)"
EGOV_IN_SCOPE = "e.egov_id IN (SELECT egov_id FROM residue_scope)"


def compute_residue_case(conn: Connection, run: BuildRun) -> Publication:
    """Publish `mart.residue_case`: backlog cases open on Egov that no migrated record links to; only the
    changed Egov cases are recomputed, unless a new local date (days open) or cutover rebuilds it all."""
    params = {"cutover": run.inputs.cutover, "as_of": run.inputs.as_of}
    if run.full:
        run.rows_read = run_template(conn, RESIDUE_SQL, "create_residue_new", params, egov_filter=ALL_ROWS)
        return publish_table(conn, RESIDUE_CASE_TABLE, "residue_new")
    run.rows_read = rows_in_scope(
        conn, RESIDUE_SQL, "residue_scope", "create_residue_new", params, egov_filter=EGOV_IN_SCOPE
    )
    return publish_table(conn, RESIDUE_CASE_TABLE, "residue_new", scope=RESIDUE_SCOPE)


def build_residue_snapshot(conn: Connection, as_of: datetime) -> Publication:
    """Publish the residue per unit of `as_of`'s local date from `mart.residue_case`."""
    lock_tables(conn, (RESIDUE_SNAPSHOT_TABLE.table,))
    execute(conn, RESIDUE_SQL, "create_snapshot_new", as_of=as_of)
    return publish_table(
        conn,
        RESIDUE_SNAPSHOT_TABLE,
        "snapshot_new",
        scope="t.as_of_date = :as_of_date",
        params={"as_of_date": local_date(as_of)},
    )


RESIDUE_CASE = Build(
    "residue_case", publishes="mart.residue_case", sql=(RESIDUE_SQL,), compute=compute_residue_case,
    after=CASE_UNIVERSE, params=(Param.CUTOVER, Param.AS_OF_DATE), shape=(RESIDUE_SCOPE, EGOV_IN_SCOPE),
)  # fmt: skip
