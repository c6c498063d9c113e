"""The Decision 766 scorecard on hand-made cases, petitions and ratings, each score computed by hand: the 90%
threshold, the cap of FEE_PROCEDURES_PAID_ONLINE, the empty denominator of each kind, a case late, rated
dissatisfied and complained about (counted once), a petition about a case, and the months before the
cutover; a re-run changes no row."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook
from sqlalchemy import Connection, text

from reports.points_lost_sheet import SHEET_TITLE, item_rows, write_points_lost_sheet
from reports.score766_section import LostMetric, load_scorecards, reasons_text
from reports.xlsx_rows import saved_workbook
from resources.warehouse import WarehouseResource
from tests.builders import CUTOVER, local
from transform.builds import BuildInputs
from transform.indicators import INDICATOR_MONTHLY
from transform.registry import run_build
from transform.score766 import METRICS, SCORE766_MONTHLY

pytestmark = pytest.mark.integration

AS_OF = local(2025, 5, 10, 12)
INPUTS = BuildInputs(as_of=AS_OF, cutover=CUTOVER, pii_hash_key="test-key")
NOVEMBER, MARCH, APRIL, MAY = date(2024, 11, 1), date(2025, 3, 1), date(2025, 4, 1), date(2025, 5, 1)
TOLERANCE = Decimal("1e-6")
_numbers = iter(range(1, 10**6))


def fact(
    unit: str, received: datetime, due: datetime, finished: datetime | None = None, **values: Any
) -> dict:
    """A received new-system case of `mart.fact_case` (in person, no fee, synced), `values` over it."""
    key = values.pop("case_key", f"HS-{next(_numbers)}")
    status = values.pop("status_code", 10 if finished else 4)
    return {
        "case_key": key, "source_system": "newsys", "procedure_code": "P1", "unit_code": unit,
        "original_unit_code": unit, "channel": 1, "status_code": status, "received_at": received,
        "due_at": due, "finished_at": finished, "has_result": finished is not None, "has_e_result": False,
        "is_digitized": False, "payment": None, "rating": None, "has_apology": False, "synced_national": True,
        **values,
    }  # fmt: skip


def petition(key: str, unit: str, sent: datetime, case_key: str | None = None) -> dict:
    """A petition of `mart.fact_petition`, still open, sent at `sent` (about `case_key` when given)."""
    return {
        "petition_key": key, "unit_code": unit, "original_unit_code": unit, "channel": 1,
        "transferred_in": False, "status_code": 2, "sent_at": sent, "accepted_at": sent, "start_at": sent,
        "handle_due_at": local(2025, 12, 31), "case_no": case_key, "case_key": case_key,
        "has_answer": False, "has_reject_reason": False, "likes": 0, "dislikes": 0,
    }  # fmt: skip


def rating(key: str, case_key: str, rated: datetime, level: int, in_force: bool = True) -> dict:
    """A rating of `mart.fact_rating`."""
    return {
        "rating_key": key, "case_no": case_key, "case_key": case_key, "channel": 1, "rated_at": rated,
        "level": level, "by_applicant": True, "in_force": in_force,
    }  # fmt: skip


def insert_rows(conn: Connection, table: str, rows: list[dict]) -> None:
    """Insert rows into `schema.table`."""
    schema, name = table.split(".")
    for row in rows:
        conn.execute(sa.insert(sa.table(name, *map(sa.column, row), schema=schema)).values(**row))


def procedure(code: str, level: int) -> dict:
    """A catalogue procedure of online service level `level` (MucDo)."""
    return {
        "procedure_code": code, "service_level": level, "legal_days": 10, "has_fee": True, "payload": "{}",
        "fetched_at": AS_OF,
    }  # fmt: skip


def build(
    warehouse: WarehouseResource, cases: list[dict], petitions: list[dict] = (), ratings: list[dict] = (),
    procedures: list[dict] = (),
) -> dict[tuple[date, str, str], dict[str, Any]]:  # fmt: skip
    """Publish the indicators and the scorecard of these rows; the scorecard by (month, unit, metric)."""
    with warehouse.begin() as conn:
        insert_rows(conn, "raw.newsys_procedure", list(procedures))
        insert_rows(conn, "mart.fact_case", cases)
        insert_rows(conn, "mart.fact_petition", list(petitions))
        insert_rows(conn, "mart.fact_rating", list(ratings))
        run_build(conn, INDICATOR_MONTHLY, INPUTS)
        run_build(conn, SCORE766_MONTHLY, INPUTS)
    return scorecard(warehouse)


def scorecard(warehouse: WarehouseResource) -> dict[tuple[date, str, str], dict[str, Any]]:
    """Every row of `mart.score766_monthly` by (month, unit, metric)."""
    with warehouse.begin() as conn:
        found = conn.execute(text("SELECT * FROM mart.score766_monthly")).mappings().all()
    return {(row["period_month"], row["unit_code"], row["metric_code"]): dict(row) for row in found}


def counts(rows: dict, month: date, unit: str, code: str) -> tuple[int, int, Decimal | None]:
    """(numerator, denominator, score) of one metric."""
    row = rows[(month, unit, code)]
    return row["numerator"], row["denominator"], row["score"]


def near(value: Decimal | None, expected: float) -> bool:
    """Equal within the contract's tolerance."""
    return value is not None and abs(value - Decimal(str(expected))) < TOLERANCE


