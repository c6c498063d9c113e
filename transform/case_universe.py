"""Set-based builds of the case universe: `staging.case` with current units, the links of migrated records,
and `mart.fact_case`.

Each `build_*` function runs inside the caller's transaction, so a build publishes all of its changes or none;
it first locks the tables it writes, so two overlapping runs publish one after the other.
"""

from __future__ import annotations

from typing import Any

from psycopg import sql as pgsql
from sqlalchemy import Connection, text

from core.sql_files import render, sql
from resources.difference import Changes, Published, publish_difference
from resources.table_versions import raise_version
from transform.changes import (
    BuildPlan,
    log_full_rebuild,
    plan_build,
    plan_case_build,
    prune_logs,
    save_cursor,
)

STAGING_SQL = "queries/staging_case.sql"
FACT_CASE_SQL = "queries/fact_case.sql"
FACT_CASE = Published("mart.fact_case", key=("case_key",))


def normalised_case_no(value: str) -> str:
    """A case number upper-cased with every character that is not a letter or digit (Unicode) removed."""
    return "".join(ch for ch in value.upper() if ch.isalnum())


def run(conn: Connection, path: str, name: str, **params: Any) -> int:
    """Execute one named statement; return its row count."""
    return conn.execute(sql(path, name), params).rowcount


def rows(conn: Connection, path: str, name: str, **params: Any) -> list[dict[str, Any]]:
    """Fetch the rows of one named query as dictionaries."""
    return [dict(row) for row in conn.execute(sql(path, name), params).mappings()]


def run_template(
    conn: Connection, path: str, name: str, params: dict[str, Any] | None = None, **parts: str
) -> int:
    """Execute one named template with its `{placeholders}` filled by SQL fragments; return its row count."""
    fragments = {key: pgsql.SQL(value) for key, value in parts.items()}  # type: ignore[arg-type]
    return conn.execute(text(render(path, name, **fragments)), params or {}).rowcount


def rows_in_scope(
    conn: Connection,
    path: str,
    scope: str,
    template: str,
    params: dict[str, Any] | None = None,
    **filters: str,
) -> int:
    """Build the temp table `scope` of what the changes affect (`create_<scope>`, analysed), then run the
    build `template` filtered to it; return the rows it computed."""
    run(conn, path, f"create_{scope}")
    run(conn, path, f"analyze_{scope}")
    return run_template(conn, path, template, params, **filters)


def key_case_numbers(conn: Connection, query: str = "select_unkeyed_case_numbers") -> int:
    """Store the normalised form of non-ASCII case numbers not yet keyed; return how many were added."""
    values = conn.execute(sql(STAGING_SQL, query)).scalars().all()
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


ALL_ROWS = "true"
AFFECTED_NEWSYS = "n.case_no IN (SELECT record_key FROM affected_case WHERE source_system = 'newsys')"
AFFECTED_EGOV = "e.egov_id IN (SELECT egov_id FROM affected_case WHERE source_system = 'egov')"


def build_staging_case(conn: Connection, *, full: bool = False) -> dict[str, Any]:
    """Bring units, case-number keys and `staging.case` up to date with the landed changes (or rebuild).

    Returns the build plan, counts and unit problems.
    """
    run(conn, STAGING_SQL, "lock_staging")
    plan = plan_build(conn, "staging_case", raw=True, full_requested=full)
    if plan.full:
        keyed, problems = _rebuild_staging_case(conn, plan)
    else:
        keyed, problems = _update_staging_case(conn, plan)
    if plan.rows_written:
        raise_version(conn, "staging.case")
    save_cursor(conn, plan)
    prune_logs(conn, plan.horizon)
    counts = rows(conn, STAGING_SQL, "case_counts") if plan.rows_written else None
    return {"plan": plan, "counts": counts, "unit_problems": problems, "keyed": keyed}


def _rebuild_staging_case(conn: Connection, plan: BuildPlan) -> tuple[int, list[dict[str, Any]]]:
    """Rebuild every staging case from the raw tables and tell later builds to rebuild too."""
    keyed = key_case_numbers(conn)
    problems = build_unit_current(conn)
    run(conn, STAGING_SQL, "truncate_case")
    plan.rows_read = run_template(
        conn, STAGING_SQL, "insert_case", newsys_filter=ALL_ROWS, egov_filter=ALL_ROWS
    )
    plan.rows_written = plan.rows_read
    run(conn, STAGING_SQL, "analyze_case")
    run(conn, STAGING_SQL, "truncate_handlers")
    run(conn, STAGING_SQL, "insert_all_handlers")
    log_full_rebuild(conn, "staging_case")
    return keyed, problems


