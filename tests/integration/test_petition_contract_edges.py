"""The petition and rating marts at the edges of the contract's literal rules, on hand-made rows, each answer
computed by hand and checked against both the product and the oracle (tests/oracle/petitions.py): the on-time
rule at E whatever the order of start_at, ended_at and E (a null deadline never met), local month bounds,
complaints judged by the complaint's own sent_at, case_key as an exact match, current units along successors,
the rating in force in byte order under a non-C database collation, the months covered and the scopes of the
suite `petitions`."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest
from psycopg import sql as pgsql
from sqlalchemy import Connection, text

from core.sql_files import sql_text
from ingest.newsys_petition import parse_petition
from ingest.newsys_rating import parse_rating
from resources.embedded_postgres import sqlalchemy_url
from resources.scratch_databases import create_database, drop_database
from resources.warehouse import WarehouseResource
from tests.builders import FETCHED, egov_case, insert, local, migrated_case, newsys_case, petition, rating, unit
from tests.integration.test_petition_marts import (
    HANDLED,
    build_all,
    land,
    own_unit,
    petition_indicator_rows,
    snapshot,
    subject,
)
from tests.oracle.model import UnitChains
from tests.oracle.petition_records import Petition, Rating, read_petition, read_rating
from tests.oracle.petitions import (
    month_range,
    petition_dq_offenders,
    petition_indicators,
    petition_row,
    rating_row,
    ratings_in_force,
)

AS_OF = local(2025, 5, 10, 12)
UTC = ZoneInfo("UTC")
FEBRUARY, MARCH, APRIL, MAY = date(2025, 2, 1), date(2025, 3, 1), date(2025, 4, 1), date(2025, 5, 1)
ON_TIME, SATISFIED = "petition_on_time_rate", "petition_satisfaction_rate"
ICU_LOCALE = "en-US"
JANUARY_CASE = {"received_at": local(2025, 1, 10), "status_code": 10, "finished_at": local(2025, 3, 1, 10),
                "due_at": local(2025, 3, 5, 17)}  # fmt: skip
Counts = dict[tuple[date, str, str], tuple[int, int]]


@pytest.fixture(params=["default-collation", "icu-en-US-collation"])
def any_collation_warehouse(
    request: pytest.FixtureRequest, pg_admin_uri: str, template_db: str
) -> Iterator[WarehouseResource]:
    """A fresh migrated warehouse, once with the server's default collation and once in a database whose
    default collation is ICU en-US (where text order is not byte order), as an independent server may be."""
    if request.param == "default-collation":
        name = create_database(pg_admin_uri, template=template_db)
    else:
        name = _icu_database(pg_admin_uri)
    warehouse = WarehouseResource(url=sqlalchemy_url(pg_admin_uri, name))
    try:
        if request.param != "default-collation":
            warehouse.migrate()
        yield warehouse
    finally:
        drop_database(pg_admin_uri, name)


def _icu_database(admin_uri: str) -> str:
    """An empty database whose default collation is ICU en-US (skips when the server has no ICU)."""
    name = create_database(admin_uri, prefix="egov_sync_test_icu_probe")
    drop_database(admin_uri, name)
    with psycopg.connect(admin_uri, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_collation WHERE collprovider = 'i' LIMIT 1").fetchone() is None:
            pytest.skip("this PostgreSQL server has no ICU collations")
        conn.execute(pgsql.SQL(
            "CREATE DATABASE {} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE {} LOCALE 'C.UTF-8'"
        ).format(pgsql.Identifier(name), pgsql.Literal(ICU_LOCALE)))  # fmt: skip
        return name


def oracle_petitions(
    rows: Iterable[dict[str, Any]], successors: dict[str, str | None] | None = None,
    case_keys: Iterable[str] = (),
) -> list[dict[str, Any]]:
    """The oracle's `mart.fact_petition` rows of hand-made raw petition rows (deleted ones left out)."""
    units, keys, fields = UnitChains(dict(successors or {})), set(case_keys), Petition.__dataclass_fields__
    return [petition_row(Petition(**{name: row[name] for name in fields}), units, keys)
            for row in rows if not row["is_deleted"]]  # fmt: skip