def march_case(unit: str, *, late: bool = False, **values: Any) -> dict:
    """A case of `unit` received and finished in March, on time unless `late`."""
    due = local(2025, 3, 10) if late else local(2025, 3, 25)
    return fact(unit, local(2025, 3, 3), due, local(2025, 3, 20), **values)


def test_every_metric_for_every_month_and_unit_with_an_indicator_row(warehouse: WarehouseResource) -> None:
    april_case = fact("U2", local(2025, 4, 2), local(2025, 4, 25), local(2025, 4, 20))
    rows = build(warehouse, [march_case("U1"), april_case])
    pairs = {(month, unit) for month, unit, _ in rows}
    assert pairs == {(MARCH, "U1"), (MARCH, "ALL"), (APRIL, "U2"), (APRIL, "ALL")}
    assert len(rows) == len(METRICS) * len(pairs)
    assert {(row["group_code"], row["metric_code"], row["max_score"]) for row in rows.values()} == {
        (m.group, m.code, m.points) for m in METRICS
    }


def test_receiving_satisfaction_scores_6_from_90_percent(warehouse: WarehouseResource) -> None:
    cases = [march_case("U1", late=n == 0) for n in range(10)]
    cases += [march_case("U2", late=n < 2) for n in range(10)]
    rows = build(warehouse, cases)
    assert counts(rows, MARCH, "U1", "DOSSIER_RECEIVING_SATISFACTION") == (9, 10, 6)
    numerator, denominator, score = counts(rows, MARCH, "U2", "DOSSIER_RECEIVING_SATISFACTION")
    assert (numerator, denominator) == (8, 10) and near(score, 6 * 8 / 9)
    numerator, denominator, score = counts(rows, MARCH, "ALL", "DOSSIER_RECEIVING_SATISFACTION")
    assert (numerator, denominator) == (17, 20) and near(score, 6 * 17 / 18)
    assert counts(rows, MARCH, "U1", "ON_TIME") == (9, 10, 18)


def test_fee_procedures_paid_online_is_capped_at_4_from_80_percent(warehouse: WarehouseResource) -> None:
    def fee_cases(unit: str, online: int) -> list[dict]:
        paid = ["online"] * online + ["offline"] * (5 - online)
        return [march_case(unit, procedure_code=f"F{n}", payment=paid[n]) for n in range(5)]

    u1, u2 = fee_cases("U1", 4), fee_cases("U2", 3)
    u2 += [march_case("U2", procedure_code="F0", payment="offline"), march_case("U2", procedure_code="")]
    rows = build(warehouse, u1 + u2 + [march_case("U2", procedure_code="", payment="online")])
    assert counts(rows, MARCH, "U1", "FEE_PROCEDURES_PAID_ONLINE") == (4, 5, 4)
    numerator, denominator, score = counts(rows, MARCH, "U2", "FEE_PROCEDURES_PAID_ONLINE")
    assert (numerator, denominator) == (3, 5) and near(score, 3)
    # ALL counts distinct procedures Department-wide: F0..F3 paid online somewhere, of F0..F4.
    assert counts(rows, MARCH, "ALL", "FEE_PROCEDURES_PAID_ONLINE") == (4, 5, 4)
    numerator, denominator, score = counts(rows, MARCH, "U1", "PAID_ONLINE")
    assert (numerator, denominator) == (4, 5) and near(score, 6 * 4 / 5)


