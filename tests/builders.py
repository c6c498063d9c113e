"""Row builders for the raw landing tables: every NOT NULL column filled with a harmless default."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from ingest.rows import EGOV_CASE_COLUMNS, NEWSYS_CASE_COLUMNS, CaseRow

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
CUTOVER = datetime(2024, 12, 24, tzinfo=LOCAL)
FETCHED = datetime(2025, 6, 1, 8, 0, tzinfo=LOCAL)
_egov_ids = count(1)
RECONCILIATION_COLUMNS = (
    "legacy_case_no", "new_case_id", "outcome", "match_method", "mismatch_fields", "unit_code", "received_at",
)
SELECT_RECONCILIATION = sa.text(
    "SELECT legacy_case_no, new_case_id, outcome, match_method, mismatch_fields, unit_code, received_at"
    " FROM mart.backlog_reconciliation"
)
_JSON_TYPES = {"payload": JSONB, "handlers": ARRAY(sa.Text)}


def local(year: int, month: int, day: int, hour: int = 8, minute: int = 0, second: int = 0) -> datetime:
    """A local Asia/Ho_Chi_Minh time."""
    return datetime(year, month, day, hour, minute, second, tzinfo=LOCAL)


CASE_DEFAULTS = CaseRow(
    case_no="",
    legacy_case_no_raw=None,
    origin=None,
    procedure_code="P1",
    procedure_name=None,
    field_code=None,
    original_unit_code="U1",
    channel=1,
    status_code=4,
    is_terminal=False,
    received_at=local(2024, 11, 5, 9, 30),
    due_at=local(2024, 11, 20, 17),
    finished_at=None,
    returned_at=None,
    has_result=False,
    has_e_result=False,
    is_digitized=False,
    payment=None,
    rating=None,
    has_apology=False,
    synced_national=None,
    stop_reason=None,
    applicant_id="001090000001",
    applicant_type=None,
    applicant_vneid=None,
    handlers=[],
    last_official=None,
    is_deleted=False,
    updated_at=FETCHED,
)
"""An open case received before the cutover, in the canonical row every landed case has."""


def _case(columns: tuple[str, ...], **values: Any) -> dict[str, Any]:
    """A raw case row of `columns` (plus the landing columns): the defaults with `values` over them."""
    row = CASE_DEFAULTS._replace(**values)
    row = row._replace(is_terminal=row.status_code in (3, 7, 8, 9, 10))
    if row.is_terminal and row.finished_at is None:
        row = row._replace(finished_at=local(2024, 12, 1, 10))
    fields = row._asdict()
    return {name: fields[name] for name in columns} | {"payload": {}, "fetched_at": FETCHED}


def egov_case(case_no: str, **values: Any) -> dict[str, Any]:
    """A valid Egov case row; terminal when `status_code` is 3 or 7..10 (finished_at then defaults)."""
    return _case(EGOV_CASE_COLUMNS, case_no=case_no, **{"egov_id": next(_egov_ids), **values})


def newsys_case(case_no: str, **values: Any) -> dict[str, Any]:
    """A valid new-system case row (a new case unless `origin='EGOV'`)."""
    return _case(NEWSYS_CASE_COLUMNS, case_no=case_no, **{"origin": "MOI", "synced_national": True, **values})


def migrated_case(case_no: str, legacy_case_no_raw: str | None, **values: Any) -> dict[str, Any]:
    """A new-system record migrated from Egov, received like the default Egov case."""
    return newsys_case(case_no, origin="EGOV", legacy_case_no_raw=legacy_case_no_raw, **values)


def unit(unit_code: str, successor_code: str | None = None, **values: Any) -> dict[str, Any]:
    """A unit catalogue row."""
    return {
        "unit_code": unit_code,
        "name": unit_code,
        "level": "SO",
        "successor_code": successor_code,
        "payload": {},
        "fetched_at": FETCHED,
        **values,
    }


def insert(conn: Connection, table_name: str, *records: dict[str, Any]) -> None:
    """Insert rows (all with the same columns) into `raw.<table_name>`."""
    for record in records:
        columns = [sa.column(name, _JSON_TYPES.get(name)) for name in record]
        conn.execute(sa.insert(sa.table(table_name, *columns, schema="raw")).values(**record))


def reconciliation_multiset(rows: Iterable[Mapping[str, Any]]) -> Counter:
    """Reconciliation rows (published or expected) as a multiset of tuples in contract column order."""
    return Counter(tuple(row[column] for column in RECONCILIATION_COLUMNS) for row in rows)