def oracle_ratings(rows: Iterable[dict[str, Any]], case_keys: Iterable[str]) -> list[dict[str, Any]]:
    """The oracle's `mart.fact_rating` rows of hand-made raw rating rows (deleted ones left out)."""
    keys, fields = set(case_keys), Rating.__dataclass_fields__
    return [rating_row(Rating(**{name: row[name] for name in fields}), keys) for row in rows if not row["is_deleted"]]


def fact_stub(case_key: str, **case: Any) -> SimpleNamespace:
    """A case of the universe as the oracle's counts read it (its key and the case fields they use)."""
    return SimpleNamespace(case_key=case_key, case=SimpleNamespace(**case))


def oracle_counts(petitions: list[dict[str, Any]], facts: list[SimpleNamespace]) -> Counts:
    """The oracle's petition indicators over the months its facts cover, at AS_OF."""
    return petition_indicators(petitions, month_range(facts, AS_OF), AS_OF)  # type: ignore[arg-type]


def by_unit(counts: Counts, units: Iterable[str]) -> Counts:
    """The counts of some units only."""
    wanted = set(units)
    return {key: value for key, value in counts.items() if key[1] in wanted}


def expected_counts(cases: dict[str, tuple[dict[str, Any], dict[tuple[date, str], tuple[int, int]]]]) -> Counts:
    """(month, unit, indicator) -> counts of petitions each in a unit named as the petition."""
    return {(month, key, code): counts for key, (_, rows) in cases.items() for (month, code), counts in rows.items()}


def assert_all_is_the_sum(counts: Counts) -> None:
    """The `ALL` row of each month and indicator sums its units."""
    totals: dict[tuple[date, str], list[int]] = {}
    for (month, unit_code, code), (numerator, denominator) in counts.items():
        if unit_code != "ALL":
            cell = totals.setdefault((month, code), [0, 0])
            cell[0] += numerator
            cell[1] += denominator
    assert {(m, c): (n, d) for (m, u, c), (n, d) in counts.items() if u == "ALL"} == {
        key: (n, d) for key, (n, d) in totals.items()}


def payload_row(parsed_payload: dict[str, Any], parser: Any) -> dict[str, Any]:
    """The raw row the landing writes for a valid payload (parsed by the product's parser)."""
    parsed = parser(parsed_payload)
    assert parsed.valid, parsed.reasons
    return parsed.row._asdict() | {"payload": {}, "fetched_at": FETCHED}


def petition_payload(key: str, **fields: Any) -> dict[str, Any]:
    """A valid PAKN record of unit U-NEW sent and accepted on 3/3/2025 (status 2), `fields` over it."""
    return {
        "MaPAKN": key, "MaPAKNDVCQG": "", "KenhTiepNhan": "3", "NguonChuyen": "", "TieuDe": "Phản ánh",
        "NoiDung": "Hồ sơ chậm", "NguoiPhanAnh": "Nguyễn Văn A", "SoGiayToNguoiPhanAnh": "001234567890",
        "SoDienThoai": "0900000000", "Email": "", "LoaiDoiTuong": "1", "AnDanh": "0", "DonViXuLy": "U-NEW",
        "MaLinhVuc": "LV", "MaTTHC": "", "MaHoSo": "", "PhanLoai": "1", "MaPAKNLienQuan": "",
        "NgayGui": "20250303080000", "NgayChuyenDen": "", "NgayTiepNhan": "20250303090000",
        "HanTuChoi": "20250305170000", "HanYeuCauBoSung": "20250310170000", "HanXuLy": "20250324170000",
        "HanCongKhai": "", "TrangThaiPAKN": "2", "NgayTuChoi": "", "LyDoTuChoi": "", "DanhSachYeuCauBoSung": [],
        "NgayChuyenDi": "", "DonViNhanChuyen": "", "NgayXuLyXong": "", "NgayCongKhai": "", "KetQuaXuLy": "",
        "DuongDanTepKetQua": "", "DanhGiaKetQua": "", "SoLuotThich": 0, "SoLuotKhongThich": 0,
        "QuaTrinhXuLy": [], "DongBoDVCQG": "1", "NgayCapNhat": "20250303090000", "DaXoa": "0", **fields,
    }  # fmt: skip