def test_an_empty_denominator_of_each_kind(warehouse: WarehouseResource) -> None:
    # U1's only case is in person, without a fee or result, of a procedure not at MucDo 4, from Egov.
    rows = build(
        warehouse,
        [fact("U1", local(2025, 3, 3), local(2025, 3, 25), source_system="egov", synced_national=None)],
        procedures=[procedure("P1", 3)],
    )
    for code in ("DOSSIER_SYNC", "PAID_ONLINE", "ORIGINAL_RESULT_AVAILABLE", "ONLINE_FULL_PROCESS",
                 "FEE_PROCEDURES_PAID_ONLINE"):  # fmt: skip
        row = rows[(MARCH, "U1", code)]
        assert (row["numerator"], row["denominator"], row["ratio"], row["score"]) == (0, 0, None, None), code
    for code in ("PETITION_PROCESSING_ON_TIME", "PETITION_HANDLING_SATISFACTION"):
        row = rows[(MARCH, "U1", code)]
        assert (row["numerator"], row["denominator"], row["ratio"], row["score"]) == (0, 0, None, 6), code
    assert counts(rows, MARCH, "U1", "ON_TIME") == (0, 1, 0)  # still open after its due date


def test_online_full_process_counts_the_procedures_of_level_4(warehouse: WarehouseResource) -> None:
    cases = [march_case("U1", procedure_code="L4", channel=2), march_case("U1", procedure_code="L4"),
             march_case("U1", procedure_code="L3", channel=2), march_case("U1", procedure_code="NONE")]
    rows = build(warehouse, cases, procedures=[procedure("L4", 4), procedure("L3", 3)])
    assert counts(rows, MARCH, "U1", "ONLINE_FULL_PROCESS") == (1, 2, 6)


def test_a_case_late_dissatisfied_and_complained_about_counts_once(warehouse: WarehouseResource) -> None:
    bad = march_case("U1", late=True, case_key="BAD", rating=3)
    rows = build(
        warehouse, [bad, march_case("U1")],
        petitions=[petition("PA-1", "U1", local(2025, 3, 22), "BAD"),
                   petition("PA-2", "U1", local(2025, 3, 23), "BAD")],
        ratings=[rating("R-1", "BAD", local(2025, 3, 21), 3)],
    )  # fmt: skip
    numerator, denominator, score = counts(rows, MARCH, "U1", "DOSSIER_RECEIVING_SATISFACTION")
    assert (numerator, denominator) == (1, 2) and near(score, 6 * 1 / (0.9 * 2))


def test_a_petition_about_a_case_costs_it_from_the_month_it_is_sent(warehouse: WarehouseResource) -> None:
    open_case = fact("U1", local(2025, 3, 3), local(2025, 6, 30), case_key="OPEN")
    replaced = fact("U1", local(2025, 3, 3), local(2025, 6, 30), case_key="RATED")
    rows = build(
        warehouse, [open_case, replaced],
        petitions=[petition("PA-1", "U2", local(2025, 4, 5), "OPEN")],
        # RATED: dissatisfied in March, then satisfied in April (the rating in force): never counted.
        ratings=[rating("R-1", "RATED", local(2025, 3, 20), 3, in_force=False),
                 rating("R-2", "RATED", local(2025, 4, 20), 1)],
    )  # fmt: skip
    assert counts(rows, MARCH, "U1", "DOSSIER_RECEIVING_SATISFACTION")[:2] == (2, 2)
    assert counts(rows, APRIL, "U1", "DOSSIER_RECEIVING_SATISFACTION")[:2] == (1, 2)
    assert counts(rows, MAY, "U1", "DOSSIER_RECEIVING_SATISFACTION")[:2] == (1, 2)


