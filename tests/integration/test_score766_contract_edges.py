"""The Decision 766 scorecard at the edges of the contract's literal rules, on hand-made rows, each answer
computed by hand: the (month, unit) pairs of any indicator, empty denominators, the cutover's local month,
local month bounds of "received in P", the catalogue's MucDo for cases of either system,
FEE_PROCEDURES_PAID_ONLINE counted Department-wide, the rating in force in byte order (also under an ICU
database collation), petitions about a case by the case's unit and by
case_key, exact scores; and every kind of change rescored incrementally equals a full rebuild."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import Connection, text

from reports.points_lost_sheet import SHEET_TITLE, item_rows, write_points_lost_sheet
from reports.score766_section import load_scorecards
from reports.xlsx_rows import saved_workbook
from resources.warehouse import WarehouseResource
from tests.builders import CUTOVER, LOCAL, egov_case, insert, local, newsys_case, unit
from tests.builders import petition as raw_petition
from tests.builders import rating as raw_rating
from tests.integration import test_petition_contract_edges
from tests.integration.test_petition_marts import build_all, land
from tests.integration.test_score766 import (
    AS_OF,
    MARCH,
    METRICS,
    counts,
    fact,
    insert_rows,
    march_case,
    near,
    petition,
    procedure,
    rating,
    scorecard,
)
from transform.builds import BuildInputs
from transform.indicators import INDICATOR_MONTHLY
from transform.registry import run_build
from transform.score766 import PETITION_METRICS, SCORE766_MONTHLY, SCORE766_SQL, group_values, metric_values
from transform.statements import template_rows

pytestmark = pytest.mark.integration

APRIL, MAY = date(2025, 4, 1), date(2025, 5, 1)
RECEIVING, FEE, FULL = "DOSSIER_RECEIVING_SATISFACTION", "FEE_PROCEDURES_PAID_ONLINE", "ONLINE_FULL_PROCESS"
any_collation_warehouse = test_petition_contract_edges.any_collation_warehouse
Rows = dict[tuple[date, str, str], dict[str, Any]]


def build_with(
    warehouse: WarehouseResource, cases: list[dict], *, petitions: list[dict] = (), ratings: list[dict] = (),
    procedures: list[dict] = (), cutover: datetime = CUTOVER, as_of: datetime = AS_OF,
) -> Rows:  # fmt: skip
    """Publish the indicators and the scorecard of these mart rows under `cutover` and `as_of`."""
    inputs = BuildInputs(as_of=as_of, cutover=cutover, pii_hash_key="test-key")
    with warehouse.begin() as conn:
        insert_rows(conn, "raw.newsys_procedure", list(procedures))
        insert_rows(conn, "mart.fact_case", cases)
        insert_rows(conn, "mart.fact_petition", list(petitions))
        insert_rows(conn, "mart.fact_rating", list(ratings))
        run_build(conn, INDICATOR_MONTHLY, inputs)
        run_build(conn, SCORE766_MONTHLY, inputs)
    return scorecard(warehouse)


def test_a_unit_with_only_petitions_gets_all_ten_metrics(warehouse: WarehouseResource) -> None:
    # PU has no case: its (March, PU) pair comes from the petition indicators alone.
    rows = build_with(warehouse, [march_case("U1")], petitions=[petition("PA-1", "PU", local(2025, 3, 3))])
    assert {code for month, unit_code, code in rows if (month, unit_code) == (MARCH, "PU")} == {
        m.code for m in METRICS
    }
    for metric in METRICS:
        row = rows[(MARCH, "PU", metric.code)]
        if metric.code in PETITION_METRICS:
            assert (row["numerator"], row["denominator"], row["score"]) == (1, 1, 6), metric.code
        else:
            assert (row["numerator"], row["denominator"], row["ratio"], row["score"]) == (0, 0, None, None)


def test_petition_scores_start_in_the_local_month_of_the_cutover(warehouse: WarehouseResource) -> None:
    # CUTOVER_AT 1/12/2024 00:00 local is still 30/11 in UTC: November is before it, December is not.
    cutover = datetime(2024, 12, 1, tzinfo=LOCAL)
    cases = [fact("U1", local(2024, 11, 3), local(2024, 12, 25), local(2024, 12, 20))]
    rows = build_with(warehouse, cases, cutover=cutover)
    for code in PETITION_METRICS:
        assert counts(rows, date(2024, 11, 1), "U1", code) == (0, 0, None)
        assert counts(rows, date(2024, 12, 1), "U1", code) == (0, 0, 6)
        assert counts(rows, date(2024, 12, 1), "ALL", code) == (0, 0, 6)
    with warehouse.begin() as conn:
        [_department, card] = load_scorecards(conn, date(2024, 11, 1), AS_OF, None)
    lines = {line.metric.code: line for group in card.groups for line in group.lines}
    # The report's dash says why: before the cutover for the petition metrics, an empty denominator else.
    assert {code: lines[code].unscored_reason for code in (*PETITION_METRICS, FEE)} == {
        **dict.fromkeys(PETITION_METRICS, "trước ngày chuyển đổi"),
        FEE: "mẫu số bằng 0",
    }
    assert card.groups[-2].code == "satisfaction" and card.groups[-2].points_with_data == 6


def test_a_changed_cutover_rescores_the_petition_metrics_in_full(warehouse: WarehouseResource) -> None:
    april = fact("U1", local(2025, 4, 2), local(2025, 4, 25), local(2025, 4, 20))
    rows = build_with(warehouse, [march_case("U1"), april])
    assert counts(rows, MARCH, "U1", "PETITION_PROCESSING_ON_TIME") == (0, 0, 6)
    later_cutover = BuildInputs(as_of=AS_OF, cutover=local(2025, 4, 1, 0), pii_hash_key="test-key")
    with warehouse.begin() as conn:
        run = run_build(conn, SCORE766_MONTHLY, later_cutover)
    rows = scorecard(warehouse)
    assert run.full and counts(rows, MARCH, "U1", "PETITION_PROCESSING_ON_TIME") == (0, 0, None)
    assert counts(rows, APRIL, "U1", "PETITION_HANDLING_SATISFACTION") == (0, 0, 6)


def test_received_in_p_is_the_local_month_and_excludes_status_1_and_3(warehouse: WarehouseResource) -> None:
    def case(received: datetime, **values: Any) -> dict:
        online = {"procedure_code": "L4", "channel": 2, "payment": "online"}
        return fact("U1", received, local(2025, 4, 25), local(2025, 4, 20), **online | values)

    cases = [case(local(2025, 3, 31, 23, 59)), case(local(2025, 4, 1, 0, 0)),
             case(local(2025, 4, 2), status_code=1, finished_at=None),
             case(local(2025, 4, 2), status_code=3, procedure_code="L4-3"),
             fact("U1", local(2025, 4, 3), local(2025, 4, 25), procedure_code="L4-E", source_system="egov",
                  synced_national=None)]  # fmt: skip
    procedures = [procedure("L4", 4), procedure("L4-3", 4), procedure("L4-E", 4)]
    rows = build_with(warehouse, cases, procedures=procedures)
    assert counts(rows, MARCH, "U1", FULL) == (1, 1, 12)
    # April: the case of 1/4 00:00 and the Egov case (in person) of a MucDo 4 procedure; not status 1 or 3.
    numerator, denominator, score = counts(rows, APRIL, "U1", FULL)
    assert (numerator, denominator) == (1, 2) and near(score, 6)
    assert counts(rows, APRIL, "U1", FEE) == (1, 1, 4)


def test_fee_procedures_count_department_wide_never_summed(warehouse: WarehouseResource) -> None:
    cases = [march_case("U1", procedure_code="F1", payment="offline"),
             march_case("U2", procedure_code="F1", payment="online"),
             march_case("U2", procedure_code="F2", payment="offline"),
             march_case("U2", procedure_code="F3", payment="offline"),
             march_case("U2", procedure_code="F4", payment="online"),
             march_case("U2", procedure_code="F5", payment="online", status_code=3),
             march_case("U2", procedure_code="F6", payment=None)]  # fmt: skip
    rows = build_with(warehouse, cases)
    assert counts(rows, MARCH, "U1", FEE) == (0, 1, 0)
    numerator, denominator, score = counts(rows, MARCH, "U2", FEE)
    assert (numerator, denominator) == (2, 4) and near(score, 2.5)
    # F1 and F4 of F1..F4: 2 of 4 (not 2 of 5 as units summed); 5 x 2 < 4 x 4.
    numerator, denominator, score = counts(rows, MARCH, "ALL", FEE)
    assert (numerator, denominator) == (2, 4) and near(score, 2.5)


def test_fee_procedures_cap_at_exactly_80_percent_and_just_below(warehouse: WarehouseResource) -> None:
    def fee_cases(unit_code: str, online: int, procedures: int) -> list[dict]:
        paid = ["online"] * online + ["offline"] * (procedures - online)
        return [
            march_case(unit_code, procedure_code=f"{unit_code}-F{n}", payment=paid[n])
            for n in range(procedures)
        ]

    u1, u2 = fee_cases("U1", 8, 10), fee_cases("U2", 3, 4)
    rows = build_with(warehouse, u1 + u2)
    assert counts(rows, MARCH, "U1", FEE) == (8, 10, 4)
    numerator, denominator, score = counts(rows, MARCH, "U2", FEE)
    assert (numerator, denominator) == (3, 4) and near(score, 3.75)


def test_receiving_satisfaction_threshold_and_exact_scores(warehouse: WarehouseResource) -> None:
    # U1: 8 of 9 (88.9%, just below 90%): 6 x 8 / (0.9 x 9) = 5.925925...; U2: 9 of 10 exactly 90%: 6.
    u1 = [march_case("U1", late=n == 0) for n in range(9)]
    u2 = [march_case("U2", late=n == 0) for n in range(10)]
    u2 += [march_case("U2", late=True, status_code=status) for status in (1, 3)]  # never received
    rows = build_with(warehouse, u1 + u2)
    numerator, denominator, score = counts(rows, MARCH, "U1", RECEIVING)
    assert (numerator, denominator) == (8, 9) and near(score, 6 * 8 / (0.9 * 9)) and score < 6
    assert isinstance(score, Decimal) and abs(score - Decimal(480) / Decimal(81)) < Decimal("1e-12")
    assert counts(rows, MARCH, "U2", RECEIVING) == (9, 10, 6)
    assert counts(rows, MARCH, "U2", "ON_TIME") == (9, 10, 18)
    numerator, denominator, score = counts(rows, MARCH, "U1", "ON_TIME")
    assert (numerator, denominator) == (8, 9) and abs(score - Decimal(160) / Decimal(9)) < Decimal("1e-12")


def test_receiving_satisfaction_bounds_of_ratings_and_petitions(
    any_collation_warehouse: WarehouseResource,
) -> None:
    warehouse = any_collation_warehouse
    p_end = local(2025, 4, 1, 0)
    keys = ("RATED-AT-P-END", "TIE", "PETITIONED-AT-P-END", "PETITION-ELSEWHERE", "PETITION-NO-KEY", "NO-DUE",
            "CLEAN")  # fmt: skip
    cases = [fact("U1", local(2025, 3, 3), local(2025, 6, 30), case_key=key) for key in keys[:-2]]
    cases += [
        fact("U1", local(2025, 3, 3), None, case_key="NO-DUE"),
        fact("U1", local(2025, 3, 3), local(2025, 6, 30), case_key="CLEAN"),
    ]
    ratings = [
        rating("R-1", "RATED-AT-P-END", p_end, 3),
        # Two ratings in force at the same time: "DG-a" > "DG-B" in byte order, so level 1 holds.
        rating("DG-a", "TIE", local(2025, 3, 10), 1),
        rating("DG-B", "TIE", local(2025, 3, 10), 3),
    ]
    petitions = [
        petition("PA-1", "U1", p_end, "PETITIONED-AT-P-END"),
        petition("PA-2", "U9", local(2025, 3, 20), "PETITION-ELSEWHERE"),
        petition("PA-3", "U1", local(2025, 3, 20)) | {"case_no": "PETITION-NO-KEY"},
    ]
    rows = build_with(warehouse, cases, petitions=petitions, ratings=ratings)
    # March: only PETITION-ELSEWHERE (petitioned in another unit) and NO-DUE (never on time) are lost.
    numerator, denominator, score = counts(rows, MARCH, "U1", RECEIVING)
    assert (numerator, denominator) == (5, 7) and near(score, 6 * 5 / (0.9 * 7))
    assert counts(rows, MARCH, "U9", RECEIVING) == (0, 0, None)
    # April: RATED-AT-P-END and PETITIONED-AT-P-END now count against it too.
    assert counts(rows, APRIL, "U1", RECEIVING)[:2] == (3, 7)


def test_receiving_satisfaction_counts_a_merged_case_under_its_current_unit(
    warehouse: WarehouseResource,
) -> None:
    moved = march_case("U1", original_unit_code="OLD", case_key="MOVED")
    rows = build_with(warehouse, [moved], petitions=[petition("PA-1", "OLD", local(2025, 3, 10), "MOVED")])
    assert counts(rows, MARCH, "U1", RECEIVING) == (0, 1, 0)
    assert (MARCH, "OLD", RECEIVING) in rows and counts(rows, MARCH, "OLD", RECEIVING) == (0, 0, None)


# The incremental build: each change of the sources, built on from the last state, equals a full rebuild.
FIRST_AS_OF = local(2025, 5, 10, 12)


def install(conn: Connection) -> None:
    """Raw rows: units (U3 to merge into U1), cases of three procedures (one MucDo 4), ratings, petitions."""
    insert(conn, "newsys_unit", unit("U1"), unit("U2"), unit("U3"))
    insert(conn, "newsys_procedure", *(
        procedure(code, level) | {"name": code, "field_code": None, "field_name": None, "payload": {}}
        for code, level in (("P1", 4), ("P2", 3), ("P3", 2))
    ))  # fmt: skip
    received = [local(2025, 3 + n % 3, 2 + n) for n in range(12)]
    cases = [newsys_case(f"HS-{n}", procedure_code=f"P{n % 3 + 1}", original_unit_code=f"U{n % 3 + 1}",
                         received_at=received[n], due_at=local(2025, 4 + n % 2, 20, 17), channel=1 + n % 2,
                         payment=(None, "online", "offline")[n % 3], handlers=["cb.c9"] if n == 1 else [],
                         **({"status_code": 10, "finished_at": received[n] + timedelta(days=12)}
                            if n % 4 == 0 else {}))
             for n in range(12)]  # fmt: skip
    cases.append(newsys_case("HS-FEB", received_at=local(2025, 2, 10), due_at=local(2025, 3, 20, 17)))
    insert(conn, "newsys_case", *cases)
    # An official of C9 (a unit without cases) named in HS-1's history: (month of as_of, C9) has a row.
    insert(conn, "newsys_official", {
        "user_name": "cb.c9", "full_name": "Cán bộ", "unit_code": "C9", "account_type": "VNEID",
        "vneid_level": "2", "is_active": True, "updated_at": local(2025, 1, 1), "payload": {},
        "fetched_at": FIRST_AS_OF,
    })  # fmt: skip
    insert(
        conn,
        "egov_case",
        egov_case(
            "EG-1",
            procedure_code="P1",
            original_unit_code="U3",
            received_at=local(2025, 3, 5),
            due_at=local(2025, 3, 28, 17),
        ),
    )
    insert(conn, "newsys_rating", raw_rating("DG-1", "HS-1", rated_at=local(2025, 3, 20), level=2),
           raw_rating("DG-2", "HS-2", rated_at=local(2025, 4, 3), level=3))  # fmt: skip
    insert(conn, "newsys_petition", raw_petition("PA-1", original_unit_code="U2", case_no="HS-3",
                                                 sent_at=local(2025, 4, 2), start_at=local(2025, 4, 2),
                                                 accepted_at=local(2025, 4, 2, 9)))  # fmt: skip


def scorecard_rows(conn: Connection) -> Counter:
    """The rows of `mart.score766_monthly` as a multiset."""
    return Counter(map(tuple, conn.execute(text("SELECT * FROM mart.score766_monthly")).all()))


CHANGES: dict[str, tuple[str, ...]] = {
    "rating": ("UPDATE raw.newsys_rating SET level = 3, rated_at = '2025-03-25 08:00+07'"
               " WHERE rating_key = 'DG-1'", "INSERT-LAND rating DG-1"),
    "petition": ("UPDATE raw.newsys_petition SET case_no = 'HS-4', sent_at = '2025-03-28 08:00+07',"
                 " start_at = '2025-03-28 08:00+07' WHERE petition_key = 'PA-1'",
                 "INSERT-LAND petition PA-1"),
    "case": ("UPDATE raw.newsys_case SET due_at = '2025-03-06 17:00+07', channel = 2, payment = 'online',"
             " updated_at = now() WHERE case_no = 'HS-0'", "INSERT-LAND case HS-0"),
    "catalogue": ("UPDATE raw.newsys_procedure SET service_level = 4 WHERE procedure_code = 'P2'",
                  "UPDATE raw.newsys_procedure SET service_level = 3 WHERE procedure_code = 'P1'",
                  "INSERT-LAND procedure P2", "INSERT-LAND procedure P1"),
    "first case deleted": (
        "UPDATE raw.newsys_case SET is_deleted = true, updated_at = now() WHERE case_no = 'HS-FEB'",
        "INSERT-LAND case HS-FEB",
    ),
    "unit merge": ("UPDATE raw.newsys_unit SET successor_code = 'U1', ceased_at = '2025-04-15 00:00+07'"
                   " WHERE unit_code = 'U3'", "INSERT-LAND unit U3"),
}  # fmt: skip


def apply(conn: Connection, statements: tuple[str, ...]) -> None:
    """Run one change's statements; `INSERT-LAND entity key` logs the landed key as the landing does."""
    for statement in statements:
        if statement.startswith("INSERT-LAND "):
            _, entity, key = statement.split(" ")
            land(conn, entity, key)
        else:
            conn.execute(text(statement))


