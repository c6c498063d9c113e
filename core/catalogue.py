"""The warehouse's data dictionary: each table's comment and columns (type, nullability, the `COMMENT ON
COLUMN` text of the migrations), and the table each asset publishes.

The code location must load without a database, so the dictionary is read from `warehouse_sql/catalogue.json`,
which is the migrated catalogue written out (`read_catalogue`); a test compares the two on a freshly migrated
warehouse and rewrites the file with `EGOV_SYNC_UPDATE_SNAPSHOTS=1` after a migration changed a table.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

import dagster as dg
from sqlalchemy import Connection

from core.sql_files import SQL_ROOT, sql

CATALOGUE_FILE = SQL_ROOT / "catalogue.json"
TABLE_LAYERS = ("raw", "staging", "mart")


@dataclass(frozen=True)
class Column:
    """One column of a warehouse table."""

    name: str
    type: str
    nullable: bool
    description: str | None


@dataclass(frozen=True)
class Table:
    """One warehouse table: its comment and its columns in order."""

    description: str | None
    columns: tuple[Column, ...]


def read_catalogue(conn: Connection) -> dict[str, Table]:
    """The tables of `raw`, `staging` and `mart` as the migrated warehouse describes them."""
    tables: dict[str, tuple[str | None, list[Column]]] = {}
    for row in conn.execute(sql("queries/catalogue.sql", "table_columns")):
        _, columns = tables.setdefault(row.table_name, (row.table_comment, []))
        columns.append(Column(row.column_name, row.column_type, row.nullable, row.column_comment))
    return {name: Table(comment, tuple(columns)) for name, (comment, columns) in tables.items()}


def catalogue_json(tables: dict[str, Table]) -> str:
    """The text of `catalogue.json` for these tables."""
    return json.dumps({name: asdict(table) for name, table in sorted(tables.items())}, indent=2,
                      ensure_ascii=False) + "\n"


@cache
def warehouse_catalogue() -> dict[str, Table]:
    """The data dictionary of `catalogue.json`."""
    stored: dict[str, Any] = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    return {
        name: Table(table["description"], tuple(Column(**column) for column in table["columns"]))
        for name, table in stored.items()
    }


def table_of(key: dg.AssetKey) -> str | None:
    """The warehouse table an asset publishes (`mart/fact_case` → `mart.fact_case`); None for a report."""
    return ".".join(key.path) if key.path[0] in TABLE_LAYERS else None
