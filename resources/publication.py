"""Publishing a table: one function, and one SQL template, for every table a build publishes (every mart but
the validation history `mart.dq_results`, which is appended to).

The caller computes the table's new rows into a temp table with the same columns; `publish_table` then
deletes what is gone, updates what changed and inserts what is new, in the caller's transaction, so a re-run
with unchanged inputs changes no row. Columns are read from the catalogue, so a table's column list is
written only in its migration.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from psycopg import sql as pgsql
from sqlalchemy import Connection, text

from core.sql_files import column_list, identifier, render, sql
from resources.table_versions import raise_version

PUBLICATION_SQL = "queries/publication.sql"


@dataclass(frozen=True)
class PublishedTable:
    """A published table: its key (unique unless `ranked`) and the columns written only on insert."""

    table: str
    key: tuple[str, ...]
    insert_only: tuple[str, ...] = ()
    ranked: bool = False


@dataclass(frozen=True)
class Publication:
    """The rows one publication inserted, updated and deleted."""

    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    version_raised: bool = False

    @property
    def rows_written(self) -> int:
        """Every row it inserted, updated or deleted."""
        return self.inserted + self.updated + self.deleted

    def as_metadata(self) -> dict[str, int]:
        """The three counts, for Dagster metadata."""
        return {"rows_inserted": self.inserted, "rows_updated": self.updated, "rows_deleted": self.deleted}


@dataclass(frozen=True)
class _Column:
    name: str
    not_null: bool
    is_text: bool


def _columns(conn: Connection, table: str) -> list[_Column]:
    """The table's columns in order, with nullability and whether they are text."""
    found = conn.execute(sql(PUBLICATION_SQL, "table_columns"), {"table": table}).all()
    if not found:
        raise ValueError(f"{table} has no columns (does it exist?)")
    return [_Column(row.name, row.not_null, row.type_name == "text") for row in found]


def _key_expression(alias: str, column: _Column) -> pgsql.Composable:
    """A key column as it is matched: a nullable text key compares its nulls as ''."""
    ref = pgsql.Identifier(alias, column.name)
    return ref if column.not_null or not column.is_text else pgsql.SQL("coalesce({}, '')").format(ref)


def _key_match(keys: list[_Column]) -> pgsql.Composable:
    """`t.k = n.k AND ...` (nullable non-text keys with IS NOT DISTINCT FROM)."""
    terms = []
    for column in keys:
        operator = "=" if column.not_null or column.is_text else "IS NOT DISTINCT FROM"
        left, right = _key_expression("t", column), _key_expression("n", column)
        terms.append(pgsql.SQL("{} " + operator + " {}").format(left, right))
    return pgsql.SQL(" AND ").join(terms)


def _parts(conn: Connection, table: PublishedTable, new: str, scope: str) -> dict[str, pgsql.Composable]:
    """The template's fragments for one publication."""
    columns = _columns(conn, table.table)
    keys = [column for column in columns if column.name in table.key]
    if len(keys) != len(table.key):
        raise ValueError(f"{table.table}: key {table.key} is not a set of its columns")
    values = [column.name for column in columns if column.name not in table.key + table.insert_only]
    names = [column.name for column in columns]
    return {
        "target": identifier(table.table),
        "new": pgsql.Identifier(new),
        "ranked_new": pgsql.Identifier(f"{new}_ranked"),
        "ranked_old": pgsql.Identifier(f"{new}_old_ranked"),
        "scope": pgsql.SQL(scope),
        "match": _key_match(keys),
        "n_keys": pgsql.SQL(", ").join(_key_expression("n", column) for column in keys),
        "t_keys": pgsql.SQL(", ").join(_key_expression("t", column) for column in keys),
        "assignments": pgsql.SQL(", ").join(
            pgsql.SQL("{} = {}").format(pgsql.Identifier(name), pgsql.Identifier("n", name))
            for name in values
        ),
        "t_values": column_list(values, "t"),
        "n_values": column_list(values, "n"),
        "columns": column_list(names),
        "n_columns": column_list(names, "n"),
    }


def publish_table(
    conn: Connection, table: PublishedTable, new: str, *, scope: str = "true",
    params: dict[str, Any] | None = None,
) -> Publication:
    """Make `table` (within `scope`, a condition on alias `t`) equal to the rows of temp table `new`; a change
    raises the table's version."""
    parts = _parts(conn, table, new, scope)
    bound = params or {}

    def run(name: str) -> int:
        return conn.execute(text(render(PUBLICATION_SQL, name, **parts)), bound).rowcount

    if not table.ranked:
        deleted, updated = run("delete_gone"), run("update_changed")
        publication = Publication(deleted=deleted, updated=updated, inserted=run("insert_new"))
    else:
        run("rank_new")
        run("rank_old")
        deleted = run("delete_gone_ranked")
        updated = run("update_changed_ranked")
        publication = Publication(deleted=deleted, updated=updated, inserted=run("insert_new_ranked"))
    if publication.rows_written:
        raise_version(conn, table.table)
        publication = replace(publication, version_raised=True)
    return publication
