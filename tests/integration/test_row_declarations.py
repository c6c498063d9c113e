"""The raw tables of the migrations have exactly the columns the row declarations (`ingest/rows.py`) name,
with types that fit them; every canonical case column reaches `staging.case` or is declared not staged."""

from __future__ import annotations

import types
import typing
from datetime import datetime

import pytest
from sqlalchemy import text

from ingest.entities import (
    EGOV_CASE,
    NEWSYS_CASE,
    NEWSYS_OFFICIAL,
    NEWSYS_PETITION,
    NEWSYS_PROCEDURE,
    NEWSYS_RATING,
    NEWSYS_UNIT,
    EntitySpec,
)
from ingest.rows import LANDING_COLUMNS, CaseRow, OfficialRow, PetitionRow, ProcedureRow, RatingRow, UnitRow
from resources.warehouse import WarehouseResource

TYPES_OF = {
    str: {"text"},
    int: {"smallint", "integer", "bigint"},
    bool: {"boolean"},
    datetime: {"timestamp with time zone"},
    list[str]: {"text[]"},
}
ROWS_OF = {
    NEWSYS_CASE: CaseRow, EGOV_CASE: CaseRow, NEWSYS_OFFICIAL: OfficialRow, NEWSYS_PROCEDURE: ProcedureRow,
    NEWSYS_UNIT: UnitRow, NEWSYS_PETITION: PetitionRow, NEWSYS_RATING: RatingRow,
}
NOT_STAGED = {
    "procedure_name", "field_code", "applicant_type", "applicant_vneid", "moved_flag",
}
COLUMNS = text(
    "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute AS a"
    " WHERE a.attrelid = CAST(:table AS regclass) AND a.attnum > 0 AND NOT a.attisdropped"
)


def python_type(annotation: object) -> object:
    """The declared type without `| None`."""
    if isinstance(annotation, types.UnionType):
        return next(arg for arg in typing.get_args(annotation) if arg is not type(None))
    return annotation


def table_columns(warehouse: WarehouseResource, table: str) -> dict[str, str]:
    """Column name → SQL type of a table."""
    with warehouse.begin() as conn:
        return dict(conn.execute(COLUMNS, {"table": table}).tuples().all())


@pytest.mark.parametrize("spec", list(ROWS_OF), ids=lambda spec: spec.table)
def test_raw_table_has_the_declared_columns(warehouse: WarehouseResource, spec: EntitySpec) -> None:
    columns = table_columns(warehouse, spec.table)
    assert set(columns) == set(spec.columns)
    assert spec.columns[-len(LANDING_COLUMNS):] == LANDING_COLUMNS
    hints = typing.get_type_hints(ROWS_OF[spec])
    for name in spec.row_columns:
        assert columns[name] in TYPES_OF[python_type(hints[name])], name


def test_every_case_column_reaches_staging_or_is_declared_not_staged(warehouse: WarehouseResource) -> None:
    staged = set(table_columns(warehouse, "staging.case"))
    missing = {name for name in CaseRow._fields if name not in staged} - NOT_STAGED
    assert missing == set()


def test_every_landed_entity_has_its_row_declared() -> None:
    from assets.raw import RAW_ENTITIES

    assert {entity.spec for entity in RAW_ENTITIES} == set(ROWS_OF)


@pytest.mark.parametrize("spec", [NEWSYS_PETITION, NEWSYS_RATING], ids=lambda spec: spec.table)
def test_every_column_of_the_feedback_tables_says_what_it_holds(
    warehouse: WarehouseResource, spec: EntitySpec
) -> None:
    with warehouse.begin() as conn:
        comments = dict(
            conn.execute(
                text(
                    "SELECT a.attname, col_description(a.attrelid, a.attnum) FROM pg_attribute AS a"
                    " WHERE a.attrelid = CAST(:table AS regclass) AND a.attnum > 0 AND NOT a.attisdropped"
                ),
                {"table": spec.table},
            ).tuples().all()
        )
        table_comment = conn.execute(
            text("SELECT obj_description(CAST(:table AS regclass), 'pg_class')"), {"table": spec.table}
        ).scalar()
    assert set(comments) == set(spec.columns)
    assert [name for name, comment in comments.items() if not comment] == []
    assert table_comment and ("personal data" in table_comment or "free text" in table_comment)
