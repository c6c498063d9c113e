"""The builds of the case universe: `staging.case` with current units, the links of migrated records, and
`mart.fact_case`.

Each build is declared here (`STAGING_CASE`, `CASE_LINK`, `FACT_CASE`) and run by the registry's runner
(`transform.registry.run_build`), inside the caller's transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from core.sql_files import sql
from resources.publication import Publication, PublishedTable, publish_table
from transform.builds import Build, BuildInputs, BuildRun
from transform.change_log import Log, image_columns
from transform.statements import ALL_ROWS, execute, rows, rows_in_scope, run_template

STAGING_SQL = "queries/staging_case.sql"
CASE_LINK_SQL = "queries/case_link.sql"
FACT_CASE_SQL = "queries/fact_case.sql"
FACT_CASE_TABLE = PublishedTable("mart.fact_case", key=("case_key",))
STAGING_CASE_TABLE = "staging.case"
CASE_LINK_TABLE = PublishedTable("staging.case_link", key=("new_case_id",))
AFFECTED_NEWSYS = "n.case_no IN (SELECT record_key FROM affected_case WHERE source_system = 'newsys')"
AFFECTED_EGOV = "e.egov_id IN (SELECT egov_id FROM affected_case WHERE source_system = 'egov')"
LINK_SCOPE = "t.new_case_id IN (SELECT new_case_id FROM link_scope)"
LINKED_IN_SCOPE = "record_key IN (SELECT new_case_id FROM link_scope)"
FACT_SCOPE = "t.case_key IN (SELECT case_key FROM fact_scope)"
FACT_NEWSYS_IN_SCOPE = "n.record_key IN (SELECT case_key FROM fact_scope)"
FACT_EGOV_IN_SCOPE = "e.case_key IN (SELECT case_key FROM fact_scope)"


def normalised_case_no(value: str) -> str:
    """A case number upper-cased with every character that is not a letter or digit (Unicode) removed."""
    return "".join(ch for ch in value.upper() if ch.isalnum())


def key_case_numbers(conn: Connection, query: str = "select_unkeyed_case_numbers") -> int:
    """Store the normalised form of non-ASCII case numbers not yet keyed; return how many were added."""
    values = conn.execute(sql(STAGING_SQL, query)).scalars().all()
    if values:
        conn.execute(
            sql(STAGING_SQL, "insert_case_no_key"),
            [{"case_no": value, "case_no_norm": normalised_case_no(value)} for value in values],
        )
    return len(values)


def build_unit_current(conn: Connection) -> None:
    """Resolve every catalogue unit to its current unit, and record the cycles and broken chains."""
    execute(conn, STAGING_SQL, "create_unit_walk")
    for name in ("delete_unit_current", "insert_unit_current", "delete_unit_problem", "insert_unit_problem"):
        execute(conn, STAGING_SQL, name)


def unit_problems(conn: Connection) -> list[dict[str, Any]]:
    """The units whose successors loop or end nowhere."""
    return rows(conn, STAGING_SQL, "unit_problems")


def compute_staging_case(conn: Connection, run: BuildRun) -> Publication:
    """Bring case-number keys, current units and `staging.case` up to date with the landed changes."""
    if run.full:
        return _rebuild_staging_case(conn, run)
    return _update_staging_case(conn, run)


def _rebuild_staging_case(conn: Connection, run: BuildRun) -> Publication:
    """Rebuild every staging case and handler from the raw tables."""
    run.extra["non_ascii_case_numbers_keyed"] = key_case_numbers(conn)
    build_unit_current(conn)
    execute(conn, STAGING_SQL, "truncate_case")
    run.rows_read = run_template(
        conn, STAGING_SQL, "insert_case", newsys_filter=ALL_ROWS, egov_filter=ALL_ROWS
    )
    execute(conn, STAGING_SQL, "analyze_case")
    execute(conn, STAGING_SQL, "truncate_handlers")
    execute(conn, STAGING_SQL, "insert_all_handlers")
    return Publication(inserted=run.rows_read)


def _update_staging_case(conn: Connection, run: BuildRun) -> Publication:
    """Replace the staging cases of the landed keys and of the units whose current unit changed.

    Their old and new versions go to `staging.change_log`, with the officials, procedures and quarantined
    keys that changed, and whether the current units did.
    """
    execute(conn, STAGING_SQL, "create_affected_case")
    execute(conn, STAGING_SQL, "affect_landed_cases")
    units_changed = bool(conn.execute(sql(STAGING_SQL, "units_changed")).scalar())
    if units_changed:
        execute(conn, STAGING_SQL, "snapshot_unit_current")
        build_unit_current(conn)
        execute(conn, STAGING_SQL, "create_changed_unit")
        execute(conn, STAGING_SQL, "affect_unit_cases")
        execute(conn, STAGING_SQL, "forward_unit_changes")
    execute(conn, STAGING_SQL, "analyze_affected_case")
    keyed = key_case_numbers(conn, "select_unkeyed_affected_case_numbers")
    logged_old = execute(conn, STAGING_SQL, "log_affected_case_versions")
    deleted = execute(conn, STAGING_SQL, "delete_affected_cases")
    inserted = run_template(
        conn, STAGING_SQL, "insert_case", newsys_filter=AFFECTED_NEWSYS, egov_filter=AFFECTED_EGOV
    )
    execute(conn, STAGING_SQL, "log_affected_case_versions")
    execute(conn, STAGING_SQL, "delete_affected_handlers")
    execute(conn, STAGING_SQL, "insert_affected_handlers")
    execute(conn, STAGING_SQL, "forward_source_changes")
    run.rows_read = logged_old + inserted
    run.extra |= {"non_ascii_case_numbers_keyed": keyed, "units_changed": units_changed}
    return Publication(inserted=inserted, deleted=deleted)


def compute_case_link(conn: Connection, run: BuildRun) -> Publication:
    """Link the migrated records to the Egov cases they copy: all of them, or those the changes affect."""
    if run.full:
        run_template(conn, CASE_LINK_SQL, "create_link_new", migrated_filter=ALL_ROWS)
        execute(conn, CASE_LINK_SQL, "delete_case_link")
        run.rows_read = execute(conn, CASE_LINK_SQL, "insert_case_link")
        execute(conn, CASE_LINK_SQL, "analyze_case_link")
        return Publication(inserted=run.rows_read)
    run.rows_read = rows_in_scope(
        conn, CASE_LINK_SQL, "link_scope", "create_link_new", migrated_filter=LINKED_IN_SCOPE
    )
    execute(conn, CASE_LINK_SQL, "log_link_changes")
    return publish_table(conn, CASE_LINK_TABLE, "link_new", scope=LINK_SCOPE)


def applicant_key(inputs: BuildInputs) -> dict[str, bytes]:
    """The bind parameter of the applicant key (PII_HASH_KEY, UTF-8 bytes), for the build statements only."""
    return {"applicant_hash_key": inputs.pii_hash_key.encode("utf-8")}


def applicant_key_rotated(conn: Connection, inputs: BuildInputs) -> str | None:
    """Why fact_case must rebuild in full when a published applicant key was made under another key."""
    if conn.execute(sql(FACT_CASE_SQL, "applicant_key_changed"), applicant_key(inputs)).scalar():
        return "PII_HASH_KEY changed since the last build"
    return None


def compute_fact_case(conn: Connection, run: BuildRun) -> Publication:
    """Publish `mart.fact_case` from staging and the links, all of it or the rows the changes affect, with
    applicant keys made under the run's key (a parameter of the build statements only); the changed rows'
    old and new images go to `staging.change_log`."""
    key = applicant_key(run.inputs)
    if run.full:
        run.rows_read = run_template(
            conn, FACT_CASE_SQL, "create_fact_case_new", key, newsys_filter=ALL_ROWS, egov_filter=ALL_ROWS
        )
        return publish_table(conn, FACT_CASE_TABLE, "fact_case_new")
    run.rows_read = rows_in_scope(
        conn, FACT_CASE_SQL, "fact_scope", "create_fact_case_new", key,
        newsys_filter=FACT_NEWSYS_IN_SCOPE, egov_filter=FACT_EGOV_IN_SCOPE,
    )  # fmt: skip
    images = {"image_columns": image_columns(), "d_image_columns": image_columns("d")}
    run_template(conn, FACT_CASE_SQL, "log_fact_changes", **images)
    return publish_table(conn, FACT_CASE_TABLE, "fact_case_new", scope=FACT_SCOPE)


STAGING_CASE = Build(
    "staging_case", publishes=STAGING_CASE_TABLE, sql=(STAGING_SQL,), compute=compute_staging_case,
    reads=Log.RAW,
    writes=("staging.case_no_key", "staging.unit_current", "staging.unit_problem", "staging.case_handler"),
    shape=(AFFECTED_NEWSYS, AFFECTED_EGOV),
)  # fmt: skip
CASE_LINK = Build(
    "case_link", publishes="staging.case_link", sql=(CASE_LINK_SQL,), compute=compute_case_link,
    after=("staging_case",), shape=(LINK_SCOPE, LINKED_IN_SCOPE),
)  # fmt: skip
CASE_UNIVERSE = ("staging_case", "case_link")
FACT_CASE = Build(
    "fact_case", publishes="mart.fact_case", sql=(FACT_CASE_SQL,), compute=compute_fact_case,
    after=CASE_UNIVERSE, shape=(FACT_SCOPE, FACT_NEWSYS_IN_SCOPE, FACT_EGOV_IN_SCOPE),
    rebuild_when=applicant_key_rotated,
)  # fmt: skip
FACTS = (*CASE_UNIVERSE, "fact_case")
