"""The Decision 766 scorecard oracle on hand-made cases, ratings and petitions with hand-computed scores: each
metric's rule, the 90% threshold, the cap of FEE_PROCEDURES_PAID_ONLINE, empty denominators, the cutover."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.oracle.expected import DEFAULT_CUTOVER, TruthInputs, expected_score766
from tests.oracle.scorecard import METRICS
from tests.unit.test_petition_oracle import answered, petition, rating
from tests.unit.test_truth_oracle import PII_KEY, PROCEDURES, UNITS, history, local, new_case, official

AS_OF = local(2025, 5, 10, 12)
NOVEMBER, DECEMBER = date(2024, 11, 1), date(2024, 12, 1)
MARCH, APRIL, MAY = date(2025, 3, 1), date(2025, 4, 1), date(2025, 5, 1)


def case(
    key: str, due: str = "20250415170000", received: str = "20250303080000", **fields: Any
) -> dict[str, Any]:
    """An open case of SYT received `received` with due date `due`, `fields` overriding."""
    return new_case(key, **{"NgayTiepNhan": received, "NgayHenTra": due, "NgayCapNhat": received, **fields})


def score(
    cases: list[dict[str, Any]],
    petitions: list[dict[str, Any]] = (),
    ratings: list[dict[str, Any]] = (),
    officials: list[dict[str, Any]] = (),
) -> dict[tuple[date, str, str], dict[str, Any]]:
    """The oracle's scorecard of hand-made records."""
    return expected_score766(
        TruthInputs(
            egov=[],
            newsys=cases,
            officials=list(officials),
            procedures=PROCEDURES,
            units=UNITS,
            cutover=DEFAULT_CUTOVER,
            as_of=AS_OF,
            pii_key=PII_KEY,
            petitions=list(petitions),
            ratings=list(ratings),
        )
    )


def metric(
    rows: dict[tuple[date, str, str], dict[str, Any]], month: date, code: str, unit: str = "SYT"
) -> tuple[int, int, float | None]:
    """(numerator, denominator, score) of one metric."""
    row = rows[(month, unit, code)]
    return row["numerator"], row["denominator"], row["score"]


def test_every_metric_for_every_month_and_unit_with_an_indicator_row() -> None:
    rows = score(
        [case("HS-1"), case("HS-2", DonViXuLy="H1", QuaTrinhXuLy=history("cb.x1"))],
        officials=[official("cb.x1", "VNEID", unit="C9")],
    )
    pairs = {(month, unit) for month, unit, _ in rows}
    assert pairs == {(m, u) for m in (MARCH, APRIL, MAY) for u in ("SYT", "X1", "ALL")} | {(MAY, "C9")}
    assert len(rows) == 10 * len(pairs)
    assert {(m.group_code, m.metric_code, m.max_score) for m in METRICS} == {
        ("transparency", "DOSSIER_SYNC", 6),
        ("progress", "ON_TIME", 20),
        ("online_service", "ONLINE_FULL_PROCESS", 12),
        ("online_payment", "PAID_ONLINE", 6),
        ("online_payment", "FEE_PROCEDURES_PAID_ONLINE", 4),
        ("digitisation", "ORIGINAL_RESULT_AVAILABLE", 6),
        ("digitisation", "DOSSIER_DIGITIZED", 4),
        ("satisfaction", "PETITION_PROCESSING_ON_TIME", 6),
        ("satisfaction", "PETITION_HANDLING_SATISFACTION", 6),
        ("satisfaction", "DOSSIER_RECEIVING_SATISFACTION", 6),
    }
    assert sum(m.max_score for m in METRICS) == 76
    only_officials = {code: row for (month, unit, code), row in rows.items() if (month, unit) == (MAY, "C9")}
    assert all(row["denominator"] == 0 and row["ratio"] is None for row in only_officials.values())
    assert {code for code, row in only_officials.items() if row["score"] is not None} == {
        "PETITION_PROCESSING_ON_TIME",
        "PETITION_HANDLING_SATISFACTION",
    }
    assert only_officials["PETITION_PROCESSING_ON_TIME"]["score"] == 6


@pytest.mark.parametrize(("late", "expected"), [(0, 6.0), (1, 6.0), (2, 6 * 8 / 9), (5, 6 * 5 / 9)])
def test_dossier_receiving_satisfaction_full_points_from_90_percent(late: int, expected: float) -> None:
    cases = [case(f"HS-{n}", due="20250320170000" if n < late else "20250415170000") for n in range(10)]
    rows = score(cases)
    assert metric(rows, MARCH, "DOSSIER_RECEIVING_SATISFACTION")[:2] == (10 - late, 10)
    assert metric(rows, MARCH, "DOSSIER_RECEIVING_SATISFACTION")[2] == pytest.approx(expected, abs=1e-9)
    assert metric(rows, MARCH, "ON_TIME") == (10 - late, 10, pytest.approx(20 * (10 - late) / 10))


