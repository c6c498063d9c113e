"""Running the named statements of `warehouse_sql/queries/` on a connection: plain, as rows, as templates."""

from __future__ import annotations

from typing import Any

from psycopg import sql as pgsql
from sqlalchemy import Connection, text

from core.sql_files import render, sql

ALL_ROWS = "true"


def execute(conn: Connection, path: str, name: str, **params: Any) -> int:
    """Execute one named statement; return its row count."""
    return conn.execute(sql(path, name), params).rowcount


def rows(conn: Connection, path: str, name: str, **params: Any) -> list[dict[str, Any]]:
    """Fetch the rows of one named query as dictionaries."""
    return [dict(row) for row in conn.execute(sql(path, name), params).mappings()]


def run_template(
    conn: Connection, path: str, name: str, params: dict[str, Any] | None = None,
    **parts: str | pgsql.Composable,
) -> int:
    """Execute one named template with its `{placeholders}` filled by SQL fragments (text, or composed
    identifiers); return its row count."""
    fragments = {key: pgsql.SQL(value) if isinstance(value, str) else value for key, value in parts.items()}
    return conn.execute(text(render(path, name, **fragments)), params or {}).rowcount


def template_rows(
    conn: Connection, path: str, name: str, params: dict[str, Any] | None = None,
    **parts: str | pgsql.Composable,
) -> list[dict[str, Any]]:
    """Fetch the rows of one named template, its `{placeholders}` filled, as dictionaries."""
    fragments = {key: pgsql.SQL(value) if isinstance(value, str) else value for key, value in parts.items()}
    return [dict(row) for row in conn.execute(text(render(path, name, **fragments)), params or {}).mappings()]


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
    execute(conn, path, f"create_{scope}")
    execute(conn, path, f"analyze_{scope}")
    return run_template(conn, path, template, params, **filters)