def test_a_rating_in_force_counts_from_the_month_it_was_given(warehouse: WarehouseResource) -> None:
    rated = fact("U1", local(2025, 3, 3), local(2025, 6, 30), case_key="RATED")
    rows = build(warehouse, [rated], ratings=[rating("R-1", "RATED", local(2025, 4, 20), 3)])
    assert counts(rows, MARCH, "U1", "DOSSIER_RECEIVING_SATISFACTION") == (1, 1, 6)
    assert counts(rows, APRIL, "U1", "DOSSIER_RECEIVING_SATISFACTION") == (0, 1, 0)


def test_petition_scores_are_null_before_the_cutover_month(warehouse: WarehouseResource) -> None:
    cases = [fact("U1", local(2024, 11, 3), local(2024, 11, 25), local(2024, 11, 20)),
             fact("U1", local(2024, 11, 3), local(2024, 12, 25), local(2024, 12, 20))]
    rows = build(warehouse, cases)
    for code in ("PETITION_PROCESSING_ON_TIME", "PETITION_HANDLING_SATISFACTION"):
        assert counts(rows, NOVEMBER, "U1", code) == (0, 0, None)
        assert counts(rows, date(2024, 12, 1), "U1", code) == (0, 0, 6)
    assert counts(rows, NOVEMBER, "U1", "ON_TIME") == (2, 2, 20)


def test_a_rerun_changes_no_row(warehouse: WarehouseResource) -> None:
    before = build(warehouse, [march_case("U1", late=n == 0, payment="online") for n in range(3)])
    with warehouse.begin() as conn:
        run = run_build(conn, SCORE766_MONTHLY, INPUTS)
    assert not run.full and run.published.rows_written == 0
    assert scorecard(warehouse) == before


def lost_of(
    warehouse: WarehouseResource, month: date, top_n: int | None
) -> dict[tuple[str, str], LostMetric]:
    """The points lost in `month` by (unit, metric), as the report and the workbook read them."""
    with warehouse.begin() as conn:
        cards = load_scorecards(conn, month, AS_OF, top_n)
    assert cards[0].unit_code == "ALL" and not cards[0].lost
    return {(card.unit_code, lost.code): lost for card in cards for lost in card.lost}


def test_the_points_lost_name_each_case_and_petition_once_per_metric(warehouse: WarehouseResource) -> None:
    bad = march_case("U1", late=True, case_key="BAD", rating=3, payment="offline", procedure_code="F1")
    late = [march_case("U1", late=True, case_key=f"LATE-{n:02d}") for n in range(12)]
    build(
        warehouse, [bad, *late, march_case("U1", case_key="GOOD", has_e_result=True)],
        petitions=[petition("PA-1", "U1", local(2025, 3, 22), "BAD"),
                   petition("PA-2", "U1", local(2025, 3, 23), "BAD")],
        ratings=[rating("R-1", "BAD", local(2025, 3, 21), 3)],
    )  # fmt: skip
    lost = lost_of(warehouse, MARCH, 10)
    on_time = lost[("U1", "ON_TIME")]
    assert (on_time.total, len(on_time.items), on_time.word) == (13, 10, "hồ sơ")
    assert near(on_time.points_lost, 20 * 13 / 14)
    receiving = lost[("U1", "DOSSIER_RECEIVING_SATISFACTION")]
    every = lost_of(warehouse, MARCH, None)[("U1", "DOSSIER_RECEIVING_SATISFACTION")].items
    [bad_item] = [item for item in every if item.item_key == "BAD"]
    assert bad_item.reasons == "late,dissatisfied,petitioned" and receiving.total == 13
    assert reasons_text(bad_item.reasons) == "trễ hạn; đánh giá không hài lòng; bị phản ánh, kiến nghị"
    no_e_result = lost[("U1", "ORIGINAL_RESULT_AVAILABLE")].items
    assert [item.item_key for item in no_e_result][:2] == ["BAD", "LATE-00"]
    fee = lost[("U1", "FEE_PROCEDURES_PAID_ONLINE")]
    assert (fee.word, [item.item_key for item in fee.items], fee.points_lost) == ("thủ tục", ["F1"], 4)
    assert ("U1", "DOSSIER_SYNC") not in lost  # every case synced: at its maximum


