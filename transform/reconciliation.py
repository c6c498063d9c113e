"""The Egov backlog reconciliation, computed in SQL and published as a difference."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, text

from resources.difference import Changes, Published, publish_difference
from transform.case_universe import ALL_ROWS, rows, run, run_template
from transform.changes import plan_case_build, save_cursor

RECONCILIATION_SQL = "queries/reconciliation.sql"
BACKLOG_OUTCOMES = ("finished_in_egov", "residue", "migrated", "migrated_mismatch", "double_handled")
EXTRA_OUTCOMES = ("duplicate_migrated", "orphan_migrated")
RECONCILIATION = Published("mart.backlog_reconciliation", key=("new_case_id", "legacy_case_no"), ranked=True)
RECON_SCOPE_TEMPLATE = (
    "({alias}.legacy_case_no IN (SELECT case_no FROM recon_case_no)"
    " OR {alias}.new_case_id IN (SELECT record_key FROM recon_record))"
)
RECON_SCOPE_TABLES = ("recon_case_no", "recon_record", "recon_egov", "recon_migrated")


def build_reconciliation(conn: Connection, cutover: datetime, *, full: bool = False) -> Changes:
    """Publish `mart.backlog_reconciliation` from staging, all of it or the rows the changes affect.

    The outcome counts and the build plan go in `extra`.
    """
    run(conn, RECONCILIATION_SQL, "lock_reconciliation")
    plan = plan_case_build(conn, "backlog_reconciliation", full=full, cutover=cutover)
    params = {"cutover": cutover}
    if plan.full:
        plan.rows_read = run_template(
            conn,
            RECONCILIATION_SQL,
            "create_reconciliation_result",
            params,
            egov_filter=ALL_ROWS,
            migrated_filter=ALL_ROWS,
            result_filter=ALL_ROWS,
        )
        changes = publish_difference(conn, RECONCILIATION, "recon_result")
    else:
        for table in RECON_SCOPE_TABLES:
            run(conn, RECONCILIATION_SQL, f"create_{table}")
            conn.execute(text(f"ANALYZE {table}"))
        plan.rows_read = run_template(
            conn,
            RECONCILIATION_SQL,
            "create_reconciliation_result",
            params,
            egov_filter="egov_id IN (SELECT egov_id FROM recon_egov)",
            migrated_filter="m.record_key IN (SELECT record_key FROM recon_migrated)",
            result_filter=RECON_SCOPE_TEMPLATE.format(alias="r"),
        )
        scope = RECON_SCOPE_TEMPLATE.format(alias="t")
        changes = publish_difference(conn, RECONCILIATION, "recon_result", scope=scope)
    plan.rows_written = changes.inserted + changes.updated + changes.deleted
    save_cursor(conn, plan, cutover=cutover)
    changes.extra["plan"] = plan
    counts = {row["outcome"]: row["cases"] for row in rows(conn, RECONCILIATION_SQL, "outcome_counts")}
    changes.extra["outcomes"] = {
        outcome: counts.get(outcome, 0) for outcome in BACKLOG_OUTCOMES + EXTRA_OUTCOMES
    }
    return changes
