"""Set-based builds of the case universe, the backlog reconciliation and the residue, on one connection.

Each `build_*` function runs inside the caller's transaction, so a build publishes all of its changes or none;
it first locks the tables it writes, so two overlapping runs publish one after the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from resources.sql_files import sql

STAGING_SQL = "queries/staging_case.sql"
RECONCILIATION_SQL = "queries/reconciliation.sql"
FACT_CASE_SQL = "queries/fact_case.sql"
RESIDUE_SQL = "queries/residue.sql"
BACKLOG_OUTCOMES = ("finished_in_egov", "residue", "migrated", "migrated_mismatch", "double_handled")
EXTRA_OUTCOMES = ("duplicate_migrated", "orphan_migrated")


def normalised_case_no(value: str) -> str:
    """A case number upper-cased with every character that is not a letter or digit (Unicode) removed."""
    return "".join(ch for ch in value.upper() if ch.isalnum())


@dataclass
class Changes:
    """Rows a publication inserted, updated and deleted."""

    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def as_metadata(self) -> dict[str, int]:
        """The three counts, for Dagster metadata."""
        return {"rows_inserted": self.inserted, "rows_updated": self.updated, "rows_deleted": self.deleted}


def run(conn: Connection, path: str, name: str, **params: Any) -> int:
    """Execute one named statement; return its row count."""
    return conn.execute(sql(path, name), params).rowcount


def rows(conn: Connection, path: str, name: str, **params: Any) -> list[dict[str, Any]]:
    """Fetch the rows of one named query as dictionaries."""
    return [dict(row) for row in conn.execute(sql(path, name), params).mappings()]


def apply_difference(conn: Connection, path: str, table: str) -> Changes:
    """Run the `delete_gone_`, `update_changed_` and `insert_new_` statements of one table."""
    deleted = run(conn, path, f"delete_gone_{table}")
    updated = run(conn, path, f"update_changed_{table}")
    inserted = run(conn, path, f"insert_new_{table}")
    return Changes(inserted=inserted, updated=updated, deleted=deleted)


def key_case_numbers(conn: Connection) -> int:
    """Store the normalised form of non-ASCII case numbers not yet keyed; return how many were added."""
    values = conn.execute(sql(STAGING_SQL, "select_unkeyed_case_numbers")).scalars().all()
    if values:
        conn.execute(
            sql(STAGING_SQL, "insert_case_no_key"),
            [{"case_no": value, "case_no_norm": normalised_case_no(value)} for value in values],
        )
    return len(values)


def build_unit_current(conn: Connection) -> list[dict[str, Any]]:
    """Resolve every catalogue unit to its current unit; return the problems found."""
    run(conn, STAGING_SQL, "create_unit_walk")
    for name in ("delete_unit_current", "insert_unit_current", "delete_unit_problem", "insert_unit_problem"):
        run(conn, STAGING_SQL, name)
    return rows(conn, STAGING_SQL, "unit_problems")


def build_staging_case(conn: Connection) -> dict[str, Any]:
    """Rebuild units, case-number keys and `staging.case`; return counts and unit problems."""
    run(conn, STAGING_SQL, "lock_staging")
    keyed = key_case_numbers(conn)
    problems = build_unit_current(conn)
    run(conn, STAGING_SQL, "truncate_case")
    run(conn, STAGING_SQL, "insert_case")
    run(conn, STAGING_SQL, "analyze_case")
    return {"counts": rows(conn, STAGING_SQL, "case_counts"), "unit_problems": problems, "keyed": keyed}


def build_case_link(conn: Connection) -> int:
    """Link every migrated record to the Egov case it copies; return the number of links."""
    run(conn, STAGING_SQL, "lock_case_link")
    run(conn, STAGING_SQL, "delete_case_link")
    linked = run(conn, STAGING_SQL, "insert_case_link")
    run(conn, STAGING_SQL, "analyze_case_link")
    return linked


def build_reconciliation(conn: Connection, cutover: datetime) -> Changes:
    """Publish `mart.backlog_reconciliation` from staging; the outcome counts go in `extra`."""
    run(conn, RECONCILIATION_SQL, "lock_reconciliation")
    run(conn, RECONCILIATION_SQL, "create_reconciliation_result", cutover=cutover)
    run(conn, RECONCILIATION_SQL, "create_reconciliation_new")
    run(conn, RECONCILIATION_SQL, "create_reconciliation_old")
    changes = apply_difference(conn, RECONCILIATION_SQL, "reconciliation")
    counts = {row["outcome"]: row["cases"] for row in rows(conn, RECONCILIATION_SQL, "outcome_counts")}
    changes.extra["outcomes"] = {
        outcome: counts.get(outcome, 0) for outcome in BACKLOG_OUTCOMES + EXTRA_OUTCOMES
    }
    return changes


def build_fact_case(conn: Connection) -> Changes:
    """Publish `mart.fact_case` from staging and the links; counts per source go in `extra`."""
    run(conn, FACT_CASE_SQL, "lock_fact_case")
    run(conn, FACT_CASE_SQL, "create_fact_case_new")
    changes = apply_difference(conn, FACT_CASE_SQL, "fact_case")
    changes.extra["counts"] = rows(conn, FACT_CASE_SQL, "fact_case_counts")
    return changes


def build_residue_case(conn: Connection, cutover: datetime, as_of: datetime) -> Changes:
    """Publish `mart.residue_case`: backlog cases open on Egov that no migrated record links to."""
    run(conn, RESIDUE_SQL, "lock_residue_case")
    run(conn, RESIDUE_SQL, "create_residue_new", cutover=cutover, as_of=as_of)
    return apply_difference(conn, RESIDUE_SQL, "residue_case")


def build_residue_snapshot(conn: Connection, as_of: datetime) -> Changes:
    """Publish the residue per unit of `as_of`'s local date from `mart.residue_case`; rows go in `extra`."""
    run(conn, RESIDUE_SQL, "lock_snapshot")
    run(conn, RESIDUE_SQL, "create_snapshot_new", as_of=as_of)
    changes = Changes(deleted=run(conn, RESIDUE_SQL, "delete_gone_snapshot", as_of=as_of))
    changes.updated = run(conn, RESIDUE_SQL, "update_changed_snapshot")
    changes.inserted = run(conn, RESIDUE_SQL, "insert_new_snapshot")
    changes.extra["by_unit"] = rows(conn, RESIDUE_SQL, "residue_by_unit")
    return changes