# Each petition in a unit of its own; (month, indicator) -> (numerator, denominator), by hand. March's E is
# 1/4 00:00 local, April's 1/5 00:00, May's the as_of 10/5 12:00. Defaults: sent 3/3 08:00, accepted 3/3
# 09:00, reject by 5/3 17:00, supplement by 10/3 17:00, handle by 24/3 17:00, status 2.
EDGES: dict[str, tuple[dict[str, Any], dict[tuple[date, str], tuple[int, int]]]] = {
    # Rejected on 2/4, after March's E: still open at March's E (due 20/4, so on time), late in April.
    "REJECTED-AFTER-E": ({"status_code": 4, "rejected_at": local(2025, 4, 2, 10), "ended_at": local(2025, 4, 2, 10),
                          "handle_due_at": local(2025, 4, 20, 17)},
                         {(MARCH, ON_TIME): (1, 1), (APRIL, ON_TIME): (0, 1), (MARCH, SATISFIED): (1, 1)}),
    "SUPPLEMENT-ASKED-AFTER-E": ({"status_code": 3, "first_request_at": local(2025, 4, 2, 9),
                                  "ended_at": local(2025, 4, 2, 9), "handle_due_at": local(2025, 4, 20, 17)},
                                 {(MARCH, ON_TIME): (1, 1), (APRIL, ON_TIME): (0, 1), (MARCH, SATISFIED): (1, 1)}),
    # Handled on 8/3, before its transfer in on 10/3 (its start): ended_at before start_at, in March.
    "HANDLED-BEFORE-TRANSFER-IN": ({"sent_at": local(2025, 2, 20), "transfer_source": "NOIBO", "transferred_in": True,
                                    "transferred_at": local(2025, 3, 10), "accepted_at": local(2025, 3, 10, 9),
                                    "status_code": 6, "handled_at": local(2025, 3, 8, 10),
                                    "ended_at": local(2025, 3, 8, 10), "publish_due_at": local(2025, 3, 15, 17),
                                    "published_at": local(2025, 3, 9), "has_answer": True},
                                   {(MARCH, ON_TIME): (1, 1), (MARCH, SATISFIED): (1, 1)}),
    # Rejected in February, transferred in (its start) in March: in no month's denominator.
    "ENDED-BEFORE-ITS-START-MONTH": ({"sent_at": local(2025, 2, 20), "transfer_source": "VPCP",
                                      "transferred_in": True, "transferred_at": local(2025, 3, 2),
                                      "accepted_at": None, "status_code": 4, "rejected_at": local(2025, 2, 25),
                                      "ended_at": local(2025, 2, 25)}, {}),
    "REJECTED-AT-THE-DEADLINE": ({"status_code": 4, "rejected_at": local(2025, 3, 5, 17),
                                  "ended_at": local(2025, 3, 5, 17)},
                                 {(MARCH, ON_TIME): (1, 1), (MARCH, SATISFIED): (1, 1)}),
    "OPEN-DUE-AT-P-END": ({"handle_due_at": local(2025, 4, 1, 0)},
                          {(MARCH, ON_TIME): (1, 1), (APRIL, ON_TIME): (0, 1), (MAY, ON_TIME): (0, 1),
                           (MARCH, SATISFIED): (1, 1)}),
    # A null publishing deadline is never met, published or not.
    "PUBLISH-DUE-NULL": (HANDLED | {"publish_due_at": None}, {(MARCH, ON_TIME): (0, 1), (MARCH, SATISFIED): (0, 1)}),
    "UNPUBLISHED-PUBLISH-DUE-NULL": (HANDLED | {"publish_due_at": None, "published_at": None},
                                     {(MARCH, ON_TIME): (0, 1), (MARCH, SATISFIED): (0, 1)}),
    "PUBLISHED-BEFORE-HANDLED": (HANDLED | {"status_code": 7, "published_at": local(2025, 3, 19)},
                                 {(MARCH, ON_TIME): (1, 1), (MARCH, SATISFIED): (1, 1)}),
    # Publishing due 30/3, not published by March's E (1/4): late in March (the rule, literally).
    "PUBLISH-DUE-IN-P-PUBLISHED-AFTER-P": (HANDLED | {"status_code": 7, "publish_due_at": local(2025, 3, 30, 17),
                                                      "published_at": local(2025, 4, 2)},
                                           {(MARCH, ON_TIME): (0, 1), (MARCH, SATISFIED): (0, 1)}),
    # Handled 5/5, not published at the as_of (10/5 12:00): on time while the publishing deadline is ahead.
    "AWAITING-PUBLICATION-AT-AS-OF": ({"sent_at": local(2025, 5, 2), "accepted_at": local(2025, 5, 2, 9),
                                       "handle_due_at": local(2025, 5, 8, 17), "status_code": 6,
                                       "handled_at": local(2025, 5, 5, 10), "ended_at": local(2025, 5, 5, 10),
                                       "publish_due_at": local(2025, 5, 12, 17), "has_answer": True},
                                      {(MAY, ON_TIME): (1, 1), (MAY, SATISFIED): (1, 1)}),
    "PUBLICATION-OVERDUE-AT-AS-OF": ({"sent_at": local(2025, 5, 2), "accepted_at": local(2025, 5, 2, 9),
                                      "handle_due_at": local(2025, 5, 8, 17), "status_code": 6,
                                      "handled_at": local(2025, 5, 5, 10), "ended_at": local(2025, 5, 5, 10),
                                      "publish_due_at": local(2025, 5, 9, 17), "has_answer": True},
                                     {(MAY, ON_TIME): (0, 1), (MAY, SATISFIED): (0, 1)}),
    # Sent after the as_of, in its month: open at E = as_of, before its deadline.
    "SENT-AFTER-AS-OF": ({"status_code": 1, "sent_at": local(2025, 5, 15), "accepted_at": None,
                          "handle_due_at": local(2025, 6, 5, 17)}, {(MAY, ON_TIME): (1, 1)}),
    # 31/3 17:30 UTC is 1/4 00:30 in Hanoi: April; 16:59:59 UTC is 31/3 23:59:59: March.
    "STARTS-AT-LOCAL-MIDNIGHT": ({"sent_at": datetime(2025, 3, 31, 17, 30, tzinfo=UTC),
                                  "accepted_at": datetime(2025, 3, 31, 17, 30, tzinfo=UTC),
                                  "handle_due_at": local(2025, 5, 20, 17)},
                                 {(APRIL, ON_TIME): (1, 1), (MAY, ON_TIME): (1, 1), (APRIL, SATISFIED): (1, 1)}),
    "STARTS-JUST-BEFORE-LOCAL-MIDNIGHT": ({"sent_at": datetime(2025, 3, 31, 16, 59, 59, tzinfo=UTC),
                                           "accepted_at": datetime(2025, 3, 31, 16, 59, 59, tzinfo=UTC),
                                           "handle_due_at": local(2025, 5, 20, 17)},
                                          {(MARCH, ON_TIME): (1, 1), (APRIL, ON_TIME): (1, 1),
                                           (MAY, ON_TIME): (1, 1), (MARCH, SATISFIED): (1, 1)}),
    # Rejected (late) at 1/4 00:00 local exactly: ended at March's E, and counted in April (ended >= P_start).
    "REJECTED-AT-LOCAL-MIDNIGHT": ({"status_code": 4, "rejected_at": datetime(2025, 3, 31, 17, tzinfo=UTC),
                                    "ended_at": datetime(2025, 3, 31, 17, tzinfo=UTC)},
                                   {(MARCH, ON_TIME): (0, 1), (APRIL, ON_TIME): (0, 1), (MARCH, SATISFIED): (0, 1)}),
    "EVEN-VOTES-NO-ANSWER-RATING": (HANDLED | {"likes": 2, "dislikes": 2, "answer_rating": None},
                                    {(MARCH, ON_TIME): (1, 1), (MARCH, SATISFIED): (1, 1)}),
}  # fmt: skip


