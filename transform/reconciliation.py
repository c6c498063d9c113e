"""The Egov backlog reconciliation, computed in SQL and published as a difference."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from resources.difference import Changes, Published, publish_difference
from transform.case_universe import rows, run

RECONCILIATION_SQL = "queries/reconciliation.sql"
BACKLOG_OUTCOMES = ("finished_in_egov", "residue", "migrated", "migrated_mismatch", "double_handled")
EXTRA_OUTCOMES = ("duplicate_migrated", "orphan_migrated")
RECONCILIATION = Published("mart.backlog_reconciliation", key=("new_case_id", "legacy_case_no"), ranked=True)


def build_reconciliation(conn: Connection, cutover: datetime) -> Changes:
    """Publish `mart.backlog_reconciliation` from staging; the outcome counts go in `extra`."""
    run(conn, RECONCILIATION_SQL, "lock_reconciliation")
    run(conn, RECONCILIATION_SQL, "create_reconciliation_result", cutover=cutover)
    changes = publish_difference(conn, RECONCILIATION, "recon_result")
    counts = {row["outcome"]: row["cases"] for row in rows(conn, RECONCILIATION_SQL, "outcome_counts")}
    changes.extra["outcomes"] = {
        outcome: counts.get(outcome, 0) for outcome in BACKLOG_OUTCOMES + EXTRA_OUTCOMES
    }
    return changes
