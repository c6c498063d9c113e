"""Named SQL statements read from the plain SQL files under `warehouse_sql/`.

A file is split into `-- name: xxx` sections. A section may be a template whose `{placeholders}` name
identifiers or fragments (tables, column lists) filled in with `psycopg.sql` composition; values are always
bound parameters (`:param`), never formatted into the text.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from psycopg import sql as pgsql
from sqlalchemy import TextClause, text

SQL_ROOT = Path(__file__).resolve().parent.parent / "warehouse_sql"
_NAME_LINE = re.compile(r"^--\s*name:\s*(?P<name>[a-z0-9_]+)\s*$", re.MULTILINE)


@cache
def named_statements(relative_path: str) -> dict[str, str]:
    """Split a SQL file (a path under `warehouse_sql/`, or an absolute one) into its `-- name:` sections; a
    name used twice is an error (the second would silently replace the first)."""
    body = (SQL_ROOT / relative_path).read_text(encoding="utf-8")
    marks = list(_NAME_LINE.finditer(body))
    if not marks:
        raise ValueError(f"{relative_path} has no '-- name:' sections")
    sections: dict[str, str] = {}
    for index, mark in enumerate(marks):
        name = mark.group("name")
        if name in sections:
            raise ValueError(f"{relative_path} names two statements {name!r}")
        end = marks[index + 1].start() if index + 1 < len(marks) else len(body)
        sections[name] = body[mark.end() : end].strip().rstrip(";")
    return sections


def sql_text(relative_path: str, name: str) -> str:
    """The raw text of one named statement."""
    statements = named_statements(relative_path)
    if name not in statements:
        raise KeyError(f"{relative_path} has no statement named {name!r}")
    return statements[name]


def sql(relative_path: str, name: str) -> TextClause:
    """One named statement as a SQLAlchemy text clause with `:param` bind parameters."""
    return text(sql_text(relative_path, name))


def render(relative_path: str, name: str, **parts: pgsql.Composable) -> str:
    """A named template with its `{placeholders}` filled by composed identifiers and fragments."""
    return pgsql.SQL(sql_text(relative_path, name)).format(**parts).as_string(None)


def identifier(qualified: str) -> pgsql.Identifier:
    """A possibly schema-qualified name (`mart.fact_case`) as a quoted identifier."""
    return pgsql.Identifier(*qualified.split("."))


def column_list(columns: tuple[str, ...] | list[str], prefix: str | None = None) -> pgsql.Composed:
    """`a, b, c` or, with a prefix, `p.a, p.b, p.c`."""
    return pgsql.SQL(", ").join(
        pgsql.Identifier(prefix, column) if prefix else pgsql.Identifier(column) for column in columns
    )
