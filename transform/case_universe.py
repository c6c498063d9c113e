"""Set-based builds of the case universe: `staging.case` with current units, the links of migrated records,
and `mart.fact_case`.

Each `build_*` function runs inside the caller's transaction, so a build publishes all of its changes or none;
it first locks the tables it writes, so two overlapping runs publish one after the other.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from core.sql_files import sql
from resources.difference import Changes, Published, publish_difference

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


def build_fact_case(conn: Connection, pii_hash_key: str) -> Changes:
    """Publish `mart.fact_case` from staging and the links, applicant keys made under `pii_hash_key`.

    The key travels as a parameter of the build statement only; counts per source go in `extra`.
    """
    run(conn, FACT_CASE_SQL, "lock_fact_case")
    run(conn, FACT_CASE_SQL, "create_fact_case_new", applicant_hash_key=pii_hash_key.encode("utf-8"))
    changes = publish_difference(conn, FACT_CASE, "fact_case_new")
    changes.extra["counts"] = rows(conn, FACT_CASE_SQL, "fact_case_counts")
    return changes