def test_on_time_at_e_whatever_the_order_in_local_months(warehouse: WarehouseResource) -> None:
    rows = [own_unit(key, **values) for key, (values, _) in EDGES.items()]
    with warehouse.begin() as conn:
        insert(conn, "newsys_case", newsys_case("HS-1", **JANUARY_CASE))
        insert(conn, "newsys_petition", *rows)
        build_all(conn)
        published = petition_indicator_rows(conn)
    expected = expected_counts(EDGES)
    assert by_unit(published, EDGES) == expected
    assert_all_is_the_sum(published)
    oracle = oracle_counts(oracle_petitions(rows), [fact_stub("HS-1", **JANUARY_CASE)])
    assert by_unit(oracle, EDGES) == expected


COMPLAINT_TARGETS = ("TARGET-A", "TARGET-B", "TARGET-C", "TARGET-D", "TARGET-E", "TARGET-G")


def complaint_rows() -> list[dict[str, Any]]:
    """Handled petitions (each in its own unit) and the complaints about them, all in unit COMPLAINERS."""
    april_target = {"sent_at": local(2025, 4, 1), "accepted_at": local(2025, 4, 2, 9),
                    "reject_due_at": local(2025, 4, 3, 17), "supplement_due_at": local(2025, 4, 8, 17),
                    "handle_due_at": local(2025, 4, 20, 17), "status_code": 6, "handled_at": local(2025, 4, 10, 10),
                    "ended_at": local(2025, 4, 10, 10), "publish_due_at": local(2025, 4, 17, 17),
                    "published_at": local(2025, 4, 11), "has_answer": True}  # fmt: skip
    targets = [own_unit(key, **HANDLED) for key in COMPLAINT_TARGETS[:-1]] + [own_unit("TARGET-G", **april_target)]
    complaint = {"original_unit_code": "COMPLAINERS", "sent_at": local(2025, 3, 20),
                 "accepted_at": local(2025, 3, 20, 9), "handle_due_at": local(2025, 4, 30, 17)}  # fmt: skip
    complaints = [
        # Rejected at reception, never accepted, sent one second before March's P_end.
        petition("C-A", **complaint | {"related_petition_no": "TARGET-A", "sent_at": local(2025, 3, 31, 23, 59, 59),
                                       "accepted_at": None, "status_code": 4, "rejected_at": local(2025, 4, 1, 10),
                                       "ended_at": local(2025, 4, 1, 10)}),
        # Sent at March's P_end exactly: not before it.
        petition("C-B", **complaint | {"related_petition_no": "TARGET-B", "sent_at": local(2025, 4, 1, 0),
                                       "accepted_at": local(2025, 4, 1, 9)}),
        # Sent in March, transferred in (its start) only in April: its sent_at counts, not its start.
        petition("C-C", **complaint | {"related_petition_no": "TARGET-C", "transfer_source": "NOIBO",
                                       "transferred_in": True, "transferred_at": local(2025, 4, 5),
                                       "accepted_at": local(2025, 4, 5, 9)}),
        petition("C-D", **complaint | {"related_petition_no": "TARGET-D", "is_deleted": True}),
        petition("C-E", **complaint | {"related_petition_no": "target-e"}),
        # Sent in March about a petition accepted in April (whatever the order): complained before April's end.
        petition("C-G", **complaint | {"related_petition_no": "TARGET-G"}),
    ]  # fmt: skip
    return targets + complaints


