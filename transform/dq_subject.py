"""The subject of the row-level data-quality rules (`staging.dq_subject`): per rule, one row per record in its
scope with its verdict, computed in SQL (`DQ_SUBJECT`, run by the registry); GX validates it
(`expectations.run`)."""

from __future__ import annotations

from sqlalchemy import Connection, text

from core.sql_files import sql, sql_text
from resources.publication import Publication
from resources.table_versions import raise_version
from transform.builds import Build, BuildRun, Param
from transform.case_universe import FACTS
from transform.petitions import PETITION_FACTS, RATINGS_IN_FORCE
from transform.statements import ALL_ROWS, run_template

DQ_SUBJECT_SQL = "queries/dq_subject.sql"
HANDLERS_SQL = "queries/case_handlers.sql"
SUBJECT_TABLE = "staging.dq_subject"
EVERY_RECORD = {
    "case_filter": ALL_ROWS,
    "egov_filter": ALL_ROWS,
    "raw_filter": ALL_ROWS,
    "quarantine_filter": ALL_ROWS,
    "petition_filter": ALL_ROWS,
    "rating_filter": ALL_ROWS,
    "rated_case_filter": ALL_ROWS,
}
SOURCE_KEYS = "(SELECT record_key FROM subject_source_key WHERE source_system = '{source}')"
CHANGED_NEWSYS_CASES = f"n.case_no IN {SOURCE_KEYS.format(source='newsys')}"
CHANGED_RECORDS = {
    "subject_case_rules": {"case_filter": "f.case_key IN (SELECT case_key FROM subject_case)"},
    "subject_official_account_vneid": {},
    "subject_egov_no_receipt_after_cutover": {
        "egov_filter": "e.case_no IN (SELECT case_no FROM subject_egov)"
    },
    "subject_newsys_case_quarantine_rate": {
        "raw_filter": CHANGED_NEWSYS_CASES,
        "quarantine_filter": f"q.record_key IN {SOURCE_KEYS.format(source='newsys')}",
    },
    "subject_egov_case_quarantine_rate": {
        "raw_filter": "e.egov_id IN (SELECT egov_id FROM subject_source_key WHERE source_system = 'egov')",
        "quarantine_filter": f"q.record_key IN {SOURCE_KEYS.format(source='egov')}",
    },
    "subject_newsys_case_ahead_of_clock": {"raw_filter": CHANGED_NEWSYS_CASES},
    "subject_egov_case_ahead_of_clock": {"egov_filter": "e.case_no IN (SELECT case_no FROM subject_egov)"},
    "subject_petition_rules": {
        "petition_filter": "p.petition_key IN (SELECT record_key FROM subject_petition)"
    },
    "subject_rating_case_exists": {
        "rating_filter": "r.rating_key IN (SELECT record_key FROM subject_rating)"
    },
    "subject_case_rating_matches_rating_in_force": {
        "rated_case_filter": "i.case_key IN (SELECT case_key FROM subject_rated_case)"
    },
}
SUBJECT_STATEMENTS = tuple(CHANGED_RECORDS)
SUBJECT_SCOPES = (
    "subject_case", "subject_egov", "subject_source_key", "subject_petition", "subject_rating",
    "subject_rated_case",
)  # fmt: skip
ALL_HANDLERS = sql_text(HANDLERS_SQL, "of_fact_case")
MAINTAINED_HANDLERS = sql_text(HANDLERS_SQL, "maintained")


def compute_dq_subject(conn: Connection, run: BuildRun) -> Publication:
    """Bring `staging.dq_subject` up to date: in full, or for the records the pending changes touch (and the
    officials' rule, over the maintained handlers); a change raises the subject's version."""
    params = {"cutover_at": run.inputs.cutover}
    published = Publication()
    if run.full:
        conn.execute(sql(DQ_SUBJECT_SQL, "clear_subject"))
        for name in SUBJECT_STATEMENTS:
            run.rows_read += run_template(
                conn, DQ_SUBJECT_SQL, name, params, handler_names=ALL_HANDLERS,
                ratings_in_force=RATINGS_IN_FORCE, **EVERY_RECORD,
            )
        published = Publication(inserted=run.rows_read)
    elif run.changes:
        for table in SUBJECT_SCOPES:
            conn.execute(sql(DQ_SUBJECT_SQL, f"create_{table}"))
            conn.execute(text(f"ANALYZE {table}"))
        deleted = conn.execute(sql(DQ_SUBJECT_SQL, "delete_subject_changed")).rowcount
        for name, filters in CHANGED_RECORDS.items():
            records = EVERY_RECORD | filters
            run.rows_read += run_template(
                conn, DQ_SUBJECT_SQL, name, params, handler_names=MAINTAINED_HANDLERS,
                ratings_in_force=RATINGS_IN_FORCE, **records,
            )
        published = Publication(inserted=run.rows_read, deleted=deleted)
    if published.rows_written or run.full:
        conn.execute(sql(DQ_SUBJECT_SQL, "analyze_subject"))
        raise_version(conn, SUBJECT_TABLE)
    return published


DQ_SUBJECT = Build(
    "dq_subject", publishes=SUBJECT_TABLE, sql=(DQ_SUBJECT_SQL,), compute=compute_dq_subject,
    after=(*FACTS, *PETITION_FACTS),
    params=(Param.CUTOVER,),
    shape=(repr(EVERY_RECORD), repr(CHANGED_RECORDS), ALL_HANDLERS, MAINTAINED_HANDLERS, RATINGS_IN_FORCE),
)  # fmt: skip
