"""The petition and rating oracle on hand-made payloads with hand-computed answers: how a record is read and
quarantined, each on-time rule of the contract, dislikes, complaints, current units, ratings in force."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from typing import Any

import pytest

from tests.oracle.expected import (
    DEFAULT_CUTOVER,
    TruthInputs,
    expected_fact_petition,
    expected_fact_rating,
    expected_petition_dq_counts,
    expected_petition_dq_offenders,
    expected_petition_indicators,
    expected_ratings_in_force,
    petition_quarantine_truth,
)
from tests.unit.test_truth_oracle import PII_KEY, PROCEDURES, UNITS, egov_case, local, new_case

AS_OF = local(2025, 5, 10, 12)
FEBRUARY, MARCH, APRIL, MAY = date(2025, 2, 1), date(2025, 3, 1), date(2025, 4, 1), date(2025, 5, 1)
ON_TIME, SATISFIED = "petition_on_time_rate", "petition_satisfaction_rate"
JANUARY_CASE = new_case("HS-1", NgayTiepNhan="20250110080000", NgayHenTra="20250120170000")
S_EGOV = "000.00.31.H19-241201-0007"


def petition(key: str, **fields: Any) -> dict[str, Any]:
    """A valid petition of unit SYT sent and accepted on 3/3/2025 (status 2), `fields` overriding."""
    payload: dict[str, Any] = {
        "MaPAKN": key,
        "MaPAKNDVCQG": "",
        "KenhTiepNhan": "3",
        "NguonChuyen": "",
        "TieuDe": "Phản ánh",
        "NoiDung": "Hồ sơ chậm",
        "NguoiPhanAnh": "Nguyễn Văn A",
        "SoGiayToNguoiPhanAnh": "001234567890",
        "SoDienThoai": "0900000000",
        "Email": "",
        "LoaiDoiTuong": "1",
        "AnDanh": "0",
        "DonViXuLy": "SYT",
        "MaLinhVuc": "LV",
        "MaTTHC": "",
        "MaHoSo": "",
        "PhanLoai": "1",
        "MaPAKNLienQuan": "",
        "NgayGui": "20250303080000",
        "NgayChuyenDen": "",
        "NgayTiepNhan": "20250303090000",
        "HanTuChoi": "20250305170000",
        "HanYeuCauBoSung": "20250310170000",
        "HanXuLy": "20250324170000",
        "HanCongKhai": "",
        "TrangThaiPAKN": "2",
        "NgayTuChoi": "",
        "LyDoTuChoi": "",
        "DanhSachYeuCauBoSung": [],
        "NgayChuyenDi": "",
        "DonViNhanChuyen": "",
        "NgayXuLyXong": "",
        "NgayCongKhai": "",
        "KetQuaXuLy": "",
        "DuongDanTepKetQua": "",
        "DanhGiaKetQua": "",
        "SoLuotThich": 0,
        "SoLuotKhongThich": 0,
        "QuaTrinhXuLy": [],
        "DongBoDVCQG": "1",
        "NgayCapNhat": "20250303090000",
        "DaXoa": "0",
    }
    payload.update(fields)
    return payload


def answered(
    key: str, handled: str, published: str = "", publish_due: str = "20250326170000", **fields: Any
) -> dict[str, Any]:
    """A petition handled at `handled` (status 6), published at `published` when given (status 7)."""
    return petition(
        key,
        **{
            "TrangThaiPAKN": "7" if published else "6",
            "NgayXuLyXong": handled,
            "NgayCongKhai": published,
            "HanCongKhai": publish_due,
            "KetQuaXuLy": "Đã trả lời",
            **fields,
        },
    )


def rating(key: str, case: str, rated: str, level: str, in_force: str = "1", **fields: Any) -> dict[str, Any]:
    """A valid rating of a case."""
    payload: dict[str, Any] = {
        "MaDanhGia": key,
        "MaHoSo": case,
        "KenhDanhGia": "3",
        "ThoiDiemDanhGia": rated,
        "MucDoHaiLong": level,
        "ChiSo": [{"MaChiSo": "1", "Diem": "2"}],
        "GopY": "",
        "DanhGiaBoiChuHoSo": "1",
        "HieuLuc": in_force,
        "NgayCapNhat": rated,
        "DaXoa": "0",
    }
    payload.update(fields)
    return payload


def inputs(
    petitions: list[Any] = (),
    ratings: list[Any] = (),
    cases: list[dict[str, Any]] | None = None,
    units: list[dict[str, Any]] | None = None,
    egov: list[dict[str, Any]] | None = None,
) -> TruthInputs:
    """Oracle inputs with the January case (so that the months run January .. May 2025)."""
    return TruthInputs(
        egov=egov or [],
        newsys=[JANUARY_CASE] if cases is None else cases,
        officials=[],
        procedures=PROCEDURES,
        units=units or UNITS,
        cutover=DEFAULT_CUTOVER,
        as_of=AS_OF,
        pii_key=PII_KEY,
        petitions=list(petitions),
        ratings=list(ratings),
    )


def indicator(
    petitions: list[dict[str, Any]], month: date, code: str = ON_TIME, unit: str = "SYT"
) -> tuple[int, int] | None:
    """(numerator, denominator) of a petition indicator, None when the month has no row."""
    return expected_petition_indicators(inputs(petitions)).get((month, unit, code))


def test_a_petition_row_reads_the_contract() -> None:
    payload = petition(
        " PA-1 ",
        KenhTiepNhan="\t1\n",
        DonViXuLy=" H1 ",
        MaTTHC=unicodedata.normalize("NFD", " 1.001 "),
        MaHoSo=" HS-1  ",
        MaPAKNLienQuan=None,
        PhanLoai="2",
        NguonChuyen="VPCP",
        NgayChuyenDen="20250304080000",
        TrangThaiPAKN="7",
        NgayXuLyXong="20250320100000",
        NgayCongKhai="20250321100000",
        HanCongKhai="20250324170000",
        KetQuaXuLy="",
        DuongDanTepKetQua="https://x/1.pdf",
        DanhGiaKetQua="1",
        SoLuotThich=4,
        LyDoTuChoi="  ",
        AnDanh="",
        DongBoDVCQG=None,
    )
    del payload["SoLuotKhongThich"]
    assert expected_fact_petition(inputs([payload])) == {
        "PA-1": {
            "petition_key": "PA-1",
            "unit_code": "X1",
            "original_unit_code": "H1",
            "channel": 1,
            "transferred_in": True,
            "classification": 2,
            "procedure_code": "1.001",
            "case_no": "HS-1",
            "case_key": "HS-1",
            "related_petition_no": None,
            "status_code": 7,
            "sent_at": local(2025, 3, 3, 8),
            "accepted_at": local(2025, 3, 3, 9),
            "start_at": local(2025, 3, 4, 8),
            "reject_due_at": local(2025, 3, 5, 17),
            "supplement_due_at": local(2025, 3, 10, 17),
            "handle_due_at": local(2025, 3, 24, 17),
            "publish_due_at": local(2025, 3, 24, 17),
            "ended_at": local(2025, 3, 20, 10),
            "handled_at": local(2025, 3, 20, 10),
            "published_at": local(2025, 3, 21, 10),
            "has_answer": True,
            "has_reject_reason": False,
            "answer_rating": 1,
            "likes": 4,
            "dislikes": 0,
        }
    }


def test_ended_at_per_status_and_times_taken_as_given() -> None:
    rows = expected_fact_petition(
        inputs(
            [
                petition("S1", TrangThaiPAKN="1", NgayTiepNhan="", NgayXuLyXong="20250310100000"),
                petition(
                    "S3",
                    TrangThaiPAKN="3",
                    DanhSachYeuCauBoSung=[
                        {"NgayYeuCauBoSung": "", "NgayTiepNhanBoSung": ""},
                        {"NgayYeuCauBoSung": "20250311090000", "NgayTiepNhanBoSung": ""},
                        {"NgayYeuCauBoSung": "20250309090000", "NgayTiepNhanBoSung": "20250310090000"},
                    ],
                ),
                petition("S4", TrangThaiPAKN="4", NgayTiepNhan="", NgayTuChoi="20250304100000"),
                petition(
                    "S5", TrangThaiPAKN="5", NgayChuyenDi="20250304110000", NgayCongKhai="20250305080000"
                ),
                answered("S6", "20250320100000"),
            ]
        )
    )
    ended = {key: row["ended_at"] for key, row in rows.items()}
    assert ended == {
        "S1": None,
        "S3": local(2025, 3, 9, 9),
        "S4": local(2025, 3, 4, 10),
        "S5": local(2025, 3, 4, 11),
        "S6": local(2025, 3, 20, 10),
    }
    assert rows["S1"]["handled_at"] == local(2025, 3, 10, 10) and rows["S1"]["accepted_at"] is None
    assert rows["S5"]["published_at"] == local(2025, 3, 5, 8)
    assert rows["S6"]["publish_due_at"] == local(2025, 3, 26, 17) and rows["S6"]["published_at"] is None


ON_TIME_CASES = [
    ("open, due before P_end", petition("P"), {MARCH: (0, 1), APRIL: (0, 1), MAY: (0, 1)}),
    (
        "open, due after P_end",
        petition("P", HanXuLy="20250415170000"),
        {MARCH: (1, 1), APRIL: (0, 1), MAY: (0, 1)},
    ),
    ("handled and published on time", answered("P", "20250320100000", "20250321100000"), {MARCH: (1, 1)}),
    ("handled late", answered("P", "20250325100000", "20250325110000", "20250327170000"), {MARCH: (0, 1)}),
    ("published late", answered("P", "20250320100000", "20250327100000", "20250324170000"), {MARCH: (0, 1)}),
    (
        "published late after P_end",
        answered("P", "20250328100000", "20250403100000", "20250401170000", HanXuLy="20250403170000"),
        {MARCH: (1, 1)},
    ),
    (
        "handled, not published, publish deadline passed",
        answered("P", "20250320100000", publish_due="20250324170000"),
        {MARCH: (0, 1)},
    ),
    (
        "handled, not published, publish deadline ahead",
        answered("P", "20250331100000", HanXuLy="20250403170000", publish_due="20250402170000"),
        {MARCH: (1, 1)},
    ),
    (
        "handled after P_end, judged open in March",
        answered("P", "20250402100000", "20250402110000", "20250404170000", HanXuLy="20250403170000"),
        {MARCH: (1, 1), APRIL: (1, 1)},
    ),
    (
        "handled late after P_end: open and on time in March",
        answered("P", "20250410100000", "20250410110000", "20250414170000", HanXuLy="20250403170000"),
        {MARCH: (1, 1), APRIL: (0, 1)},
    ),
    (
        "information asked in time (earliest request)",
        petition(
            "P",
            TrangThaiPAKN="3",
            DanhSachYeuCauBoSung=[
                {"NgayYeuCauBoSung": "20250311090000"},
                {"NgayYeuCauBoSung": "20250309090000"},
            ],
        ),
        {MARCH: (1, 1)},
    ),
    (
        "information asked late",
        petition("P", TrangThaiPAKN="3", DanhSachYeuCauBoSung=[{"NgayYeuCauBoSung": "20250311090000"}]),
        {MARCH: (0, 1)},
    ),
    ("rejected in time", petition("P", TrangThaiPAKN="4", NgayTuChoi="20250305100000"), {MARCH: (1, 1)}),
    ("rejected late", petition("P", TrangThaiPAKN="4", NgayTuChoi="20250306100000"), {MARCH: (0, 1)}),
    (
        "transferred out in time",
        petition("P", TrangThaiPAKN="5", NgayChuyenDi="20250304100000"),
        {MARCH: (1, 1)},
    ),
    (
        "transferred out late",
        petition("P", TrangThaiPAKN="5", NgayChuyenDi="20250307100000"),
        {MARCH: (0, 1)},
    ),
    (
        "transferred in: counted from NgayChuyenDen",
        answered(
            "P",
            "20250320100000",
            "20250321100000",
            NgayGui="20250225080000",
            NguonChuyen="BNDP",
            NgayChuyenDen="20250303080000",
        ),
        {MARCH: (1, 1)},
    ),
    (
        "deadline at 00:00:00 met exactly",
        answered("P", "20250320000000", "20250320080000", HanXuLy="20250320000000"),
        {MARCH: (1, 1)},
    ),
    (
        "deadline at 00:00:00 missed by a second",
        answered("P", "20250320000001", "20250320080000", HanXuLy="20250320000000"),
        {MARCH: (0, 1)},
    ),
    (
        "status 2 with a handling time: still open",
        petition("P", NgayXuLyXong="20250310100000", HanXuLy="20250415170000"),
        {MARCH: (1, 1), APRIL: (0, 1), MAY: (0, 1)},
    ),
]


@pytest.mark.parametrize(
    ("payload", "expected"), [(p, e) for _, p, e in ON_TIME_CASES], ids=[name for name, _, _ in ON_TIME_CASES]
)
def test_each_on_time_rule(payload: dict[str, Any], expected: dict[date, tuple[int, int]]) -> None:
    found = {
        month: counts
        for (month, unit, code), counts in expected_petition_indicators(inputs([payload])).items()
        if unit == "SYT" and code == ON_TIME
    }
    assert found == expected
    assert expected_petition_indicators(inputs([payload])).get((FEBRUARY, "SYT", ON_TIME)) is None


def test_a_petition_transferred_in_is_not_counted_before_its_transfer() -> None:
    moved_in = answered(
        "P",
        "20250320100000",
        "20250321100000",
        NgayGui="20250210080000",
        NgayTiepNhan="20250303090000",
        NguonChuyen="VPCP",
        NgayChuyenDen="20250303080000",
    )
    direct = answered(
        "Q", "20250320100000", "20250321100000", NgayGui="20250210080000", NgayTiepNhan="20250303090000"
    )
    assert indicator([moved_in], FEBRUARY) is None
    assert indicator([direct], FEBRUARY) == (1, 1)


SATISFACTION_CASES = [
    (
        "liked, on time",
        [answered("A", "20250320100000", "20250321100000", SoLuotThich=5, SoLuotKhongThich=2)],
        (1, 1),
    ),
    (
        "more dislikes than likes",
        [answered("A", "20250320100000", "20250321100000", SoLuotThich=2, SoLuotKhongThich=6)],
        (0, 1),
    ),
    (
        "as many dislikes as likes",
        [answered("A", "20250320100000", "20250321100000", SoLuotThich=3, SoLuotKhongThich=3)],
        (1, 1),
    ),
    (
        "rated dissatisfied",
        [answered("A", "20250320100000", "20250321100000", SoLuotThich=9, DanhGiaKetQua="2")],
        (0, 1),
    ),
    ("late", [answered("A", "20250325100000", "20250325110000", "20250327170000")], (0, 1)),
    (
        "complained about before P_end",
        [
            answered("A", "20250320100000", "20250321100000"),
            petition("B", MaPAKNLienQuan="A", NgayGui="20250325080000", NgayTiepNhan="", TrangThaiPAKN="1"),
        ],
        (0, 1),
    ),
    (
        "complained about after P_end",
        [
            answered("A", "20250320100000", "20250321100000"),
            petition("B", MaPAKNLienQuan="A", NgayGui="20250405080000", NgayTiepNhan="", TrangThaiPAKN="1"),
        ],
        (1, 1),
    ),
    (
        "a complaint about itself",
        [answered("A", "20250320100000", "20250321100000", MaPAKNLienQuan="A")],
        (1, 1),
    ),
    (
        "a deleted complaint",
        [
            answered("A", "20250320100000", "20250321100000"),
            petition(
                "B",
                MaPAKNLienQuan="A",
                NgayGui="20250325080000",
                NgayTiepNhan="",
                TrangThaiPAKN="1",
                DaXoa="1",
            ),
        ],
        (1, 1),
    ),
    (
        "a complaint that is bad input",
        [
            answered("A", "20250320100000", "20250321100000"),
            petition("B", MaPAKNLienQuan="A", NgayGui="20250325080000", NgayTiepNhan="", PhanLoai="7"),
        ],
        (1, 1),
    ),
]


@pytest.mark.parametrize(
    ("payloads", "expected"),
    [(p, e) for _, p, e in SATISFACTION_CASES],
    ids=[name for name, _, _ in SATISFACTION_CASES],
)
def test_satisfaction_dislikes_and_complaints(
    payloads: list[dict[str, Any]], expected: tuple[int, int]
) -> None:
    assert indicator(payloads, MARCH, SATISFIED) == expected


@pytest.mark.parametrize(("sent", "expected"), [("20250331235959", (0, 1)), ("20250401000000", (1, 1))])
def test_a_complaint_counts_when_sent_before_p_end(sent: str, expected: tuple[int, int]) -> None:
    original = answered("A", "20250320100000", "20250321100000")
    complaint = petition(
        "B", MaPAKNLienQuan="A", NgayGui=sent, NgayTiepNhan="", TrangThaiPAKN="1", HanXuLy="20250425170000"
    )
    assert indicator([original, complaint], MARCH, SATISFIED) == expected


def test_a_unit_merged_mid_month_counts_under_its_successor() -> None:
    units = [
        *UNITS,
        {
            "MaDonVi": "H5",
            "TenDonVi": "Huyện 5",
            "Cap": "HUYEN",
            "MaDonViKeThua": "X5",
            "HieuLucDen": "20250315000000",
        },
        {"MaDonVi": "X5", "TenDonVi": "Xã 5", "Cap": "XA", "MaDonViKeThua": "", "HieuLucDen": ""},
    ]
    before = answered("B", "20250310100000", "20250310110000", DonViXuLy="H5")
    after = petition(
        "A", DonViXuLy="X5", NgayGui="20250318080000", NgayTiepNhan="20250318090000", HanXuLy="20250408170000"
    )
    unknown = petition("U", DonViXuLy="000.77.31.H19", HanXuLy="20250408170000")
    inp = inputs([before, after, unknown], units=units)
    rows = expected_petition_indicators(inp)
    assert {unit for _, unit, _ in rows} == {"X5", "000.77.31.H19", "ALL"}
    assert rows[(MARCH, "X5", ON_TIME)] == (2, 2)
    assert rows[(MARCH, "ALL", ON_TIME)] == (3, 3)
    assert rows[(APRIL, "X5", ON_TIME)] == (0, 1)
    facts = expected_fact_petition(inp)
    assert (facts["B"]["unit_code"], facts["B"]["original_unit_code"]) == ("X5", "H5")
    assert facts["U"]["unit_code"] == "000.77.31.H19"


def test_months_are_those_of_the_other_indicators() -> None:
    early = answered(
        "A",
        "20241210100000",
        "20241210110000",
        NgayGui="20241209080000",
        NgayTiepNhan="20241209090000",
        HanXuLy="20241230170000",
        HanCongKhai="20241212170000",
    )
    rows = expected_petition_indicators(inputs([early, petition("B", HanXuLy="20250601170000")]))
    assert {month for month, _, _ in rows} == {MARCH, APRIL, date(2025, 5, 1)}
    assert expected_petition_indicators(inputs([petition("B")], cases=[])) == {}
    may = expected_petition_indicators(inputs([petition("B", HanXuLy="20250510120000")]))
    assert may[(date(2025, 5, 1), "SYT", ON_TIME)] == (1, 1)


def test_the_latest_version_wins_and_a_bad_latest_version_leaves_no_row() -> None:
    first = petition("A", NgayCapNhat="20250303090000")
    second = answered("A", "20250320100000", "20250321100000", NgayCapNhat="20250321100000")
    assert expected_fact_petition(inputs([second, first]))["A"]["status_code"] == 7
    tie = dict(second, SoLuotThich=9)
    assert expected_fact_petition(inputs([second, tie]))["A"]["likes"] == 9
    assert expected_fact_petition(inputs([tie, second]))["A"]["likes"] == 0
    spoilt = dict(second, PhanLoai="9", NgayCapNhat="20250322100000")
    inp = inputs([first, spoilt])
    assert expected_fact_petition(inp) == {}
    assert petition_quarantine_truth(inp) == {("newsys", "petition", "A"): ["bad_code:PhanLoai"]}
    repaired = inputs([spoilt, dict(second, NgayCapNhat="20250323100000")])
    assert set(expected_fact_petition(repaired)) == {"A"} and petition_quarantine_truth(repaired) == {}
    deleted = inputs([first, dict(second, DaXoa="1")])
    assert expected_fact_petition(deleted) == {} and petition_quarantine_truth(deleted) == {}


PUBLISHED = {
    "TrangThaiPAKN": "7",
    "NgayXuLyXong": "20250320100000",
    "NgayCongKhai": "20250321100000",
    "HanCongKhai": "20250324170000",
    "KetQuaXuLy": "Đã trả lời",
}
BAD_PETITIONS = [
    ({"NgayGui": ""}, ["missing:NgayGui"]),
    ({"DonViXuLy": None}, ["missing:DonViXuLy"]),
    ({"HanTuChoi": "  "}, ["missing:HanTuChoi"]),
    ({"HanYeuCauBoSung": ""}, ["missing:HanYeuCauBoSung"]),
    ({"HanXuLy": ""}, ["missing:HanXuLy"]),
    ({"KenhTiepNhan": "6"}, ["bad_code:KenhTiepNhan"]),
    ({"KenhTiepNhan": ""}, ["bad_code:KenhTiepNhan"]),
    ({"KenhTiepNhan": 3}, ["bad_type:KenhTiepNhan"]),
    ({"NguonChuyen": "TINH", "NgayChuyenDen": "20250303080000"}, ["bad_code:NguonChuyen"]),
    ({"LoaiDoiTuong": ""}, ["bad_code:LoaiDoiTuong"]),
    ({"PhanLoai": "3"}, ["bad_code:PhanLoai"]),
    ({"TrangThaiPAKN": "0"}, ["bad_code:TrangThaiPAKN"]),
    ({"DanhGiaKetQua": "3"}, ["bad_code:DanhGiaKetQua"]),
    (
        {"QuaTrinhXuLy": [{"TenDangNhap": "a", "ThoiDiemXuLy": "20250303090000", "TrangThaiPAKN": "8"}]},
        ["bad_code:QuaTrinhXuLy.TrangThaiPAKN"],
    ),
    (
        {"QuaTrinhXuLy": [{"ThoiDiemXuLy": "20250230090000", "TrangThaiPAKN": ""}]},
        ["bad_time:QuaTrinhXuLy.ThoiDiemXuLy"],
    ),
    ({"AnDanh": "2"}, ["bad_flag:AnDanh"]),
    ({"DongBoDVCQG": "có"}, ["bad_flag:DongBoDVCQG"]),
    ({"DaXoa": "true"}, ["bad_flag:DaXoa"]),
    ({"NgayGui": "2025-03-03"}, ["bad_time:NgayGui"]),
    ({"HanXuLy": "20250230170000"}, ["bad_time:HanXuLy"]),
    ({"NgayCapNhat": "x"}, ["bad_time:NgayCapNhat"]),
    (
        {"DanhSachYeuCauBoSung": [{"NgayYeuCauBoSung": "20250305", "NgayTiepNhanBoSung": ""}]},
        ["bad_time:DanhSachYeuCauBoSung.NgayYeuCauBoSung"],
    ),
    (
        {"DanhSachYeuCauBoSung": [{"NgayYeuCauBoSung": "20250305090000", "NgayTiepNhanBoSung": "20251305"}]},
        ["bad_time:DanhSachYeuCauBoSung.NgayTiepNhanBoSung"],
    ),
    ({"DanhSachYeuCauBoSung": "bổ sung"}, ["bad_list:DanhSachYeuCauBoSung"]),
    ({"QuaTrinhXuLy": [["a"]]}, ["bad_list:QuaTrinhXuLy"]),
    ({"NgayTiepNhan": ""}, ["missing:NgayTiepNhan"]),
    ({"TrangThaiPAKN": "3"}, ["status_without_request"]),
    ({"TrangThaiPAKN": "3", "NgayTiepNhan": ""}, ["missing:NgayTiepNhan", "status_without_request"]),
    ({"TrangThaiPAKN": "4", "NgayTiepNhan": ""}, ["missing_end_time:NgayTuChoi"]),
    ({"TrangThaiPAKN": "5", "NgayTiepNhan": ""}, ["missing_end_time:NgayChuyenDi"]),
    ({**PUBLISHED, "TrangThaiPAKN": "6", "NgayXuLyXong": ""}, ["missing_end_time:NgayXuLyXong"]),
    ({**PUBLISHED, "NgayXuLyXong": "2025"}, ["bad_time:NgayXuLyXong"]),
    ({**PUBLISHED, "HanCongKhai": ""}, ["missing:HanCongKhai"]),
    ({**PUBLISHED, "NgayCongKhai": ""}, ["missing:NgayCongKhai"]),
    ({"NguonChuyen": "VPCP"}, ["transfer_source_without_date"]),
    ({"NgayChuyenDen": "20250303080000"}, ["transfer_date_without_source"]),
    ({"SoLuotThich": "5"}, ["bad_count:SoLuotThich"]),
    ({"SoLuotThich": 3.0}, ["bad_count:SoLuotThich"]),
    ({"SoLuotThich": True}, ["bad_count:SoLuotThich"]),
    ({"SoLuotKhongThich": -1}, ["bad_count:SoLuotKhongThich"]),
    ({"SoLuotKhongThich": 2147483648}, ["bad_count:SoLuotKhongThich"]),
    ({"KenhTiepNhan": "0", "AnDanh": "x", "DaXoa": "1"}, ["bad_code:KenhTiepNhan", "bad_flag:AnDanh"]),
]


@pytest.mark.parametrize(("fields", "reasons"), BAD_PETITIONS, ids=[",".join(r) for _, r in BAD_PETITIONS])
def test_each_kind_of_bad_petition_has_its_reason(fields: dict[str, Any], reasons: list[str]) -> None:
    inp = inputs([petition("B", **fields)])
    assert petition_quarantine_truth(inp) == {("newsys", "petition", "B"): reasons}
    assert expected_fact_petition(inp) == {}


def test_good_values_near_the_bad_ones() -> None:
    fine = [
        petition(
            "G1",
            SoLuotThich=2147483647,
            NguonChuyen=None,
            PhanLoai=None,
            DanhGiaKetQua=None,
            QuaTrinhXuLy=None,
            DanhSachYeuCauBoSung=None,
        ),
        petition("G2", TrangThaiPAKN="4", NgayTiepNhan="", NgayTuChoi="20250304100000", SoLuotThich=None),
        petition("G3", TrangThaiPAKN="1", NgayTiepNhan="", LoaiDoiTuong="3", KenhTiepNhan="9"),
    ]
    del fine[0]["SoLuotKhongThich"]
    inp = inputs(fine)
    assert petition_quarantine_truth(inp) == {}
    assert {key: (row["likes"], row["dislikes"]) for key, row in expected_fact_petition(inp).items()} == {
        "G1": (2147483647, 0),
        "G2": (0, 0),
        "G3": (0, 0),
    }


def test_records_without_a_key_or_not_objects_are_keyed_by_their_hash() -> None:
    keyless = petition("", TrangThaiPAKN="2")
    quarantine = petition_quarantine_truth(inputs([keyless, "not a record"], [["x"]]))
    assert sorted(reasons for reasons in quarantine.values()) == [
        ["missing:MaPAKN"],
        ["not_an_object"],
        ["not_an_object"],
    ]
    assert all(key.startswith("sha256:") for _, _, key in quarantine)


BAD_RATINGS = [
    ({"MaDanhGia": ""}, ["missing:MaDanhGia"]),
    ({"MaHoSo": None}, ["missing:MaHoSo"]),
    ({"ThoiDiemDanhGia": ""}, ["missing:ThoiDiemDanhGia"]),
    ({"KenhDanhGia": "6"}, ["bad_code:KenhDanhGia"]),
    ({"MucDoHaiLong": ""}, ["bad_code:MucDoHaiLong"]),
    ({"MucDoHaiLong": 2}, ["bad_type:MucDoHaiLong"]),
    ({"DanhGiaBoiChuHoSo": "2"}, ["bad_flag:DanhGiaBoiChuHoSo"]),
    ({"HieuLuc": "yes"}, ["bad_flag:HieuLuc"]),
    ({"DaXoa": "2"}, ["bad_flag:DaXoa"]),
    ({"ChiSo": [{"MaChiSo": "0", "Diem": "1"}]}, ["bad_code:ChiSo.MaChiSo"]),
    ({"ChiSo": [{"MaChiSo": "9", "Diem": ""}]}, ["bad_code:ChiSo.Diem"]),
    ({"ChiSo": {}}, ["bad_list:ChiSo"]),
    ({"ThoiDiemDanhGia": "20250230100000"}, ["bad_time:ThoiDiemDanhGia"]),
    ({"NgayCapNhat": "2025-03-01"}, ["bad_time:NgayCapNhat"]),
]


@pytest.mark.parametrize(("fields", "reasons"), BAD_RATINGS, ids=[",".join(r) for _, r in BAD_RATINGS])
def test_each_kind_of_bad_rating_has_its_reason(fields: dict[str, Any], reasons: list[str]) -> None:
    key = "sha256" if fields.get("MaDanhGia") == "" else "DG-1"
    inp = inputs(ratings=[rating("DG-1", "HS-1", "20250301100000", "2", **fields)])
    [(found_key, reasons_found)] = petition_quarantine_truth(inp).items()
    assert found_key[:2] == ("newsys", "rating") and found_key[2].startswith(key) and reasons_found == reasons
    assert expected_fact_rating(inp) == {}


def finished(key: str, rating_code: str) -> dict[str, Any]:
    """A case returned on 20/2/2025 with its DanhGia."""
    return new_case(
        key,
        TrangThaiHoSo="10",
        NgayKetThucXuLy="20250220100000",
        NgayTra="20250221100000",
        DanhSachGiayToKetQua=[{"TenGiayTo": "GP"}],
        DanhGia=rating_code,
    )


def test_ratings_in_force_and_the_case_rating_rule() -> None:
    cases = [
        JANUARY_CASE,
        finished("HS-2", "2"),
        finished("HS-3", "1"),
        finished("HS-4", ""),
        finished("HS-5", "3"),
        finished("HS-6", "1"),
    ]
    ratings = [
        rating("DG-01", "HS-2", "20250301100000", "3", in_force="0"),
        rating("DG-02", "HS-2", "20250305100000", "2"),
        rating("DG-03", "HS-3", "20250306100000", "1"),
        rating("DG-04", "HS-3", "20250306100000", "3"),
        rating("DG-05", "HS-4", "20250307100000", "2"),
        rating("DG-06", "HS-5", "20250308100000", "3", in_force="0"),
        rating("DG-07", "HS-6", "20250309100000", "2", DaXoa="1"),
        rating("DG-08", unicodedata.normalize("NFD", " HS-6 "), "20250301100000", "1", HieuLuc=""),
        rating("DG-09", "HS-X", "20250309100000", "2"),
        rating("DG-10", S_EGOV, "20250309100000", "2"),
        rating("DG-11", "hs-6", "20250310100000", "3"),
    ]
    inp = inputs(ratings=ratings, cases=cases, egov=[egov_case(7, S_EGOV)])
    assert expected_ratings_in_force(inp) == {"HS-2": "DG-02", "HS-3": "DG-04", "HS-4": "DG-05"}
    facts = expected_fact_rating(inp)
    assert set(facts) == {f"DG-{n:02d}" for n in range(1, 12)} - {"DG-07"}
    assert facts["DG-08"] == {
        "rating_key": "DG-08",
        "case_no": "HS-6",
        "case_key": "HS-6",
        "channel": 3,
        "rated_at": local(2025, 3, 1, 10),
        "level": 1,
        "by_applicant": True,
        "in_force": False,
    }
    assert [key for key, row in sorted(facts.items()) if row["case_key"] is None] == [
        "DG-09",
        "DG-10",
        "DG-11",
    ]
    offenders = expected_petition_dq_offenders(inp)
    assert offenders["rating_case_exists"] == {"DG-09", "DG-10", "DG-11"}
    assert offenders["case_rating_matches_rating_in_force"] == {"HS-3", "HS-4"}
    counts = expected_petition_dq_counts(inp)
    assert counts["rating_case_exists"] == (10, 3)
    assert counts["case_rating_matches_rating_in_force"] == (3, 2)


def test_the_petitions_suite_counts() -> None:
    petitions = [
        answered("A1", "20250320100000", "20250321100000"),
        answered("A2", "20250320100000", KetQuaXuLy="", DuongDanTepKetQua=""),
        answered("A3", "20250320100000", KetQuaXuLy=" ", DuongDanTepKetQua="https://x/a3.pdf"),
        petition("R1", TrangThaiPAKN="4", NgayTuChoi="20250304100000", LyDoTuChoi="Không thuộc thẩm quyền"),
        petition("R2", TrangThaiPAKN="4", NgayTuChoi="20250304100000", LyDoTuChoi=" "),
        petition("C1", MaHoSo=" HS-1 "),
        petition("C2", MaHoSo="HS-9"),
        petition("C3", MaHoSo=S_EGOV),
        petition("C4", MaHoSo="EGOV:" + S_EGOV),
    ]
    inp = inputs(petitions, egov=[egov_case(7, S_EGOV)])
    assert expected_petition_dq_counts(inp) == {
        "petition_answered_has_result": (3, 1),
        "petition_rejected_has_reason": (2, 1),
        "petition_case_exists": (4, 2),
        "rating_case_exists": (0, 0),
        "case_rating_matches_rating_in_force": (0, 0),
    }
    offenders = expected_petition_dq_offenders(inp)
    assert offenders["petition_answered_has_result"] == {"A2"}
    assert offenders["petition_rejected_has_reason"] == {"R2"}
    assert offenders["petition_case_exists"] == {"C2", "C3"}
    assert expected_fact_petition(inp)["C4"]["case_key"] == "EGOV:" + S_EGOV


def test_a_null_deadline_is_never_met() -> None:
    from tests.oracle.petitions import on_time_at

    row = {"ended_at": None, "handle_due_at": None, "status_code": 2}
    assert not on_time_at(row, datetime(2025, 3, 1, tzinfo=AS_OF.tzinfo))
