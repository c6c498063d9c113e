"""The builds of the petitions and ratings marts: `mart.fact_petition` and `mart.fact_rating`.

Both are published from the raw landing as a difference, in full or for the rows the pending changes affect:
the landed keys the staging build forwards, the petitions and ratings of a changed case (their `case_key`),
and for petitions a change of the current units. The changed rows' old and new images go to
`staging.change_log` (`petition_fact`, `rating_fact`) for the indicators and the data-quality subject.
"""

from __future__ import annotations

from sqlalchemy import Connection

from core.sql_files import sql_text
from resources.publication import Publication, PublishedTable, publish_table
from transform.builds import Build, BuildRun
from transform.case_universe import FACTS
from transform.statements import ALL_ROWS, execute, rows_in_scope, run_template

FACT_PETITION_SQL = "queries/fact_petition.sql"
FACT_RATING_SQL = "queries/fact_rating.sql"
RATINGS_IN_FORCE = sql_text(FACT_RATING_SQL, "ratings_in_force")
"""Each case's rating in force (the contract's rule, written once), a fragment for the queries needing it."""
FACT_PETITION_TABLE = PublishedTable("mart.fact_petition", key=("petition_key",))
FACT_RATING_TABLE = PublishedTable("mart.fact_rating", key=("rating_key",))
PETITION_SCOPE = "t.petition_key IN (SELECT petition_key FROM petition_scope)"
PETITION_IN_SCOPE = "p.petition_key IN (SELECT petition_key FROM petition_scope)"
RATING_SCOPE = "t.rating_key IN (SELECT rating_key FROM rating_scope)"
RATING_IN_SCOPE = "r.rating_key IN (SELECT rating_key FROM rating_scope)"


def compute_fact_petition(conn: Connection, run: BuildRun) -> Publication:
    """Publish `mart.fact_petition`, all of it or the petitions the changes affect, logging their images."""
    if run.full:
        run.rows_read = run_template(
            conn, FACT_PETITION_SQL, "create_fact_petition_new", petition_filter=ALL_ROWS
        )
        return publish_table(conn, FACT_PETITION_TABLE, "fact_petition_new")
    run.rows_read = rows_in_scope(
        conn, FACT_PETITION_SQL, "petition_scope", "create_fact_petition_new",
        petition_filter=PETITION_IN_SCOPE,
    )  # fmt: skip
    execute(conn, FACT_PETITION_SQL, "log_petition_changes")
    return publish_table(conn, FACT_PETITION_TABLE, "fact_petition_new", scope=PETITION_SCOPE)


def compute_fact_rating(conn: Connection, run: BuildRun) -> Publication:
    """Publish `mart.fact_rating`, all of it or the ratings the changes affect, logging their images."""
    if run.full:
        run.rows_read = run_template(conn, FACT_RATING_SQL, "create_fact_rating_new", rating_filter=ALL_ROWS)
        return publish_table(conn, FACT_RATING_TABLE, "fact_rating_new")
    run.rows_read = rows_in_scope(
        conn, FACT_RATING_SQL, "rating_scope", "create_fact_rating_new", rating_filter=RATING_IN_SCOPE
    )
    execute(conn, FACT_RATING_SQL, "log_rating_changes")
    return publish_table(conn, FACT_RATING_TABLE, "fact_rating_new", scope=RATING_SCOPE)


FACT_PETITION = Build(
    "fact_petition", publishes=FACT_PETITION_TABLE.table, sql=(FACT_PETITION_SQL,),
    compute=compute_fact_petition, after=FACTS, shape=(PETITION_SCOPE, PETITION_IN_SCOPE),
)  # fmt: skip
FACT_RATING = Build(
    "fact_rating", publishes=FACT_RATING_TABLE.table, sql=(FACT_RATING_SQL,),
    compute=compute_fact_rating, after=FACTS, shape=(RATING_SCOPE, RATING_IN_SCOPE),
)  # fmt: skip
PETITION_FACTS = ("fact_petition", "fact_rating")