def test_a_case_late_rated_dissatisfied_and_complained_about_counts_once() -> None:
    cases = [case("HS-1"), case("HS-2", due="20250320170000")]
    ratings = [rating("DG-1", "HS-2", "20250325100000", "3")]
    petitions = [
        petition(
            "PA-1",
            MaHoSo="HS-2",
            NgayGui="20250326080000",
            NgayTiepNhan="20250326090000",
            HanXuLy="20250416170000",
        )
    ]
    rows = score(cases, petitions, ratings)
    assert metric(rows, MARCH, "DOSSIER_RECEIVING_SATISFACTION") == (1, 2, pytest.approx(6 * 1 / (0.9 * 2)))
    assert rows[(MARCH, "SYT", "DOSSIER_RECEIVING_SATISFACTION")]["ratio"] == 0.5


def test_a_petition_or_a_dissatisfied_rating_counts_from_its_month() -> None:
    cases = [
        case("HS-1", due="20250530170000"),
        case("HS-2", due="20250530170000"),
        case("HS-3", due="20250530170000"),
    ]
    petitions = [
        petition(
            "PA-1",
            MaHoSo=" HS-1 ",
            NgayGui="20250410080000",
            NgayTiepNhan="20250410090000",
            HanXuLy="20250505170000",
        )
    ]
    ratings = [
        rating("DG-1", "HS-2", "20250420100000", "3"),
        rating("DG-2", "HS-3", "20250305100000", "3", in_force="0"),
        rating("DG-3", "HS-3", "20250306100000", "1"),
    ]
    rows = score(cases, petitions, ratings)
    assert metric(rows, MARCH, "DOSSIER_RECEIVING_SATISFACTION") == (3, 3, 6.0)
    assert metric(rows, APRIL, "DOSSIER_RECEIVING_SATISFACTION") == (1, 3, pytest.approx(6 * 1 / 2.7))
    assert metric(rows, MAY, "DOSSIER_RECEIVING_SATISFACTION") == (1, 3, pytest.approx(6 * 1 / 2.7))
    assert metric(rows, APRIL, "PETITION_PROCESSING_ON_TIME") == (1, 1, 6.0)
    assert metric(rows, MAY, "PETITION_PROCESSING_ON_TIME") == (0, 1, 0.0)
    assert metric(rows, MARCH, "PETITION_PROCESSING_ON_TIME") == (0, 0, 6.0)


def test_fee_procedures_paid_online_are_capped_and_counted_department_wide() -> None:
    paid = {"1.001": "1", "2.002": "2", "2.003": "1", "2.004": "1", "2.005": "3"}
    cases = [case(f"HS-{code}", MaTTHC=code, DuocThanhToanTrucTuyen=kind) for code, kind in paid.items()]
    cases += [
        case("HS-A", MaTTHC="2.005", DuocThanhToanTrucTuyen="3"),
        case("HS-B", MaTTHC="", DuocThanhToanTrucTuyen="1"),
        case("HS-C", MaTTHC="2.009", DuocThanhToanTrucTuyen=""),
        case("HS-X1", DonViXuLy="X1", MaTTHC="1.001", DuocThanhToanTrucTuyen="3"),
        case("HS-H1", DonViXuLy="H1", MaTTHC="2.006", DuocThanhToanTrucTuyen="1"),
    ]
    rows = score(cases)
    assert metric(rows, MARCH, "FEE_PROCEDURES_PAID_ONLINE") == (4, 5, 4.0)
    assert rows[(MARCH, "SYT", "FEE_PROCEDURES_PAID_ONLINE")]["ratio"] == 0.8
    assert metric(rows, MARCH, "FEE_PROCEDURES_PAID_ONLINE", "X1") == (1, 2, 2.5)
    assert metric(rows, MARCH, "FEE_PROCEDURES_PAID_ONLINE", "ALL") == (5, 6, 4.0)
    assert metric(rows, MARCH, "PAID_ONLINE") == (5, 7, pytest.approx(6 * 5 / 7))
    assert metric(rows, APRIL, "FEE_PROCEDURES_PAID_ONLINE") == (0, 0, None)


def test_online_full_process_counts_level_4_procedures_only() -> None:
    cases = [
        case("HS-1", MaTTHC="1.001", KenhThucHien="2"),
        case("HS-2", MaTTHC="1.001", KenhThucHien="1"),
        case("HS-3", MaTTHC="1.002", KenhThucHien="2"),
        case("HS-4", MaTTHC="9.999", KenhThucHien="2"),
        case("HS-5", MaTTHC="1.001", KenhThucHien="2", TrangThaiHoSo="1", NgayTiepNhan="", NgayHenTra=""),
    ]
    rows = score(cases)
    assert metric(rows, MARCH, "ONLINE_FULL_PROCESS") == (1, 2, 6.0)
    assert metric(rows, MARCH, "ONLINE_FULL_PROCESS", "ALL") == (1, 2, 6.0)


