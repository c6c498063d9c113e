"""Hand-made cases for the periodic TTHC report tests: a catalogue of two fields and a dozen cases."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import text

from resources.warehouse import WarehouseResource
from tests.indicator_data import VN, at

AS_OF = datetime(2026, 1, 10, 10, 0, tzinfo=VN)

PROCEDURES = [
    ("P1", "Cấp chứng chỉ hành nghề dược", "F1", "Dược phẩm"),
    ("P2", "Cấp giấy phép hoạt động khám bệnh, chữa bệnh", "F2", "Khám bệnh, chữa bệnh"),
]

INSERT_CASE = text(
    "INSERT INTO mart.fact_case (case_key, source_system, procedure_code, unit_code, original_unit_code,"
    " channel, status_code, received_at, due_at, finished_at, has_result, has_e_result, is_digitized,"
    " has_apology) VALUES (:case_key, 'newsys', :procedure_code, :unit_code, :original_unit_code, :channel,"
    " :status_code, :received_at, :due_at, :finished_at, :has_result, false, false, false)"
)
INSERT_PROCEDURE = text(
    "INSERT INTO raw.newsys_procedure (procedure_code, name, field_code, field_name, service_level,"
    " legal_days, has_fee, payload, fetched_at) VALUES (:code, :name, :field, :field_name, 4, 10, false,"
    " '{}', now())"
)


def period_case(
    key: str,
    unit: str,
    procedure: str,
    channel: int,
    status: int,
    received: str,
    due: str,
    finished: str | None,
    original_unit: str | None = None,
) -> dict[str, Any]:
    """One fact_case row of the period report tests."""
    return {
        "case_key": key, "procedure_code": procedure, "unit_code": unit,
        "original_unit_code": original_unit or unit, "channel": channel, "status_code": status,
        "received_at": at(received), "due_at": at(due), "finished_at": at(finished) if finished else None,
        "has_result": finished is not None,
    }  # fmt: skip


# Channels: 1 in person, 2 online, 3 postal. PX is not in the catalogue; U2 was merged into U1 mid-2025.
CASES = [
    period_case("L", "U1", "P1", 2, 10, "2024-12-20 09:00", "2025-01-05 17:00", "2025-01-03 10:00"),
    period_case("I", "U3", "P2", 2, 10, "2025-01-10 09:00", "2025-01-25 17:00", "2025-02-01 10:00"),
    period_case("A", "U1", "P1", 1, 10, "2025-03-20 09:00", "2025-04-10 17:00", "2025-04-08 10:00"),
    period_case("B", "U1", "P1", 2, 10, "2025-04-02 09:00", "2025-04-15 17:00", "2025-04-10 10:00"),
    period_case("C", "U3", "P2", 3, 9, "2025-05-05 09:00", "2025-05-20 17:00", "2025-05-20 15:00"),
    period_case("D", "U3", "P2", 1, 10, "2025-05-10 09:00", "2025-05-25 17:00", "2025-06-02 10:00"),
    period_case("E", "U1", "P1", 2, 10, "2025-06-20 09:00", "2025-07-10 17:00", "2025-07-08 10:00",
                original_unit="U2"),
    period_case("F", "U3", "PX", 1, 4, "2025-06-01 09:00", "2025-06-20 17:00", None),
    period_case("G", "U1", "P1", 2, 1, "2025-05-01 09:00", "2025-05-20 17:00", None),
    period_case("H", "U1", "P1", 2, 3, "2025-05-02 09:00", "2025-05-20 17:00", "2025-05-03 09:00"),
    period_case("J", "U1", "P2", 2, 10, "2025-08-01 09:00", "2025-08-20 17:00", "2025-08-20 18:00"),
    period_case("K", "U1", "P1", 1, 4, "2026-01-05 09:00", "2026-01-20 17:00", None),
]  # fmt: skip


def install_period_cases(warehouse: WarehouseResource) -> None:
    """Load the catalogue and the hand-made cases into a fresh warehouse."""
    with warehouse.begin() as conn:
        conn.execute(
            INSERT_PROCEDURE,
            [{"code": c, "name": n, "field": f, "field_name": fn} for c, n, f, fn in PROCEDURES],
        )
        conn.execute(INSERT_CASE, CASES)
