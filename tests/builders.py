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

from ingest.rows import EGOV_CASE_COLUMNS, NEWSYS_CASE_COLUMNS, CaseRow, PetitionRow, RatingRow

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


PETITION_DEFAULTS = PetitionRow(
    petition_key="", channel=3, transfer_source=None, transferred_in=False, sender_name="Nguyễn Văn A",
    sender_id="001090000001", sender_phone="0900000000", sender_email=None, sender_type="1",
    is_anonymous=False, title="Phản ánh", content="Hồ sơ chậm", original_unit_code="U1", procedure_code=None,
    case_no=None, classification=1, related_petition_no=None, status_code=2,
    sent_at=local(2025, 3, 3, 8), transferred_at=None, accepted_at=local(2025, 3, 3, 9),
    start_at=local(2025, 3, 3, 8), reject_due_at=local(2025, 3, 5, 17),
    supplement_due_at=local(2025, 3, 10, 17), handle_due_at=local(2025, 3, 24, 17), publish_due_at=None,
    rejected_at=None, reject_reason=None,
    has_reject_reason=False, first_request_at=None, moved_out_at=None, handled_at=None, published_at=None,
    ended_at=None, answer=None, answer_file=None, has_answer=False, answer_rating=None, likes=0, dislikes=0,
    synced_national=True, is_deleted=False, updated_at=FETCHED,
)  # fmt: skip
"""A petition sent and accepted on 3/3/2025 (status 2, open), in the canonical row every landed one has."""


def petition(petition_key: str, **values: Any) -> dict[str, Any]:
    """A raw petition row: the defaults with `values` over them; `start_at` follows `transferred_at` or
    `sent_at` unless given, as the landing sets it."""
    row = PETITION_DEFAULTS._replace(petition_key=petition_key, **values)
    if "start_at" not in values:
        row = row._replace(start_at=row.transferred_at or row.sent_at)
    return row._asdict() | {"payload": {}, "fetched_at": FETCHED}


def rating(rating_key: str, case_no: str, **values: Any) -> dict[str, Any]:
    """A raw rating row (in force, level 2, by the applicant, at 1/4/2025) with `values` over the defaults."""
    row = RatingRow(
        rating_key=rating_key, case_no=case_no, channel=1, rated_at=local(2025, 4, 1, 10), level=2,
        comment="Tốt", by_applicant=True, in_force=True, is_deleted=False, updated_at=FETCHED,
    )._replace(**values)  # fmt: skip
    return row._asdict() | {"payload": {}, "fetched_at": FETCHED}


def insert(conn: Connection, table_name: str, *records: dict[str, Any]) -> None:
    """Insert rows (all with the same columns) into `raw.<table_name>`."""
    for record in records:
        columns = [sa.column(name, _JSON_TYPES.get(name)) for name in record]
        conn.execute(sa.insert(sa.table(table_name, *columns, schema="raw")).values(**record))


def reconciliation_multiset(rows: Iterable[Mapping[str, Any]]) -> Counter:
    """Reconciliation rows (published or expected) as a multiset of tuples in contract column order."""
    return Counter(tuple(row[column] for column in RECONCILIATION_COLUMNS) for row in rows)
