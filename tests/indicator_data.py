"""A small hand-made case universe for the indicator and report tests, with minimal source tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from psycopg import sql as pgsql
from sqlalchemy import Connection, text

from resources.warehouse import WarehouseResource, driver_connection

VN = ZoneInfo("Asia/Ho_Chi_Minh")
AS_OF = datetime(2025, 8, 15, 10, 0, tzinfo=VN)

SOURCE_RELATIONS = (
    "mart.fact_case",
    "staging.case",
    "staging.unit_current",
    "mart.backlog_residue_snapshot",
    "mart.backlog_reconciliation",
)

SOURCE_DDL = """
CREATE TABLE mart.fact_case (
    case_key text PRIMARY KEY, source_system text, legacy_case_no text, procedure_code text,
    unit_code text, original_unit_code text, channel smallint, status_code smallint,
    received_at timestamptz, due_at timestamptz, finished_at timestamptz, returned_at timestamptz,
    has_result boolean, has_e_result boolean, is_digitized boolean, payment text, rating smallint,
    has_apology boolean, synced_national boolean, applicant_key text);
CREATE TABLE staging.case (
    source_system text, case_key text, handlers text[], last_official text, is_deleted boolean,
    stop_reason text);
CREATE TABLE staging.unit_current (unit_code text, current_unit_code text, hops integer);
CREATE TABLE mart.backlog_residue_snapshot (as_of_date date, unit_code text, residue_count integer);
CREATE TABLE mart.backlog_reconciliation (
    legacy_case_no text, new_case_id text, outcome text, match_method text, mismatch_fields text,
    unit_code text, received_at timestamptz);
