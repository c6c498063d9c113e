"""The Egov backlog reconciliation, computed in SQL and published (`RECONCILIATION`, run by the registry)."""

from __future__ import annotations

from sqlalchemy import Connection, text

from resources.publication import Publication, PublishedTable, publish_table
from transform.builds import Build, BuildRun, Param
from transform.case_universe import CASE_UNIVERSE
from transform.statements import ALL_ROWS, execute, rows, run_template

RECONCILIATION_SQL = "queries/reconciliation.sql"
BACKLOG_OUTCOMES = ("finished_in_egov", "residue", "migrated", "migrated_mismatch", "double_handled")
EXTRA_OUTCOMES = ("duplicate_migrated", "orphan_migrated")
RECONCILIATION_TABLE = PublishedTable(
    "mart.backlog_reconciliation", key=("new_case_id", "legacy_case_no"), ranked=True
)
RECON_SCOPE_TEMPLATE = (
    "({alias}.legacy_case_no IN (SELECT case_no FROM recon_case_no)"
    " OR {alias}.new_case_id IN (SELECT record_key FROM recon_record))"
)
RECON_SCOPE_TABLES = ("recon_case_no", "recon_record", "recon_egov", "recon_migrated")
EGOV_IN_SCOPE = "egov_id IN (SELECT egov_id FROM recon_egov)"
MIGRATED_IN_SCOPE = "m.record_key IN (SELECT record_key FROM recon_migrated)"


def compute_reconciliation(conn: Connection, run: BuildRun) -> Publication:
    """Publish `mart.backlog_reconciliation` from staging: all of it, or the rows the changes affect."""
    params = {"cutover": run.inputs.cutover}
    if run.full:
        run.rows_read = run_template(
            conn, RECONCILIATION_SQL, "create_reconciliation_result", params,
            egov_filter=ALL_ROWS, migrated_filter=ALL_ROWS, result_filter=ALL_ROWS,
        )  # fmt: skip
        return publish_table(conn, RECONCILIATION_TABLE, "recon_result")
    for table in RECON_SCOPE_TABLES:
        execute(conn, RECONCILIATION_SQL, f"create_{table}")
        conn.execute(text(f"ANALYZE {table}"))
    run.rows_read = run_template(
        conn, RECONCILIATION_SQL, "create_reconciliation_result", params,
        egov_filter=EGOV_IN_SCOPE, migrated_filter=MIGRATED_IN_SCOPE,
        result_filter=RECON_SCOPE_TEMPLATE.format(alias="r"),
    )  # fmt: skip
    scope = RECON_SCOPE_TEMPLATE.format(alias="t")
    return publish_table(conn, RECONCILIATION_TABLE, "recon_result", scope=scope)


def outcome_counts(conn: Connection) -> dict[str, int]:
    """The published rows per outcome, every outcome named (0 when it has none)."""
    found = {row["outcome"]: row["cases"] for row in rows(conn, RECONCILIATION_SQL, "outcome_counts")}
    return {outcome: found.get(outcome, 0) for outcome in BACKLOG_OUTCOMES + EXTRA_OUTCOMES}


RECONCILIATION = Build(
    "backlog_reconciliation", publishes="mart.backlog_reconciliation", sql=(RECONCILIATION_SQL,),
    compute=compute_reconciliation, after=CASE_UNIVERSE, params=(Param.CUTOVER,),
    shape=(RECON_SCOPE_TEMPLATE, EGOV_IN_SCOPE, MIGRATED_IN_SCOPE),
)  # fmt: skip
