"""The petition and rating marts at the edges of the contract's literal rules, on hand-made rows, each answer
computed by hand and checked against both the product and the oracle (tests/oracle/petitions.py): the on-time
rule at E whatever the order of start_at, ended_at and E (a null deadline never met), local month bounds,
complaints judged by the complaint's own sent_at, case_key as an exact match, current units along successors,
the rating in force in byte order under a non-C database collation, the months covered and the scopes of the
suite `petitions`."""

from __future__ import annotations

import random
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
from expectations.run import run_row_rules
from ingest.newsys_petition import parse_petition
from ingest.newsys_rating import parse_rating
from resources.embedded_postgres import sqlalchemy_url
from resources.scratch_databases import create_database, drop_database
from resources.warehouse import WarehouseResource
from tests.builders import (
    CUTOVER,
    FETCHED,
    egov_case,
    insert,
    local,
    migrated_case,
    newsys_case,
    petition,
    rating,
    unit,
)
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
Count = tuple[int, int]
Counts = dict[tuple[date, str, str], Count]


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
    rows: Iterable[dict[str, Any]],
    successors: dict[str, str | None] | None = None,
    case_keys: Iterable[str] = (),
) -> list[dict[str, Any]]:
    """The oracle's `mart.fact_petition` rows of hand-made raw petition rows (deleted ones left out)."""
    units, keys, fields = UnitChains(dict(successors or {})), set(case_keys), Petition.__dataclass_fields__
    return [petition_row(Petition(**{name: row[name] for name in fields}), units, keys)
            for row in rows if not row["is_deleted"]]  # fmt: skip


def oracle_ratings(rows: Iterable[dict[str, Any]], case_keys: Iterable[str]) -> list[dict[str, Any]]:
    """The oracle's `mart.fact_rating` rows of hand-made raw rating rows (deleted ones left out)."""
    keys, fields = set(case_keys), Rating.__dataclass_fields__
    return [rating_row(Rating(**{name: row[name] for name in fields}), keys)
            for row in rows if not row["is_deleted"]]  # fmt: skip


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


def expected_counts(cases: dict[str, tuple[dict[str, Any], dict[tuple[date, str], Count]]]) -> Counts:
    """(month, unit, indicator) -> counts of petitions each in a unit named as the petition."""
    return {(month, key, code): counts
            for key, (_, rows) in cases.items() for (month, code), counts in rows.items()}  # fmt: skip


def assert_all_is_the_sum(counts: Counts) -> None:
    """The `ALL` row of each month and indicator sums its units."""
    totals: dict[tuple[date, str], list[int]] = {}
    for (month, unit_code, code), (numerator, denominator) in counts.items():
        if unit_code != "ALL":
            cell = totals.setdefault((month, code), [0, 0])
            cell[0] += numerator
            cell[1] += denominator
    assert {(m, c): (n, d) for (m, u, c), (n, d) in counts.items() if u == "ALL"} == {
        key: (n, d) for key, (n, d) in totals.items()
    }


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
        "HanCongKhai": "", "TrangThaiPAKN": "2", "NgayTuChoi": "", "LyDoTuChoi": "",
        "DanhSachYeuCauBoSung": [], "NgayChuyenDi": "", "DonViNhanChuyen": "", "NgayXuLyXong": "",
        "NgayCongKhai": "", "KetQuaXuLy": "",
        "DuongDanTepKetQua": "", "DanhGiaKetQua": "", "SoLuotThich": 0, "SoLuotKhongThich": 0,
        "QuaTrinhXuLy": [], "DongBoDVCQG": "1", "NgayCapNhat": "20250303090000", "DaXoa": "0", **fields,
    }  # fmt: skip