def _update_staging_case(conn: Connection, plan: BuildPlan) -> tuple[int, list[dict[str, Any]]]:
    """Replace the staging cases of the landed keys and of the units whose current unit changed.

    Their old and new versions go to `staging.change_log`, with the officials, procedures and quarantined
    keys that changed.
    """
    run(conn, STAGING_SQL, "create_affected_case")
    run(conn, STAGING_SQL, "affect_landed_cases")
    units_changed = bool(conn.execute(sql(STAGING_SQL, "units_changed")).scalar())
    if units_changed:
        run(conn, STAGING_SQL, "snapshot_unit_current")
        problems = build_unit_current(conn)
        run(conn, STAGING_SQL, "create_changed_unit")
        run(conn, STAGING_SQL, "affect_unit_cases")
        run(conn, STAGING_SQL, "forward_unit_changes")
    else:
        problems = rows(conn, STAGING_SQL, "unit_problems")
    run(conn, STAGING_SQL, "analyze_affected_case")
    keyed = key_case_numbers(conn, "select_unkeyed_affected_case_numbers")
    logged_old = run(conn, STAGING_SQL, "log_affected_case_versions")
    deleted = run(conn, STAGING_SQL, "delete_affected_cases")
    inserted = run_template(
        conn, STAGING_SQL, "insert_case", newsys_filter=AFFECTED_NEWSYS, egov_filter=AFFECTED_EGOV
    )
    run(conn, STAGING_SQL, "log_affected_case_versions")
    run(conn, STAGING_SQL, "delete_affected_handlers")
    run(conn, STAGING_SQL, "insert_affected_handlers")
    run(conn, STAGING_SQL, "forward_source_changes")
    plan.rows_read = logged_old + inserted
    plan.rows_written = deleted + inserted
    plan.extra["units_changed"] = units_changed
    return keyed, problems


CASE_LINK = Published("staging.case_link", key=("new_case_id",))
LINK_SCOPE = "t.new_case_id IN (SELECT new_case_id FROM link_scope)"


def build_case_link(conn: Connection, *, full: bool = False) -> BuildPlan:
    """Link the migrated records to the Egov cases they copy: all of them, or those the changes affect."""
    run(conn, STAGING_SQL, "lock_case_link")
    plan = plan_build(conn, "case_link", upstream=("staging_case",), full_requested=full)
    if plan.full:
        run_template(conn, STAGING_SQL, "create_link_new", migrated_filter=ALL_ROWS)
        run(conn, STAGING_SQL, "delete_case_link")
        plan.rows_written = plan.rows_read = run(conn, STAGING_SQL, "insert_case_link")
        raise_version(conn, CASE_LINK.table)
        run(conn, STAGING_SQL, "analyze_case_link")
        log_full_rebuild(conn, "case_link")
    else:
        plan.rows_read = rows_in_scope(
            conn, STAGING_SQL, "link_scope", "create_link_new",
            migrated_filter="record_key IN (SELECT new_case_id FROM link_scope)",
        )
        run(conn, STAGING_SQL, "log_link_changes")
        changes = publish_difference(conn, CASE_LINK, "link_new", scope=LINK_SCOPE)
        plan.rows_written = changes.inserted + changes.updated + changes.deleted
    save_cursor(conn, plan)
    return plan


FACT_SCOPE = "t.case_key IN (SELECT case_key FROM fact_scope)"


def build_fact_case(conn: Connection, pii_hash_key: str, *, full: bool = False) -> Changes:
    """Publish `mart.fact_case` from staging and the links, all of it or the rows the changes affect, with
    applicant keys made under `pii_hash_key` (a parameter of the build statements only).

    A key that changed since the last build rebuilds every row. Counts per source and the build plan go in
    `extra`; changed row versions go to `staging.change_log`.
    """
    key = {"applicant_hash_key": pii_hash_key.encode("utf-8")}
    run(conn, FACT_CASE_SQL, "lock_fact_case")
    rotated = bool(conn.execute(sql(FACT_CASE_SQL, "applicant_key_changed"), key).scalar())
    plan = plan_case_build(conn, "fact_case", full=full or rotated)
    if rotated and not full:
        plan.reason = "PII_HASH_KEY changed since the last build"
    if plan.full:
        plan.rows_read = run_template(
            conn, FACT_CASE_SQL, "create_fact_case_new", key, newsys_filter=ALL_ROWS, egov_filter=ALL_ROWS
        )
        changes = publish_difference(conn, FACT_CASE, "fact_case_new")
        log_full_rebuild(conn, "fact_case")
    else:
        plan.rows_read = rows_in_scope(
            conn, FACT_CASE_SQL, "fact_scope", "create_fact_case_new", key,
            newsys_filter="n.record_key IN (SELECT case_key FROM fact_scope)",
            egov_filter="e.case_key IN (SELECT case_key FROM fact_scope)",
        )
        run(conn, FACT_CASE_SQL, "log_fact_changes")
        changes = publish_difference(conn, FACT_CASE, "fact_case_new", scope=FACT_SCOPE)
    plan.rows_written = changes.inserted + changes.updated + changes.deleted
    save_cursor(conn, plan)
    changes.extra["plan"] = plan
    changes.extra["counts"] = rows(conn, FACT_CASE_SQL, "fact_case_counts") if plan.rows_written else None
    return changes
