"""Table versions: a counter per table raised in the transaction that changes its rows."""

from __future__ import annotations

from sqlalchemy import Connection

from core.sql_files import sql

TABLE_VERSIONS_SQL = "queries/table_versions.sql"


def raise_version(conn: Connection, table_name: str) -> None:
    """Record, in the caller's transaction, that the rows of `table_name` changed."""
    conn.execute(sql(TABLE_VERSIONS_SQL, "raise_version"), {"table_name": table_name})


def current_version(conn: Connection, table_name: str) -> int:
    """The version of `table_name` (0 before its first recorded change)."""
    found = conn.execute(sql(TABLE_VERSIONS_SQL, "current_version"), {"table_name": table_name})
    return int(found.scalar_one())
