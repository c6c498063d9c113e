"""Minimal warehouse rows for the data-quality tests: cases, officials, procedures, quarantine."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, text

CUTOVER = datetime.fromisoformat("2024-12-24T00:00:00+07:00")
T0 = datetime.fromisoformat("2025-03-03T08:00:00+07:00")

_FACT_CASE = text(
    "INSERT INTO mart.fact_case (case_key, source_system, procedure_code, unit_code, original_unit_code,"
    " channel, status_code, received_at, due_at, finished_at, has_result, has_e_result, is_digitized,"
    " payment, rating, has_apology, synced_national)"
    " VALUES (:case_key, :source_system, :procedure_code, :unit_code, :unit_code, :channel, :status_code,"
    " :received_at, :due_at, :finished_at, :has_result, false, false, :payment, :rating, :has_apology,"
    " :synced_national)"
)
_STAGING_CASE = text(
    "INSERT INTO staging.\"case\" (source_system, record_key, case_key, case_no, procedure_code, unit_code,"
    " status_code, is_terminal, received_at, due_at, finished_at, has_result, has_e_result, is_digitized,"
    " has_apology, synced_national, stop_reason, handlers, last_official, is_deleted, updated_at)"
    " VALUES (:source_system, :case_key, :case_key, :case_key, :procedure_code, :unit_code, :status_code,"
    " :status_code IN (3, 7, 8, 9, 10), :received_at, :due_at, :finished_at, :has_result, false, false,"
    " :has_apology, :synced_national, :stop_reason, :handlers, :last_official, false, :received_at)"
)


def add_case(
    conn: Connection,
    case_key: str,
    *,
    source_system: str = "newsys",
    status_code: int = 9,
    has_result: bool = True,
    has_apology: bool = True,
    synced_national: bool | None = True,
    procedure_code: str | None = "P1",
    received_at: datetime | None = T0,
    due_at: datetime | None = T0 + timedelta(days=10),
    finished_at: datetime | None = T0 + timedelta(days=5),
    stop_reason: str | None = None,
    handlers: tuple[str, ...] = (),
    channel: int | None = 2,
    payment: str | None = "online",
    rating: int | None = 1,
    staged: bool = True,
) -> None:
    """One case in `mart.fact_case` (and, when `staged`, its `staging.case` row)."""
    params = {
        "case_key": case_key, "source_system": source_system, "status_code": status_code,
        "has_result": has_result, "has_apology": has_apology, "synced_national": synced_national,
        "procedure_code": procedure_code, "received_at": received_at, "due_at": due_at,
        "finished_at": finished_at, "stop_reason": stop_reason, "handlers": list(handlers),
        "last_official": handlers[-1] if handlers else None, "unit_code": "U1", "channel": channel,
        "payment": payment, "rating": rating,
    }
    conn.execute(_FACT_CASE, params)
    if staged:
        conn.execute(_STAGING_CASE, params)


def add_procedure(conn: Connection, code: str) -> None:
    """One procedure of the catalogue."""
    conn.execute(
        text(
            "INSERT INTO raw.newsys_procedure (procedure_code, service_level, legal_days, has_fee, payload,"
            " fetched_at) VALUES (:code, 4, 10, true, '{}', now())"
        ),
        {"code": code},
    )


def add_official(
    conn: Connection, user_name: str, account_type: str = "VNEID", is_active: bool = True
) -> None:
    """One official of the new system."""
    conn.execute(
        text(
            "INSERT INTO raw.newsys_official (user_name, unit_code, account_type, is_active, payload,"
            " fetched_at) VALUES (:user_name, 'U1', :account_type, :is_active, '{}', now())"
        ),
        {"user_name": user_name, "account_type": account_type, "is_active": is_active},
    )


def add_egov_case(
    conn: Connection, egov_id: int, received_at: datetime, updated_at: datetime | None = None
) -> None:
    """One valid Egov case, last changed when it was received unless `updated_at` says otherwise."""
    conn.execute(
        text(
            "INSERT INTO raw.egov_case (egov_id, case_no, original_unit_code, status_code, is_terminal,"
            " received_at, due_at, has_result, has_e_result, is_digitized, has_apology, is_deleted,"
            " moved_flag, updated_at, payload, fetched_at)"
            " VALUES (:egov_id, 'SO-' || :egov_id, 'U1', 4, false, :received_at, :received_at, false, false,"
            " false, false, false, false, :updated_at, '{}', now())"
        ),
        {"egov_id": egov_id, "received_at": received_at, "updated_at": updated_at or received_at},
    )


def add_newsys_raw_case(conn: Connection, case_no: str, updated_at: datetime | None = None) -> None:
    """One landed new-system case record, last changed as it was landed unless `updated_at` says otherwise."""
    conn.execute(
        text(
            "INSERT INTO raw.newsys_case (case_no, status_code, is_terminal, has_result, has_e_result,"
            " is_digitized, has_apology, is_deleted, updated_at, payload, fetched_at)"
            " VALUES (:case_no, 4, false, false, false, false, false, false,"
            " coalesce(:updated_at, now()), '{}', now())"
        ),
        {"case_no": case_no, "updated_at": updated_at},
    )


def add_quarantine(conn: Connection, source: str, record_key: str, resolved: bool = False) -> None:
    """One quarantined case record of `source`, open unless `resolved`."""
    conn.execute(
        text(
            "INSERT INTO raw.quarantine (source, entity, record_key, reasons, payload, first_seen_at,"
            " last_changed_at, resolved_at)"
            " VALUES (:source, 'case', :record_key, ARRAY['bad_code:TrangThaiHoSo'], '{}', now(), now(),"
            " CASE WHEN :resolved THEN now() END)"
        ),
        {"source": source, "record_key": record_key, "resolved": resolved},
    )


_FACT_PETITION = text(
    "INSERT INTO mart.fact_petition (petition_key, unit_code, original_unit_code, channel, transferred_in,"
    " case_no, case_key, status_code, sent_at, accepted_at, start_at, handle_due_at, has_answer,"
    " has_reject_reason, likes, dislikes)"
    " VALUES (:petition_key, 'U1', 'U1', 1, false, :case_no, :case_key, :status_code, :t0, :t0, :t0,"
    " :t0 + interval '10 days', :has_answer, :has_reject_reason, 0, 0)"
)
_FACT_RATING = text(
    "INSERT INTO mart.fact_rating (rating_key, case_no, case_key, channel, rated_at, level, by_applicant,"
    " in_force) VALUES (:rating_key, :case_no, :case_key, 1, :t0, :level, true, :in_force)"
)


def add_petition(
    conn: Connection, petition_key: str, *, status_code: int = 6, has_answer: bool = True,
    has_reject_reason: bool = False, case_no: str | None = None, case_key: str | None = None,
) -> None:  # fmt: skip
    """One petition in `mart.fact_petition` (sent, accepted and started at T0, due 10 days later)."""
    conn.execute(_FACT_PETITION, {
        "petition_key": petition_key, "status_code": status_code, "has_answer": has_answer,
        "has_reject_reason": has_reject_reason, "case_no": case_no, "case_key": case_key, "t0": T0,
    })  # fmt: skip


def add_rating(
    conn: Connection, rating_key: str, case_no: str, *, level: int = 1, in_force: bool = True,
    known: bool = True,
) -> None:  # fmt: skip
    """One rating in `mart.fact_rating` at T0 (its case_key is its case_no when `known`)."""
    conn.execute(_FACT_RATING, {
        "rating_key": rating_key, "case_no": case_no, "case_key": case_no if known else None, "level": level,
        "in_force": in_force, "t0": T0,
    })  # fmt: skip