def test_the_workbook_sheet_lists_every_item_of_each_unit(warehouse: WarehouseResource) -> None:
    build(warehouse, [march_case("U1", late=True, case_key=f"LATE-{n:02d}") for n in range(12)]
          + [march_case("U2", case_key="OK", has_e_result=True, is_digitized=True)])  # fmt: skip
    with warehouse.begin() as conn:
        cards = load_scorecards(conn, MARCH, AS_OF, None)
    book = Workbook()
    streamed = write_points_lost_sheet(book, item_rows(cards), MARCH)
    sheet = load_workbook(io.BytesIO(saved_workbook(book, streamed)))[SHEET_TITLE]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4)]
    on_time = [row for row in rows if row[2] == "ON_TIME"]
    assert [row[6] for row in on_time] == [f"LATE-{n:02d}" for n in range(12)]
    assert {row[0] for row in rows} == {"U1"} and on_time[0][3] == 20 and on_time[0][8] == "trễ hạn"
    assert sheet.cell(row=1, column=1).value.startswith("Điểm Bộ chỉ số 766 bị mất tháng 03/2025")


def test_petition_metrics_take_the_counts_of_the_petition_indicators(warehouse: WarehouseResource) -> None:
    on_time = petition("PA-1", "U1", local(2025, 3, 3))
    late = petition("PA-2", "U1", local(2025, 3, 4)) | {"handle_due_at": local(2025, 3, 20)}
    rows = build(warehouse, [march_case("U1")], petitions=[on_time, late])
    numerator, denominator, score = counts(rows, MARCH, "U1", "PETITION_PROCESSING_ON_TIME")
    assert (numerator, denominator, score) == (1, 2, 3)
    assert counts(rows, MARCH, "U1", "PETITION_HANDLING_SATISFACTION") == (1, 2, 3)
    with warehouse.begin() as conn:
        indicator = conn.execute(
            text("SELECT numerator, denominator FROM mart.indicator_monthly WHERE period_month = :m"
                 " AND unit_code = 'U1' AND indicator_code = 'petition_on_time_rate'"),
            {"m": MARCH},
        ).one()  # fmt: skip
    assert tuple(indicator) == (1, 2)


def test_a_changed_rating_or_petition_rescored_incrementally_equals_a_full_rebuild(
    warehouse: WarehouseResource,
) -> None:
    cases = [fact("U1", local(2025, 3, 3), local(2025, 6, 30), case_key=f"OPEN-{n}") for n in range(3)]
    build(warehouse, cases, ratings=[rating("R-1", "OPEN-0", local(2025, 3, 20), 1)])
    later = BuildInputs(as_of=AS_OF, cutover=CUTOVER, pii_hash_key="test-key")
    with warehouse.begin() as conn:
        conn.execute(text("UPDATE mart.fact_rating SET level = 3 WHERE rating_key = 'R-1'"))
        insert_rows(conn, "mart.fact_petition", [petition("PA-9", "U2", local(2025, 4, 2), "OPEN-1")])
        conn.execute(text(
            "INSERT INTO staging.change_log (kind, image, record_key, case_no, case_key) VALUES"
            " ('rating_fact', 'new', 'R-1', 'OPEN-0', 'OPEN-0'),"
            " ('petition_fact', 'new', 'PA-9', NULL, 'OPEN-1')"
        ))  # fmt: skip
        run = run_build(conn, SCORE766_MONTHLY, later)
    assert not run.full and run.published.rows_written > 0
    incremental = scorecard(warehouse)
    assert counts(incremental, MARCH, "U1", "DOSSIER_RECEIVING_SATISFACTION")[:2] == (2, 3)
    assert counts(incremental, APRIL, "U1", "DOSSIER_RECEIVING_SATISFACTION")[:2] == (1, 3)
    with warehouse.begin() as conn:
        assert run_build(conn, SCORE766_MONTHLY, replace(later, full=True)).full
    assert scorecard(warehouse) == incremental