def test_proportional_metrics_take_the_counts_of_their_indicator() -> None:
    cases = [
        case("HS-1"),
        case("HS-2", DongBoDVCQG="0"),
        case("HS-3", HoSoCoThanhPhanSoHoa="0"),
        case(
            "HS-4",
            TrangThaiHoSo="10",
            NgayKetThucXuLy="20250310100000",
            NgayTra="20250311100000",
            DanhSachGiayToKetQua=[
                {"TenGiayTo": "GP", "DuongDanTepTinKetQua": "https://x/1.pdf", "CoChuKySo": "1"}
            ],
        ),
        case(
            "HS-5",
            TrangThaiHoSo="9",
            NgayKetThucXuLy="20250312100000",
            DanhSachGiayToKetQua=[{"TenGiayTo": "GP", "DuongDanTepTinKetQua": "", "CoChuKySo": "1"}],
        ),
    ]
    rows = score(cases)
    assert metric(rows, MARCH, "DOSSIER_SYNC") == (4, 5, pytest.approx(6 * 4 / 5))
    assert metric(rows, MARCH, "DOSSIER_DIGITIZED") == (4, 5, pytest.approx(4 * 4 / 5))
    assert metric(rows, MARCH, "ORIGINAL_RESULT_AVAILABLE") == (1, 2, 3.0)
    assert metric(rows, MARCH, "ON_TIME") == (5, 5, 20.0)
    assert metric(rows, APRIL, "ORIGINAL_RESULT_AVAILABLE") == (0, 0, None)
    assert rows[(APRIL, "SYT", "ORIGINAL_RESULT_AVAILABLE")]["ratio"] is None


def test_petition_metrics_empty_denominators_and_the_months_before_the_cutover() -> None:
    cases = [case("HS-1", received="20241115080000", due="20250630170000")]
    petitions = [
        answered(
            "PA-1",
            "20241125100000",
            "20241125110000",
            NgayGui="20241120080000",
            NgayTiepNhan="20241120090000",
            HanTuChoi="20241122170000",
            HanYeuCauBoSung="20241127170000",
            HanXuLy="20241211170000",
            HanCongKhai="20241127170000",
        )
    ]
    rows = score(cases, petitions)
    assert metric(rows, NOVEMBER, "PETITION_PROCESSING_ON_TIME") == (1, 1, None)
    assert metric(rows, NOVEMBER, "PETITION_HANDLING_SATISFACTION") == (1, 1, None)
    assert rows[(NOVEMBER, "SYT", "PETITION_HANDLING_SATISFACTION")]["ratio"] == 1.0
    for code in ("PETITION_PROCESSING_ON_TIME", "PETITION_HANDLING_SATISFACTION"):
        assert metric(rows, DECEMBER, code) == (0, 0, 6.0)
        assert rows[(DECEMBER, "SYT", code)]["ratio"] is None
    assert metric(rows, NOVEMBER, "DOSSIER_SYNC") == (1, 1, 6.0)
    assert metric(rows, DECEMBER, "DOSSIER_SYNC") == (0, 0, None)
    assert metric(rows, DECEMBER, "DOSSIER_RECEIVING_SATISFACTION") == (1, 1, 6.0)
    assert metric(rows, DECEMBER, "FEE_PROCEDURES_PAID_ONLINE") == (0, 0, None)
    assert {month for month, _, _ in rows} == {
        NOVEMBER,
        DECEMBER,
        date(2025, 1, 1),
        date(2025, 2, 1),
        MARCH,
        APRIL,
        MAY,
    }


def test_ratings_and_petitions_at_p_end_and_a_tie_in_byte_order() -> None:
    due = "20250530170000"
    cases = [case(key, due=due) for key in ("HS-RATED", "HS-TIE", "HS-PETITIONED")]
    # Rated exactly at March's P_end (1/4 00:00 local): counted from April; DG-a beats DG-B in byte order.
    ratings = [
        rating("DG-1", "HS-RATED", "20250401000000", "3"),
        rating("DG-a", "HS-TIE", "20250310100000", "1"),
        rating("DG-B", "HS-TIE", "20250310100000", "3"),
    ]
    petitions = [petition("PA-1", MaHoSo="HS-PETITIONED", NgayGui="20250401000000",
                          NgayTiepNhan="20250401090000", HanXuLy="20250505170000")]  # fmt: skip
    rows = score(cases, petitions, ratings)
    assert metric(rows, MARCH, "DOSSIER_RECEIVING_SATISFACTION") == (3, 3, 6.0)
    assert metric(rows, APRIL, "DOSSIER_RECEIVING_SATISFACTION") == (1, 3, pytest.approx(6 * 1 / 2.7))


def test_received_in_p_is_the_local_month() -> None:
    cases = [
        case(
            "HS-1",
            MaTTHC="1.001",
            KenhThucHien="2",
            NgayTiepNhan="20250331235900",
            NgayHenTra="20250415170000",
        ),
        case(
            "HS-2",
            MaTTHC="1.001",
            KenhThucHien="1",
            NgayTiepNhan="20250401000000",
            NgayHenTra="20250415170000",
        ),
    ]
    rows = score(cases)
    assert metric(rows, MARCH, "ONLINE_FULL_PROCESS") == (1, 1, 12.0)
    assert metric(rows, APRIL, "ONLINE_FULL_PROCESS") == (0, 1, 0.0)