COMPLAINT_COUNTS: Counts = {
    **{(MARCH, key, ON_TIME): (1, 1) for key in COMPLAINT_TARGETS[:-1]},
    (MARCH, "TARGET-A", SATISFIED): (0, 1), (MARCH, "TARGET-B", SATISFIED): (1, 1),
    (MARCH, "TARGET-C", SATISFIED): (0, 1), (MARCH, "TARGET-D", SATISFIED): (1, 1),
    (MARCH, "TARGET-E", SATISFIED): (1, 1),
    (APRIL, "TARGET-G", ON_TIME): (1, 1), (APRIL, "TARGET-G", SATISFIED): (0, 1),
}  # fmt: skip


def test_complaints_count_by_the_complaints_own_sent_at_before_p_end(warehouse: WarehouseResource) -> None:
    rows = complaint_rows()
    with warehouse.begin() as conn:
        insert(conn, "newsys_case", newsys_case("HS-1", **JANUARY_CASE))
        insert(conn, "newsys_petition", *rows)
        build_all(conn)
        published = petition_indicator_rows(conn)
    assert by_unit(published, COMPLAINT_TARGETS) == COMPLAINT_COUNTS
    assert_all_is_the_sum(published)
    oracle = oracle_counts(oracle_petitions(rows), [fact_stub("HS-1", **JANUARY_CASE)])
    assert by_unit(oracle, COMPLAINT_TARGETS) == COMPLAINT_COUNTS