# Each petition in a unit of its own; (month, indicator) -> (numerator, denominator), by hand. March's E is
# 1/4 00:00 local, April's 1/5 00:00, May's the as_of 10/5 12:00. Defaults: sent 3/3 08:00, accepted 3/3
# 09:00, reject by 5/3 17:00, supplement by 10/3 17:00, handle by 24/3 17:00, status 2.
EDGES: dict[str, tuple[dict[str, Any], dict[tuple[date, str], tuple[int, int]]]] = {
    # Rejected on 2/4, after March's E: still open at March's E (due 20/4, so on time), late in April.
    "REJECTED-AFTER-E": (
        {"status_code": 4, "rejected_at": local(2025, 4, 2, 10), "ended_at": local(2025, 4, 2, 10),
         "handle_due_at": local(2025, 4, 20, 17)},
        {(MARCH, ON_TIME): (1, 1), (APRIL, ON_TIME): (0, 1), (MARCH, SATISFIED): (1, 1)}),
    "SUPPLEMENT-ASKED-AFTER-E": (
        {"status_code": 3, "first_request_at": local(2025, 4, 2, 9), "ended_at": local(2025, 4, 2, 9),
         "handle_due_at": local(2025, 4, 20, 17)},
        {(MARCH, ON_TIME): (1, 1), (APRIL, ON_TIME): (0, 1), (MARCH, SATISFIED): (1, 1)}),
    # Handled on 8/3, before its transfer in on 10/3 (its start): ended_at before start_at, in March.
    "HANDLED-BEFORE-TRANSFER-IN": (
        {"sent_at": local(2025, 2, 20), "transfer_source": "NOIBO", "transferred_in": True,
         "transferred_at": local(2025, 3, 10), "accepted_at": local(2025, 3, 10, 9), "status_code": 6,
         "handled_at": local(2025, 3, 8, 10), "ended_at": local(2025, 3, 8, 10),
         "publish_due_at": local(2025, 3, 15, 17), "published_at": local(2025, 3, 9), "has_answer": True},
        {(MARCH, ON_TIME): (1, 1), (MARCH, SATISFIED): (1, 1)}),
    # Rejected in February, transferred in (its start) in March: in no month's denominator.
    "ENDED-BEFORE-ITS-START-MONTH": (
        {"sent_at": local(2025, 2, 20), "transfer_source": "VPCP", "transferred_in": True,
         "transferred_at": local(2025, 3, 2), "accepted_at": None, "status_code": 4,
         "rejected_at": local(2025, 2, 25), "ended_at": local(2025, 2, 25)},
        {}),
    "REJECTED-AT-THE-DEADLINE": (
        {"status_code": 4, "rejected_at": local(2025, 3, 5, 17), "ended_at": local(2025, 3, 5, 17)},
        {(MARCH, ON_TIME): (1, 1), (MARCH, SATISFIED): (1, 1)}),
    "OPEN-DUE-AT-P-END": (
        {"handle_due_at": local(2025, 4, 1, 0)},
        {(MARCH, ON_TIME): (1, 1), (APRIL, ON_TIME): (0, 1), (MAY, ON_TIME): (0, 1),
         (MARCH, SATISFIED): (1, 1)}),
    # A null publishing deadline is never met, published or not.
    "PUBLISH-DUE-NULL": (
        HANDLED | {"publish_due_at": None},
        {(MARCH, ON_TIME): (0, 1), (MARCH, SATISFIED): (0, 1)}),
    "UNPUBLISHED-PUBLISH-DUE-NULL": (
        HANDLED | {"publish_due_at": None, "published_at": None},
        {(MARCH, ON_TIME): (0, 1), (MARCH, SATISFIED): (0, 1)}),
    "PUBLISHED-BEFORE-HANDLED": (
        HANDLED | {"status_code": 7, "published_at": local(2025, 3, 19)},
        {(MARCH, ON_TIME): (1, 1), (MARCH, SATISFIED): (1, 1)}),
    # Publishing due 30/3, not published by March's E (1/4): late in March (the rule, literally).
    "PUBLISH-DUE-IN-P-PUBLISHED-AFTER-P": (
        HANDLED | {"status_code": 7, "publish_due_at": local(2025, 3, 30, 17),
                   "published_at": local(2025, 4, 2)},
        {(MARCH, ON_TIME): (0, 1), (MARCH, SATISFIED): (0, 1)}),
    # Handled 5/5, not published at the as_of (10/5 12:00): on time while the publishing deadline is ahead.
    "AWAITING-PUBLICATION-AT-AS-OF": (
        {"sent_at": local(2025, 5, 2), "accepted_at": local(2025, 5, 2, 9),
         "handle_due_at": local(2025, 5, 8, 17), "status_code": 6, "handled_at": local(2025, 5, 5, 10),
         "ended_at": local(2025, 5, 5, 10),
         "publish_due_at": local(2025, 5, 12, 17), "has_answer": True},
        {(MAY, ON_TIME): (1, 1), (MAY, SATISFIED): (1, 1)}),
    "PUBLICATION-OVERDUE-AT-AS-OF": (
        {"sent_at": local(2025, 5, 2), "accepted_at": local(2025, 5, 2, 9),
         "handle_due_at": local(2025, 5, 8, 17), "status_code": 6, "handled_at": local(2025, 5, 5, 10),
         "ended_at": local(2025, 5, 5, 10),
         "publish_due_at": local(2025, 5, 9, 17), "has_answer": True},
        {(MAY, ON_TIME): (0, 1), (MAY, SATISFIED): (0, 1)}),
    # Sent after the as_of, in its month: open at E = as_of, before its deadline.
    "SENT-AFTER-AS-OF": (
        {"status_code": 1, "sent_at": local(2025, 5, 15), "accepted_at": None,
         "handle_due_at": local(2025, 6, 5, 17)},
        {(MAY, ON_TIME): (1, 1)}),
    # 31/3 17:30 UTC is 1/4 00:30 in Hanoi: April; 16:59:59 UTC is 31/3 23:59:59: March.
    "STARTS-AT-LOCAL-MIDNIGHT": (
        {"sent_at": datetime(2025, 3, 31, 17, 30, tzinfo=UTC),
         "accepted_at": datetime(2025, 3, 31, 17, 30, tzinfo=UTC), "handle_due_at": local(2025, 5, 20, 17)},
        {(APRIL, ON_TIME): (1, 1), (MAY, ON_TIME): (1, 1), (APRIL, SATISFIED): (1, 1)}),
    "STARTS-JUST-BEFORE-LOCAL-MIDNIGHT": (
        {"sent_at": datetime(2025, 3, 31, 16, 59, 59, tzinfo=UTC),
         "accepted_at": datetime(2025, 3, 31, 16, 59, 59, tzinfo=UTC),
         "handle_due_at": local(2025, 5, 20, 17)},
        {(MARCH, ON_TIME): (1, 1), (APRIL, ON_TIME): (1, 1), (MAY, ON_TIME): (1, 1),
         (MARCH, SATISFIED): (1, 1)}),
    # Rejected (late) at 1/4 00:00 local exactly: ended at March's E, and counted in April (ended >= P_start).
    "REJECTED-AT-LOCAL-MIDNIGHT": (
        {"status_code": 4, "rejected_at": datetime(2025, 3, 31, 17, tzinfo=UTC),
         "ended_at": datetime(2025, 3, 31, 17, tzinfo=UTC)},
        {(MARCH, ON_TIME): (0, 1), (APRIL, ON_TIME): (0, 1), (MARCH, SATISFIED): (0, 1)}),
    "EVEN-VOTES-NO-ANSWER-RATING": (
        HANDLED | {"likes": 2, "dislikes": 2, "answer_rating": None},
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
                    "handle_due_at": local(2025, 4, 20, 17), "status_code": 6,
                    "handled_at": local(2025, 4, 10, 10), "ended_at": local(2025, 4, 10, 10),
                    "publish_due_at": local(2025, 4, 17, 17),
                    "published_at": local(2025, 4, 11), "has_answer": True}  # fmt: skip
    targets = [own_unit(key, **HANDLED) for key in COMPLAINT_TARGETS[:-1]]
    targets.append(own_unit("TARGET-G", **april_target))
    complaint = {"original_unit_code": "COMPLAINERS", "sent_at": local(2025, 3, 20),
                 "accepted_at": local(2025, 3, 20, 9), "handle_due_at": local(2025, 4, 30, 17)}  # fmt: skip
    complaints = [
        # Rejected at reception, never accepted, sent one second before March's P_end.
        petition("C-A", **complaint | {"related_petition_no": "TARGET-A",
                                       "sent_at": local(2025, 3, 31, 23, 59, 59), "accepted_at": None,
                                       "status_code": 4, "rejected_at": local(2025, 4, 1, 10),
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
        # Sent in March about a petition accepted in April (whatever the order): complained before its P_end.
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


FACT_CASE_KEYS = {"HS-1", "HS-Ế1", "HS-M", "EGOV:000.31-0007"}
SUCCESSORS = {"U-OLD": "U-MID", "U-MID": "U-NEW", "U-NEW": None}
NFD_CASE_NO = unicodedata.normalize("NFD", "  HS-Ế1 ")


def install_cases_and_units(conn: Connection) -> None:
    """Cases HS-1 and HS-Ế1, an Egov-only case 000.31-0007, a migrated HS-M of Egov 000.31-0008; and
    U-OLD -> U-MID -> U-NEW, the first two ceased."""
    insert(conn, "newsys_case", newsys_case("HS-1", **JANUARY_CASE), newsys_case("HS-Ế1", **JANUARY_CASE),
           migrated_case("HS-M", "000.31-0008"))  # fmt: skip
    insert(conn, "egov_case", egov_case("000.31-0007"), egov_case("000.31-0008"))
    insert(conn, "newsys_unit", unit("U-OLD", "U-MID", ceased_at=local(2025, 7, 1, 0)),
           unit("U-MID", "U-NEW", ceased_at=local(2025, 7, 1, 0)), unit("U-NEW"))  # fmt: skip


def about_case_rows() -> list[dict[str, Any]]:
    """Petitions of U-OLD naming cases in every way, a rejected and a moved-out one; two parsed from records:
    P-NFD (a case number in NFD with spaces, an answer only as a file, a unit not in /units) and P-REQUESTS
    (status 3, its requests unordered with empty ones)."""
    old = {"original_unit_code": "U-OLD"}
    rows = [petition(key, **old, case_no=case_no) for key, case_no in (
        ("P-HS-1", "HS-1"), ("P-LOWER", "hs-1"), ("P-EGOV-KEY", "EGOV:000.31-0007"),
        ("P-EGOV-BARE", "000.31-0007"), ("P-LEGACY", "000.31-0008"), ("P-MIGRATED", "HS-M"),
        ("P-NO-CASE", None))]  # fmt: skip
    rows.append(
        petition(
            "P-REJECTED",
            **old,
            status_code=4,
            rejected_at=local(2025, 3, 4),
            ended_at=local(2025, 3, 4),
            reject_reason="Trùng lặp",
            has_reject_reason=True,
        )
    )
    rows.append(petition("P-MOVED-OUT", **old, status_code=5, moved_out_at=local(2025, 3, 4),
                         ended_at=local(2025, 3, 4)))  # fmt: skip
    rows.append(payload_row(petition_payload(
        "P-NFD", MaHoSo=NFD_CASE_NO, DonViXuLy="U-NOT-LISTED", TrangThaiPAKN="7",
        NgayXuLyXong="20250320100000",
        HanCongKhai="20250327170000", NgayCongKhai="20250326090000", DuongDanTepKetQua="/files/tl.pdf",
    ), parse_petition))  # fmt: skip
    rows.append(payload_row(PARSED_REQUESTS, parse_petition))
    return rows


PARSED_REQUESTS = petition_payload("P-REQUESTS", TrangThaiPAKN="3", DanhSachYeuCauBoSung=[
    {"NgayYeuCauBoSung": "", "NgayTiepNhanBoSung": "", "NoiDungBoSung": "chưa gửi"},
    {"NgayYeuCauBoSung": "20250309100000", "NgayTiepNhanBoSung": "", "NoiDungBoSung": "bản sao"},
    {"NgayYeuCauBoSung": "   ", "NgayTiepNhanBoSung": "", "NoiDungBoSung": ""},
    {"NgayYeuCauBoSung": "20250307100000", "NgayTiepNhanBoSung": "20250308100000", "NoiDungBoSung": "ảnh"},
])  # fmt: skip
ABOUT_CASE = {"P-HS-1": "HS-1", "P-LOWER": None, "P-EGOV-KEY": "EGOV:000.31-0007", "P-EGOV-BARE": None,
              "P-LEGACY": None, "P-MIGRATED": "HS-M", "P-NFD": "HS-Ế1"}  # fmt: skip


def test_case_key_is_an_exact_match_units_follow_successors_and_the_petition_scopes(
    any_collation_warehouse: WarehouseResource,
) -> None:
    rows = about_case_rows()
    with any_collation_warehouse.begin() as conn:
        install_cases_and_units(conn)
        insert(conn, "newsys_petition", *rows)
        build_all(conn)
        case_keys = set(conn.execute(text("SELECT case_key FROM mart.fact_case")).scalars())
        found = conn.execute(text("SELECT * FROM mart.fact_petition")).mappings()
        published = {r["petition_key"]: r for r in found}
        names = ("petition_case_exists", "petition_answered_has_result", "petition_rejected_has_reason")
        scopes = {name: subject(conn, name) for name in names}
        counted_units = {u for (_, u, _) in petition_indicator_rows(conn)}
    assert case_keys == FACT_CASE_KEYS
    oracle = {r["petition_key"]: r for r in oracle_petitions(rows, SUCCESSORS, FACT_CASE_KEYS)}
    oracle["P-NFD"] = petition_row(
        read_petition(petition_payload("P-NFD", MaHoSo=NFD_CASE_NO, DonViXuLy="U-NOT-LISTED")).value,
        UnitChains(SUCCESSORS),
        FACT_CASE_KEYS,
    )
    for found in (published, oracle):
        assert {key: found[key]["case_key"] for key in ABOUT_CASE} == ABOUT_CASE
        assert found["P-NFD"]["case_no"] == unicodedata.normalize("NFC", "HS-Ế1")
        assert {key: row["unit_code"] for key, row in found.items() if key != "P-NFD"} == {
            key: "U-NEW" for key in found if key != "P-NFD"
        }
        assert found["P-NFD"]["unit_code"] == "U-NOT-LISTED"
        assert found["P-HS-1"]["original_unit_code"] == "U-OLD"
    assert counted_units == {"U-NEW", "U-NOT-LISTED", "ALL"}
    requests = read_petition(PARSED_REQUESTS).value
    assert published["P-REQUESTS"]["ended_at"] == requests.ended_at == local(2025, 3, 7, 10)
    expected_scopes = {
        "petition_case_exists": {key: case_key is not None for key, case_key in ABOUT_CASE.items()},
        "petition_answered_has_result": {"P-NFD": True},
        "petition_rejected_has_reason": {"P-REJECTED": True},
    }
    assert scopes == expected_scopes
    offenders = petition_dq_offenders(list(published.values()), [], [])  # type: ignore[arg-type]
    assert {name: {key: key not in offenders[name][1] for key in offenders[name][0]}
            for name in expected_scopes} == expected_scopes  # fmt: skip


def rating_rows() -> list[dict[str, Any]]:
    """Ratings of every case at the edges of the rating-in-force rule (see the test's expectations)."""
    tie = local(2025, 4, 2, 10)
    return [
        rating("DG-z", "HS-1", rated_at=tie, level=3),
        rating("DG-é", "HS-1", rated_at=tie, level=1),  # é (C3 A9) > z (7A) in bytes: in force
        rating("DG-C", "HS-6", rated_at=tie, level=3),
        rating("DG-b", "HS-6", rated_at=tie, level=1),  # b (62) > C (43) in bytes: in force
        rating("DG-2-OLD", "HS-2", rated_at=local(2025, 4, 1), level=2),
        rating("DG-2-NEW", "HS-2", rated_at=local(2025, 4, 3), level=3, in_force=False),
        rating("DG-3", "HS-3", level=3, in_force=False),
        rating("DG-4", "HS-4", level=2),
        rating("DG-5-DELETED", "HS-5", rated_at=local(2025, 4, 5), level=1, is_deleted=True),
        rating("DG-5", "HS-5", level=3, by_applicant=False, channel=5),
        rating("DG-E", "EGOV:000.31-0007", level=1),
        rating("DG-UNKNOWN", "HS-404", level=1),
        payload_row({"MaDanhGia": "DG-2-UNFLAGGED", "MaHoSo": "  HS-2  ", "KenhDanhGia": "3",
                     "ThoiDiemDanhGia": "20250404100000", "MucDoHaiLong": "3", "ChiSo": [], "GopY": "",
                     "DanhGiaBoiChuHoSo": "1", "HieuLuc": "", "NgayCapNhat": "20250404100000", "DaXoa": ""},
                    parse_rating),  # HieuLuc "" reads "0": not in force
    ]  # fmt: skip


RATED_CASES = {"HS-1": 1, "HS-6": 1, "HS-2": 2, "HS-3": 3, "HS-4": None, "HS-5": 3}
IN_FORCE = {"HS-1": "DG-é", "HS-6": "DG-b", "HS-2": "DG-2-OLD", "HS-4": "DG-4", "HS-5": "DG-5",
            "EGOV:000.31-0007": "DG-E"}  # fmt: skip
CASE_RATING_MATCHES = {"HS-1": True, "HS-6": True, "HS-2": True, "HS-4": False, "HS-5": True,
                       "EGOV:000.31-0007": True}  # fmt: skip


def test_the_rating_in_force_is_chosen_in_byte_order_under_any_collation(
    any_collation_warehouse: WarehouseResource,
) -> None:
    ratings = rating_rows()
    with any_collation_warehouse.begin() as conn:
        insert(conn, "newsys_case", *(newsys_case(key, **JANUARY_CASE | {"rating": level})
                                      for key, level in RATED_CASES.items()))  # fmt: skip
        insert(conn, "egov_case", egov_case("000.31-0007", rating=1))
        insert(conn, "newsys_rating", *ratings)
        build_all(conn)
        fragment = sql_text("queries/fact_rating.sql", "ratings_in_force")
        in_force = dict(conn.execute(text(f"SELECT case_key, rating_key FROM ({fragment}) AS f")).all())
        fact_rating = {r.rating_key: (r.case_no, r.case_key, r.in_force)
                       for r in conn.execute(text("SELECT * FROM mart.fact_rating"))}  # fmt: skip
        matches = subject(conn, "case_rating_matches_rating_in_force")
        unknown = {key for key, passed in subject(conn, "rating_case_exists").items() if not passed}
    assert in_force == IN_FORCE
    assert fact_rating["DG-2-UNFLAGGED"] == ("HS-2", "HS-2", False) and "DG-5-DELETED" not in fact_rating
    assert matches == CASE_RATING_MATCHES and unknown == {"DG-UNKNOWN"}
    case_keys = {*RATED_CASES, "EGOV:000.31-0007"}
    oracle_rows = oracle_ratings(ratings, case_keys)
    assert {key: row["rating_key"] for key, row in ratings_in_force(oracle_rows).items()} == IN_FORCE
    facts = [fact_stub(key, rating=level) for key, level in (RATED_CASES | {"EGOV:000.31-0007": 1}).items()]
    scope, bad = petition_dq_offenders([], oracle_rows, facts)["case_rating_matches_rating_in_force"]  # type: ignore[arg-type]
    assert {key: key not in bad for key in scope} == CASE_RATING_MATCHES
    unflagged = {"MaDanhGia": "X", "MaHoSo": "HS-2", "KenhDanhGia": "3", "ThoiDiemDanhGia": "20250404100000",
                 "MucDoHaiLong": "3", "HieuLuc": ""}  # fmt: skip
    assert read_rating(unflagged).value.in_force is False


MONTH_CASES = {
    "HS-REFUSED": {"status_code": 3, "received_at": local(2025, 1, 10), "finished_at": local(2025, 1, 11),
                   "due_at": local(2025, 1, 20, 17)},
    "HS-REGISTERED": {"status_code": 1, "received_at": local(2025, 1, 15), "due_at": local(2025, 1, 30, 17)},
    "HS-FIRST": {"status_code": 2, "received_at": local(2025, 3, 5), "due_at": local(2025, 3, 20, 17)},
}  # fmt: skip
MONTH_PETITIONS: dict[str, tuple[dict[str, Any], dict[tuple[date, str], tuple[int, int]]]] = {
    # Open since February (not a month of the mart: the first received case is of March), due 20/3.
    "FEB-OPEN": ({"sent_at": local(2025, 2, 10), "accepted_at": local(2025, 2, 10, 9),
                  "handle_due_at": local(2025, 3, 20, 17)},
                 {(MARCH, ON_TIME): (0, 1), (APRIL, ON_TIME): (0, 1), (MAY, ON_TIME): (0, 1)}),
    "FEB-CLOSED": ({"sent_at": local(2025, 2, 10), "accepted_at": local(2025, 2, 10, 9), "status_code": 4,
                    "rejected_at": local(2025, 2, 11), "ended_at": local(2025, 2, 11)}, {}),
    "APRIL-ONLY": ({"sent_at": local(2025, 4, 3), "accepted_at": local(2025, 4, 3, 9), "status_code": 4,
                    "reject_due_at": local(2025, 4, 5, 17), "rejected_at": local(2025, 4, 4),
                    "ended_at": local(2025, 4, 4)},
                   {(APRIL, ON_TIME): (1, 1), (APRIL, SATISFIED): (1, 1)}),
    "AFTER-THE-AS-OF-MONTH": ({"sent_at": local(2025, 6, 2), "accepted_at": local(2025, 6, 2, 9),
                               "handle_due_at": local(2025, 6, 20, 17)}, {}),
}  # fmt: skip


def test_the_petition_months_are_those_of_the_other_indicators(warehouse: WarehouseResource) -> None:
    rows = [own_unit(key, **values) for key, (values, _) in MONTH_PETITIONS.items()]
    with warehouse.begin() as conn:
        insert(conn, "newsys_case", *(newsys_case(key, **values) for key, values in MONTH_CASES.items()))
        insert(conn, "newsys_petition", *rows)
        build_all(conn)
        published = petition_indicator_rows(conn)
        months = set(conn.execute(text("SELECT DISTINCT period_month FROM mart.indicator_monthly"
                                       " WHERE indicator_code NOT LIKE 'petition%'")).scalars())  # fmt: skip
    expected = expected_counts(MONTH_PETITIONS)
    assert {key: value for key, value in published.items() if key[1] != "ALL"} == expected
    assert {month for (month, _, _) in published} <= months | {APRIL, MAY}
    facts = [fact_stub(key, **values) for key, values in MONTH_CASES.items()]
    assert by_unit(oracle_counts(oracle_petitions(rows), facts), MONTH_PETITIONS) == expected


def test_a_late_complaint_a_late_case_and_a_late_tie_equal_a_full_rebuild(
    warehouse: WarehouseResource,
) -> None:
    later = local(2025, 5, 11, 9)
    with warehouse.begin() as conn:
        insert(conn, "newsys_case", newsys_case("HS-1", **JANUARY_CASE | {"rating": 1}))
        insert(conn, "newsys_petition", own_unit("TARGET-A", **HANDLED),
               own_unit("P-LATE-CASE", case_no="HS-LATE"))  # fmt: skip
        insert(conn, "newsys_rating", rating("DG-z", "HS-1", level=3, rated_at=local(2025, 4, 2, 10)),
               rating("DG-LATE", "HS-LATE", level=2))  # fmt: skip
        build_all(conn)
        assert petition_indicator_rows(conn)[(MARCH, "TARGET-A", SATISFIED)] == (1, 1)
        assert subject(conn, "petition_case_exists") == {"P-LATE-CASE": False}
    with warehouse.begin() as conn:
        insert(conn, "newsys_petition", petition(
            "C-A", original_unit_code="COMPLAINERS", related_petition_no="TARGET-A",
            sent_at=local(2025, 3, 31, 23, 59, 59), accepted_at=None))  # fmt: skip
        insert(conn, "newsys_case", newsys_case("HS-LATE", **JANUARY_CASE | {"rating": 2}))
        insert(conn, "newsys_rating", rating("DG-é", "HS-1", level=1, rated_at=local(2025, 4, 2, 10)))
        land(conn, "petition", "C-A")
        land(conn, "case", "HS-LATE")
        land(conn, "rating", "DG-é")
        runs = build_all(conn, later)
        incremental = snapshot(conn)
        counts = petition_indicator_rows(conn)
        scopes = {name: subject(conn, name) for name in (
            "petition_case_exists", "rating_case_exists", "case_rating_matches_rating_in_force")}  # fmt: skip
    assert not runs["indicator_monthly"].full and not runs["fact_petition"].full
    assert counts[(MARCH, "TARGET-A", SATISFIED)] == (0, 1)
    assert scopes == {"petition_case_exists": {"P-LATE-CASE": True},
                      "rating_case_exists": {"DG-z": True, "DG-é": True, "DG-LATE": True},
                      "case_rating_matches_rating_in_force": {"HS-1": True, "HS-LATE": True}}  # fmt: skip
    with warehouse.begin() as conn:
        build_all(conn, later, full=True)
        assert snapshot(conn) == incremental


def test_the_petition_months_follow_the_first_received_case_as_it_moves(warehouse: WarehouseResource) -> None:
    open_since_february = own_unit("P", sent_at=local(2025, 2, 10), accepted_at=local(2025, 2, 10, 9),
                                   handle_due_at=local(2025, 3, 20, 17))  # fmt: skip
    march_case = JANUARY_CASE | {"received_at": local(2025, 3, 2)}
    with warehouse.begin() as conn:
        insert(conn, "newsys_case", newsys_case("HS-1", **JANUARY_CASE), newsys_case("HS-2", **march_case))
        insert(conn, "newsys_petition", open_since_february)
        build_all(conn)
        counted = by_unit(petition_indicator_rows(conn), ["P"])
    assert counted == {(FEBRUARY, "P", ON_TIME): (1, 1), (FEBRUARY, "P", SATISFIED): (1, 1),
                       (MARCH, "P", ON_TIME): (0, 1), (APRIL, "P", ON_TIME): (0, 1),
                       (MAY, "P", ON_TIME): (0, 1)}  # fmt: skip
    for step, deleted in enumerate((True, False), start=1):
        at = local(2025, 5, 10, 12 + step)
        with warehouse.begin() as conn:
            conn.execute(text("UPDATE raw.newsys_case SET is_deleted = :deleted, updated_at = now()"
                              " WHERE case_no = 'HS-1'"), {"deleted": deleted})  # fmt: skip
            land(conn, "case", "HS-1")
            runs = build_all(conn, at)
            counted = by_unit(petition_indicator_rows(conn), ["P"])
            incremental = snapshot(conn)
        assert not runs["indicator_monthly"].full
        assert ((FEBRUARY, "P", ON_TIME) in counted) is not deleted and counted[(MARCH, "P", ON_TIME)] == (
            0,
            1,
        )
        with warehouse.begin() as conn:
            build_all(conn, at, full=True)
            assert snapshot(conn) == incremental


def random_petitions(seed: int, count: int) -> list[dict[str, Any]]:
    """Petitions with times drawn from a grid of month bounds, deadlines and the as_of (equal times likely),
    every status, nulls where the mart allows them, complaints among them, in a few units."""
    rng = random.Random(seed)
    grid = [local(2025, month, day, hour) for month in (2, 3, 4, 5, 6) for day in (1, 2, 28)
            for hour in (0, 8, 17)] + [AS_OF, local(2025, 3, 31, 23, 59, 59)]  # fmt: skip
    keys = [f"R-{index:03d}" for index in range(count)]
    rows = []
    for key in keys:
        status = rng.randint(1, 7)
        sent, transferred = rng.choice(grid), rng.choice([None, None, rng.choice(grid)])
        end = rng.choice(grid)
        values: dict[str, Any] = {
            "original_unit_code": rng.choice(["U-A", "U-B", "U-C"]), "status_code": status, "sent_at": sent,
            "transferred_at": transferred, "transfer_source": "VPCP" if transferred else None,
            "transferred_in": transferred is not None,
            "accepted_at": rng.choice([None, sent, rng.choice(grid)]),
            "reject_due_at": rng.choice(grid), "supplement_due_at": rng.choice(grid),
            "handle_due_at": rng.choice(grid), "publish_due_at": rng.choice([None, rng.choice(grid)]),
            "handled_at": end if status in (6, 7) else rng.choice([None, rng.choice(grid)]),
            "published_at": rng.choice([None, rng.choice(grid)]),
            "ended_at": end if status >= 3 else None,
            "likes": rng.randint(0, 2), "dislikes": rng.randint(0, 2),
            "answer_rating": rng.choice([None, 1, 2]),
            "related_petition_no": rng.choice([None, None, rng.choice(keys)]),
            "is_deleted": rng.random() < 0.05,
        }  # fmt: skip
        rows.append(petition(key, **values))
    return rows


@pytest.mark.parametrize("seed", [18, 1018])
def test_random_petitions_count_as_the_oracle_says(warehouse: WarehouseResource, seed: int) -> None:
    rows = random_petitions(seed, 300)
    with warehouse.begin() as conn:
        insert(conn, "newsys_case", newsys_case("HS-1", **JANUARY_CASE))
        insert(conn, "newsys_petition", *rows)
        build_all(conn)
        published = petition_indicator_rows(conn)
    assert published == oracle_counts(oracle_petitions(rows), [fact_stub("HS-1", **JANUARY_CASE)])


def test_random_ratings_in_force_are_the_oracles_under_any_collation(
    any_collation_warehouse: WarehouseResource,
) -> None:
    rng = random.Random(18)
    cases = [f"HS-{index}" for index in range(20)]
    names = ["a", "B", "b", "Z", "z", "é", "É", "ß", "1", "_", "-", "ä", "A"]
    times = [local(2025, 4, 1, 10), local(2025, 4, 2, 10)]
    ratings, seen = [], set()
    while len(ratings) < 150:
        key = "DG-" + "".join(rng.choice(names) for _ in range(rng.randint(1, 3)))
        if key in seen:
            continue
        seen.add(key)
        ratings.append(rating(key, rng.choice([*cases, "HS-404"]), rated_at=rng.choice(times),
                              level=rng.randint(1, 3), in_force=rng.random() < 0.7,
                              is_deleted=rng.random() < 0.05))  # fmt: skip
    with any_collation_warehouse.begin() as conn:
        insert(conn, "newsys_case", *(newsys_case(key, **JANUARY_CASE) for key in cases))
        insert(conn, "newsys_rating", *ratings)
        build_all(conn)
        fragment = sql_text("queries/fact_rating.sql", "ratings_in_force")
        in_force = dict(conn.execute(text(f"SELECT case_key, rating_key FROM ({fragment}) AS f")).all())
    expected = {
        key: row["rating_key"] for key, row in ratings_in_force(oracle_ratings(ratings, cases)).items()
    }
    assert in_force == expected and len(expected) > 10


def test_the_petitions_suite_publishes_the_contract_scopes_in_dq_results(
    warehouse: WarehouseResource,
) -> None:
    with warehouse.begin() as conn:
        install_cases_and_units(conn)
        insert(conn, "newsys_case", *(newsys_case(key, **JANUARY_CASE | {"rating": level})
                                      for key, level in RATED_CASES.items() if key != "HS-1"))  # fmt: skip
        insert(conn, "newsys_petition", *about_case_rows())
        insert(conn, "newsys_rating", *rating_rows())
        build_all(conn)
    run_row_rules(warehouse.engine(), CUTOVER, AS_OF)
    with warehouse.begin() as conn:
        results = conn.execute(text("SELECT expectation, element_count, unexpected_count, success"
                                    " FROM mart.dq_results WHERE suite = 'petitions'"))  # fmt: skip
        published = {r.expectation: (r.element_count, r.unexpected_count, r.success) for r in results}
    # HS-1 and the Egov case carry no rating against DG-é and DG-E in force; HS-4 none against DG-4.
    assert published == {
        "petition_answered_has_result": (1, 0, True), "petition_rejected_has_reason": (1, 0, True),
        "petition_case_exists": (7, 3, False), "rating_case_exists": (12, 1, False),
        "case_rating_matches_rating_in_force": (6, 3, False),
    }  # fmt: skip


def test_no_received_case_no_petition_month(warehouse: WarehouseResource) -> None:
    refused_and_registered = {key: values for key, values in MONTH_CASES.items() if key != "HS-FIRST"}
    with warehouse.begin() as conn:
        insert(
            conn,
            "newsys_case",
            *(newsys_case(key, **values) for key, values in refused_and_registered.items()),
        )
        insert(conn, "newsys_petition", own_unit("P", **HANDLED))
        build_all(conn)
        assert conn.execute(text("SELECT count(*) FROM mart.fact_petition")).scalar_one() == 1
        assert petition_indicator_rows(conn) == {}
    facts = [fact_stub(key, **values) for key, values in refused_and_registered.items()]
    assert oracle_counts(oracle_petitions([own_unit("P", **HANDLED)]), facts) == {}


def test_an_as_of_crossing_into_a_new_month_judges_the_old_one_at_its_p_end(
    warehouse: WarehouseResource,
) -> None:
    due_before_midnight = own_unit("DUE-30-4-23-30", sent_at=local(2025, 4, 20),
                                   accepted_at=local(2025, 4, 20, 9),
                                   handle_due_at=local(2025, 4, 30, 23, 30))  # fmt: skip
    with warehouse.begin() as conn:
        insert(conn, "newsys_case", newsys_case("HS-1", **JANUARY_CASE))
        insert(conn, "newsys_petition", due_before_midnight)
        build_all(conn, local(2025, 4, 30, 23))
        assert by_unit(petition_indicator_rows(conn), ["DUE-30-4-23-30"]) == {
            (APRIL, "DUE-30-4-23-30", ON_TIME): (1, 1),
            (APRIL, "DUE-30-4-23-30", SATISFIED): (1, 1),
        }
    after_midnight = local(2025, 5, 1, 1)
    with warehouse.begin() as conn:
        runs = build_all(conn, after_midnight)
        counted = by_unit(petition_indicator_rows(conn), ["DUE-30-4-23-30"])
        incremental = snapshot(conn)
    assert not runs["indicator_monthly"].full
    assert counted == {(APRIL, "DUE-30-4-23-30", ON_TIME): (0, 1),
                       (APRIL, "DUE-30-4-23-30", SATISFIED): (0, 1),
                       (MAY, "DUE-30-4-23-30", ON_TIME): (0, 1)}  # fmt: skip
    with warehouse.begin() as conn:
        build_all(conn, after_midnight, full=True)
        assert snapshot(conn) == incremental
