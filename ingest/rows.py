"""The canonical rows that source records are parsed into: one declaration per landed entity.

Each class is the column list of its raw table (before the landing columns `payload`, `fetched_at`,
`run_id`): the parsers build these rows, the loader COPYs their fields, the landing SQL is rendered from them
and the tests build rows with them; a test checks the raw tables of the migrations against them.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

LANDING_COLUMNS = ("payload", "fetched_at", "run_id")


class CaseRow(NamedTuple):
    """A case of either system in one shape (`raw.newsys_case`, `raw.egov_case`)."""

    case_no: str
    legacy_case_no_raw: str | None
    origin: str | None
    procedure_code: str | None
    procedure_name: str | None
    field_code: str | None
    original_unit_code: str | None
    channel: int | None
    status_code: int | None
    is_terminal: bool
    received_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None
    returned_at: datetime | None
    has_result: bool
    has_e_result: bool
    is_digitized: bool
    payment: str | None
    rating: int | None
    has_apology: bool
    synced_national: bool | None
    stop_reason: str | None
    applicant_id: str | None
    applicant_type: str | None
    applicant_vneid: bool | None
    handlers: list[str]
    last_official: str | None
    is_deleted: bool
    updated_at: datetime | None
    egov_id: int | None = None
    moved_flag: bool = False


EGOV_ONLY_CASE_COLUMNS = ("egov_id", "moved_flag")
NEWSYS_CASE_COLUMNS = tuple(name for name in CaseRow._fields if name not in EGOV_ONLY_CASE_COLUMNS)
EGOV_CASE_COLUMNS = CaseRow._fields


class OfficialRow(NamedTuple):
    """An official's account (`raw.newsys_official`)."""

    user_name: str
    full_name: str | None
    unit_code: str | None
    account_type: str | None
    vneid_level: str | None
    is_active: bool
    updated_at: datetime | None


class ProcedureRow(NamedTuple):
    """A procedure of the TTHC catalogue (`raw.newsys_procedure`)."""

    procedure_code: str
    name: str | None
    field_code: str | None
    field_name: str | None
    service_level: int | None
    legal_days: int | None
    has_fee: bool


class UnitRow(NamedTuple):
    """A handling unit with its successor (`raw.newsys_unit`)."""

    unit_code: str
    name: str | None
    level: str | None
    successor_code: str | None
    ceased_at: datetime | None


class PetitionRow(NamedTuple):
    """A petition (phản ánh, kiến nghị) of the new system (`raw.newsys_petition`).

    The sender (name, ID number, phone, e-mail) and the free texts (title, text, reject reason, answer) are
    personal data: they stay in `raw`, and no mart carries them.
    """

    petition_key: str
    channel: int | None
    transfer_source: str | None
    transferred_in: bool
    sender_name: str | None
    sender_id: str | None
    sender_phone: str | None
    sender_email: str | None
    sender_type: str | None
    is_anonymous: bool
    title: str | None
    content: str | None
    original_unit_code: str | None
    procedure_code: str | None
    case_no: str | None
    classification: int | None
    related_petition_no: str | None
    status_code: int | None
    sent_at: datetime | None
    transferred_at: datetime | None
    accepted_at: datetime | None
    start_at: datetime | None
    reject_due_at: datetime | None
    supplement_due_at: datetime | None
    handle_due_at: datetime | None
    publish_due_at: datetime | None
    rejected_at: datetime | None
    reject_reason: str | None
    has_reject_reason: bool
    first_request_at: datetime | None
    moved_out_at: datetime | None
    handled_at: datetime | None
    published_at: datetime | None
    ended_at: datetime | None
    answer: str | None
    answer_file: str | None
    has_answer: bool
    answer_rating: int | None
    likes: int
    dislikes: int
    synced_national: bool
    is_deleted: bool
    updated_at: datetime | None


class RatingRow(NamedTuple):
    """An applicant's rating of a case (`raw.newsys_rating`); the comment is free text and stays in `raw`."""

    rating_key: str
    case_no: str
    channel: int | None
    rated_at: datetime | None
    level: int | None
    comment: str | None
    by_applicant: bool
    in_force: bool
    is_deleted: bool
    updated_at: datetime | None