def contract_breaches(conn: Connection) -> dict[str, list[dict[str, Any]]]:
    """The rows the asset checks find (scores out of range, "those of" counts not their indicator's, group
    sums above their points) and the (month, unit) whose DOSSIER_RECEIVING_SATISFACTION denominator is not
    on_time_rate's."""
    found = {
        name: template_rows(conn, SCORE766_SQL, name, metrics=metric_values(), groups=group_values())
        for name in ("check_score_range", "check_those_of", "check_group_sums")
    }
    found["receiving_not_on_time_cases"] = [
        dict(row)
        for row in conn.execute(
            text(
                "SELECT r.period_month, r.unit_code FROM mart.score766_monthly AS r"
                " JOIN mart.score766_monthly AS o ON (o.period_month, o.unit_code, o.metric_code)"
                " = (r.period_month, r.unit_code, 'ON_TIME')"
                " WHERE r.metric_code = 'DOSSIER_RECEIVING_SATISFACTION' AND r.denominator <> o.denominator"
            )
        ).mappings()
    ]
    return {name: rows for name, rows in found.items() if rows}


def test_each_change_rescored_incrementally_equals_a_full_rebuild(warehouse: WarehouseResource) -> None:
    with warehouse.begin() as conn:
        install(conn)
        build_all(conn, FIRST_AS_OF)
        before = scorecard_rows(conn)
    assert {row[0] for row in before if row[1] == "C9"} == {MAY}
    assert min(row[0] for row in before) == date(2025, 2, 1)
    steps = [(name, statements, FIRST_AS_OF) for name, statements in CHANGES.items()]
    later = local(2025, 6, 3, 9)
    for name, statements, as_of in [*steps, ("later as_of", (), later)]:
        with warehouse.begin() as conn:
            apply(conn, statements)
            runs = build_all(conn, as_of)
            incremental = scorecard_rows(conn)
            assert contract_breaches(conn) == {}, name
        assert not runs["score766_monthly"].full, name
        with warehouse.begin() as conn:
            build_all(conn, as_of, full=True)
            assert scorecard_rows(conn) == incremental, name
        assert incremental != before, name
        before = incremental
    assert min(row[0] for row in before) == MARCH  # February went with its only case
    # The official's unit has all ten metrics in the month of as_of only, and it moved with as_of.
    official_months = {row[0] for row in before if row[1] == "C9"}
    assert official_months == {date(2025, 6, 1)} and sum(1 for row in before if row[1] == "C9") == len(
        METRICS
    )


def test_the_workbook_sheet_shows_local_due_dates_whatever_the_session_zone(
    warehouse: WarehouseResource,
) -> None:
    # Due 10/3 00:30 local, which is still 9/3 in UTC.
    late = fact("U1", local(2025, 3, 3), local(2025, 3, 10, 0, 30), local(2025, 3, 20), case_key="LATE")
    build_with(warehouse, [late, march_case("U1")])
    with warehouse.begin() as conn:
        conn.execute(text("SET LOCAL TIME ZONE 'UTC'"))
        cards = load_scorecards(conn, MARCH, AS_OF, None)
    book = Workbook()
    streamed = write_points_lost_sheet(book, item_rows(cards), MARCH)
    sheet = load_workbook(io.BytesIO(saved_workbook(book, streamed)))[SHEET_TITLE]
    found = {row[2]: row for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert found["ON_TIME"][6:8] == ("LATE", "10/03/2025")