"""

INSERT_FACT_CASE = text(
    "INSERT INTO mart.fact_case (case_key, source_system, unit_code, original_unit_code, channel,"
    " status_code, received_at, due_at, finished_at, has_result, has_e_result, is_digitized, payment,"
    " rating, has_apology, synced_national) VALUES (:case_key, :source_system, :unit_code,"
    " :original_unit_code, :channel, :status_code, :received_at, :due_at, :finished_at, :has_result,"
    " :has_e_result, :is_digitized, :payment, :rating, :has_apology, :synced_national)"
)


def at(text_time: str) -> datetime:
    """A local (Asia/Ho_Chi_Minh) time from 'YYYY-MM-DD HH:MM'."""
    return datetime.strptime(text_time, "%Y-%m-%d %H:%M").replace(tzinfo=VN)


def case(
    key: str, unit: str, status: int, received: str, due: str, finished: str | None, **flags: Any
) -> dict:
    """One fact_case row; flags override the defaults (new system, in person, nothing set)."""
    row = {
        "case_key": key, "source_system": "newsys", "unit_code": unit, "original_unit_code": unit,
        "channel": 1, "status_code": status, "received_at": at(received), "due_at": at(due),
        "finished_at": at(finished) if finished else None, "has_result": finished is not None,
        "has_e_result": False, "is_digitized": False, "payment": None, "rating": None,
        "has_apology": False, "synced_national": True,
    }  # fmt: skip
    row.update(flags)
    return row


CASES = [
    case("C1", "U1", 10, "2025-05-10 09:00", "2025-05-20 17:00", "2025-05-18 10:00", channel=2,
         payment="online", is_digitized=True, has_e_result=True, rating=1),
    case("C2", "U1", 4, "2025-05-25 09:00", "2025-06-10 17:00", None, payment="offline"),
    case("C3", "U3", 9, "2025-06-02 08:00", "2025-06-09 17:00", "2025-06-09 17:00", channel=2,
         is_digitized=True, rating=3, synced_national=False),
    case("C4", "U3", 10, "2025-06-03 08:00", "2025-06-05 17:00", "2025-06-12 09:00", has_e_result=True,
         has_apology=True),
    case("C5", "U1", 10, "2025-06-20 08:00", "2025-07-05 17:00", "2025-07-03 09:00", original_unit_code="U2",
         channel=2, payment="online", is_digitized=True, has_e_result=True, rating=2),
    case("EGOV:E6", "U3", 9, "2025-05-05 08:00", "2025-05-15 17:00", "2025-05-30 09:00", source_system="egov",
         channel=3, payment="offline", rating=2, synced_national=None),
    case("C7", "U1", 1, "2025-07-10 08:00", "2025-07-20 17:00", None, channel=2),
    case("C8", "U1", 3, "2025-08-01 08:00", "2025-08-10 17:00", "2025-08-02 08:00", channel=2),
    case("C9", "U1", 2, "2025-08-05 08:00", "2025-08-20 17:00", None, channel=2, payment="online",
         is_digitized=True, synced_national=False),
    case("C10", "U3", 8, "2025-07-15 08:00", "2025-07-20 17:00", "2025-07-25 08:00"),
]  # fmt: skip

STAGING_CASES = [
    ("newsys", "C1", ["alice", "bob"], "bob"),
    ("newsys", "C2", ["alice"], "alice"),
    ("newsys", "C3", ["bob"], "bob"),
    ("newsys", "C4", ["bob"], "bob"),
    ("newsys", "C5", ["alice", "carol"], "carol"),
    ("egov", "EGOV:E6", ["erin"], "erin"),
    ("newsys", "C9", [], None),
    ("newsys", "C10", ["bob"], "bob"),
    ("newsys", "GONE", ["dave"], "dave"),
]

OFFICIALS = [
    ("alice", "U2", "VNEID", True),
    ("bob", "U3", "NOI_BO", True),
    ("carol", "U1", "VNEID", False),
    ("dave", "U1", "NOI_BO", True),
    ("erin", "U3", "VNEID", True),
]

UNITS = [("U1", "U1", 0), ("U2", "U1", 1), ("U3", "U3", 0)]


def drop_relation(conn: Connection, name: str) -> None:
    """Drop a table or view of that name, whatever it is, with what depends on it."""
    kind = conn.execute(
        text("SELECT c.relkind FROM pg_class c WHERE c.oid = to_regclass(:name)"), {"name": name}
    ).scalar()
    keyword = {"v": "VIEW", "m": "MATERIALIZED VIEW"}.get(kind or "", "TABLE")
    if kind is not None:
        statement = pgsql.SQL("DROP {} {} CASCADE").format(
            pgsql.SQL(keyword), pgsql.Identifier(*name.split("."))
        )
        driver_connection(conn).execute(statement)


def install_sources(warehouse: WarehouseResource) -> None:
    """Replace the upstream tables by minimal ones and load the hand-made cases."""
    with warehouse.begin() as conn:
        for name in SOURCE_RELATIONS:
            drop_relation(conn, name)
        conn.exec_driver_sql(SOURCE_DDL)
        insert_cases(conn, CASES)
        conn.execute(
            text("INSERT INTO staging.case VALUES (:s, :k, :h, :l, false)"),
            [{"s": s, "k": k, "h": h, "l": last} for s, k, h, last in STAGING_CASES],
        )
        conn.execute(
            text("INSERT INTO staging.unit_current VALUES (:u, :c, :h)"),
            [{"u": u, "c": c, "h": h} for u, c, h in UNITS],
        )
        conn.execute(
            text(
                "INSERT INTO raw.newsys_official"
                " (user_name, unit_code, account_type, is_active, payload, fetched_at)"
                " VALUES (:n, :u, :t, :a, '{}', now())"
            ),
            [{"n": n, "u": u, "t": t, "a": a} for n, u, t, a in OFFICIALS],
        )


def insert_cases(conn: Connection, rows: list[dict]) -> None:
    """Insert fact_case rows."""
    conn.execute(INSERT_FACT_CASE, rows)


def install_backlog(warehouse: WarehouseResource) -> None:
    """A small backlog history: reconciliation rows and residue snapshots for the burn-down."""
    with warehouse.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO mart.backlog_reconciliation"
                " (legacy_case_no, new_case_id, outcome, unit_code, received_at)"
                " VALUES (:l, :n, :o, :u, :r)"
            ),
            [
                {"l": "E6", "n": None, "o": "finished_in_egov", "u": "U3", "r": at("2024-12-20 08:00")},
                {"l": "E7", "n": None, "o": "residue", "u": "U3", "r": at("2024-12-21 08:00")},
                {"l": "E8", "n": "C5", "o": "migrated", "u": "U1", "r": at("2024-12-22 08:00")},
            ],
        )
        conn.execute(
            text("INSERT INTO mart.backlog_residue_snapshot VALUES (:d, :u, :c)"),
            [
                {"d": "2025-06-01", "u": "U3", "c": 3},
                {"d": "2025-07-01", "u": "U3", "c": 2},
                {"d": "2025-08-01", "u": "U3", "c": 1},
            ],
        )
