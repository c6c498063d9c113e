"""Validation and canonical mapping of source records (pure logic)."""

import unicodedata
from datetime import datetime

import pytest

from core.timefmt import LOCAL_ZONE, BadTimestamp, parse_egov, parse_newsys
from ingest.egov_case import parse_egov_case
from ingest.newsys_case import parse_newsys_case
from ingest.newsys_catalog import parse_official, parse_procedure, parse_unit
from ingest.text import clean, payload_key


def newsys_case(**fields: object) -> dict:
    """A valid new-system case in status 10, with overrides."""
    record = {
        "MaHoSo": "H19.22-250110-0001", "MaTTHC": "1.002467", "TenTTHC": "Cấp giấy phép", "MaLinhVuc": "Y",
        "DonViXuLy": "000.22.31.H19", "KenhThucHien": "2", "ChuHoSo": "Nguyễn Văn An",
        "SoGiayToChuHoSo": " 079123456789 ", "SoDienThoai": "0901234567", "Email": "", "LoaiDoiTuong": "1",
        "TaiKhoanDuocXacThucVoiVNeID": "1", "NgayTiepNhan": "20250110080000", "NgayHenTra": "20250120170000",
        "NgayKetThucXuLy": "20250118100000", "NgayTuChoi": "", "NgayTra": "20250119090000",
        "TrangThaiHoSo": "10", "LyDoDungXuLy": "", "HoSoCoThanhPhanSoHoa": "1", "DuocThanhToanTrucTuyen": "2",
        "DanhSachGiayToKetQua": [{"TenGiayTo": "GP", "MaGiayToKetQua": "1", "DuongDanTepTinKetQua": "/f.pdf",
                                  "CoChuKySo": "1"}],
        "DanhSachHoSoBoSung": [], "PhieuXinLoi": [],
        "QuaTrinhXuLy": [{"TenDangNhap": "a.syt", "ThoiDiemXuLy": "20250111080000", "NoiDungXuLy": "x"},
                         {"TenDangNhap": "b.syt", "ThoiDiemXuLy": "20250118100000", "NoiDungXuLy": "y"}],
        "DanhGia": "1", "DongBoDVCQG": "1", "NguonHoSo": "MOI", "MaHoSoCu": "",
        "NgayCapNhat": "20250119090000", "DaXoa": "0",
    }
    record.update(fields)
    return record


def egov_case(**fields: object) -> dict:
    """A valid Egov case, finished and returned, with overrides."""
    record = {
        "id": 17, "soHoSo": "000.22.31.H19-241220-0007", "maThuTuc": "1.002467", "tenThuTuc": "Cấp giấy phép",
        "maDonVi": "000.22.31.H19", "hinhThucNop": "Trực tuyến", "ngayNhan": "20/12/2024 08:15:30",
        "ngayHenTra": "30/12/2024 17:00:00", "ngayKetThuc": "27/12/2024 10:00:00", "ngayTra": "",
        "trangThai": "Đã có kết quả", "soKetQua": "123/GP", "ketQuaDienTu": "1", "chuHoSo": "Trần Thị B",
        "soGiayTo": "123456789", "soDienThoai": "0912345678", "thanhToanTrucTuyen": "Có", "daSoHoa": "0",
        "lyDoTamDung": "", "soPhieuXinLoi": "", "canBoXuLy": "tranb", "danhGia": "Hài lòng",
        "daChuyenHeThongMoi": "", "ngayCapNhat": "27/12/2024 10:00:00",
    }
    record.update(fields)
    return record


def test_text_is_nfc_and_trimmed() -> None:
    decomposed = unicodedata.normalize("NFD", "  Đang xử lý ")
    assert clean(decomposed) == "Đang xử lý"
    assert clean(None) == ""


def test_timestamps_are_local_time() -> None:
    assert parse_newsys("20250110080000") == datetime(2025, 1, 10, 8, 0, tzinfo=LOCAL_ZONE)
    assert parse_egov("05/03/2019") == datetime(2019, 3, 5, tzinfo=LOCAL_ZONE)
    assert parse_newsys("") is None
    for bad in ("20250230080000", "2025011008000", "abc"):
        with pytest.raises(BadTimestamp):
            parse_newsys(bad)
    with pytest.raises(BadTimestamp):
        parse_egov("31/02/2024 08:00:00")


def test_valid_newsys_case_maps_to_canonical_columns() -> None:
    parsed = parse_newsys_case(newsys_case())
    assert parsed.valid, parsed.reasons
    row = parsed.row
    assert row.status_code == 10 and row.is_terminal
    assert row.finished_at == datetime(2025, 1, 18, 10, tzinfo=LOCAL_ZONE)
    assert row.has_result and row.has_e_result and row.payment == "online"
    assert row.applicant_id == "079123456789"
    assert "applicant_key" not in row._fields
    assert row.handlers == ["a.syt", "b.syt"] and row.last_official == "b.syt"
    assert parsed.key == "H19.22-250110-0001"


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"MaHoSo": "  "}, "missing:MaHoSo"),
        ({"TrangThaiHoSo": "11"}, "bad_code:TrangThaiHoSo"),
        ({"KenhThucHien": "4"}, "bad_code:KenhThucHien"),
        ({"DanhGia": "5"}, "bad_code:DanhGia"),
        ({"DuocThanhToanTrucTuyen": "9"}, "bad_code:DuocThanhToanTrucTuyen"),
        ({"NguonHoSo": "KHAC"}, "bad_code:NguonHoSo"),
        ({"DongBoDVCQG": "2"}, "bad_flag:DongBoDVCQG"),
        ({"NgayHenTra": "2025-01-20"}, "bad_time:NgayHenTra"),
        ({"NgayHenTra": ""}, "missing:NgayHenTra"),
        ({"NgayKetThucXuLy": ""}, "missing_end_time:NgayKetThucXuLy"),
        ({"TrangThaiHoSo": "3", "NgayTuChoi": ""}, "missing_end_time:NgayTuChoi"),
        ({"PhieuXinLoi": "none"}, "bad_list:PhieuXinLoi"),
        ({"QuaTrinhXuLy": [{"TenDangNhap": "a", "ThoiDiemXuLy": "x"}]}, "bad_time:QuaTrinhXuLy.ThoiDiemXuLy"),
        ({"NgayCapNhat": "20251399000000"}, "bad_time:NgayCapNhat"),
    ],
)
def test_bad_newsys_cases_are_kept_aside_with_their_reason(overrides: dict, reason: str) -> None:
    parsed = parse_newsys_case(newsys_case(**overrides))
    assert not parsed.valid
    assert reason in parsed.reasons


def test_registered_case_needs_no_receipt_and_open_case_has_no_end() -> None:
    parsed = parse_newsys_case(newsys_case(TrangThaiHoSo="1", NgayTiepNhan="", NgayHenTra=""))
    assert parsed.valid, parsed.reasons
    assert parsed.row.finished_at is None


def test_case_without_key_is_keyed_by_payload_hash() -> None:
    record = newsys_case(MaHoSo="")
    assert parse_newsys_case(record).key == payload_key(record)
    assert parse_newsys_case("not a record").reasons == ["not_an_object"]


def test_valid_egov_case_maps_labels_and_dates() -> None:
    record = egov_case(trangThai=unicodedata.normalize("NFD", " đã CÓ kết quả "))
    parsed = parse_egov_case(record)
    assert parsed.valid, parsed.reasons
    row = parsed.row
    assert (row.status_code, row.channel, row.rating, row.payment) == (9, 2, 2, "online")
    assert row.finished_at == datetime(2024, 12, 27, 10, tzinfo=LOCAL_ZONE)
    assert row.has_result and row.has_e_result and not row.has_apology
    assert parsed.key == "17" and row.last_official == "tranb"


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"id": "abc"}, "bad_id"),
        ({"soHoSo": ""}, "missing:soHoSo"),
        ({"ngayNhan": ""}, "missing:ngayNhan"),
        ({"ngayHenTra": "32/12/2024"}, "bad_time:ngayHenTra"),
        ({"trangThai": "Đã hủy"}, "bad_code:trangThai"),
        ({"hinhThucNop": "Fax"}, "bad_code:hinhThucNop"),
        ({"danhGia": "Tạm được"}, "bad_code:danhGia"),
        ({"ngayKetThuc": ""}, "missing_end_time:ngayKetThuc"),
        ({"daSoHoa": "có"}, "bad_flag:daSoHoa"),
    ],
)
def test_bad_egov_cases_are_kept_aside_with_their_reason(overrides: dict, reason: str) -> None:
    parsed = parse_egov_case(egov_case(**overrides))
    assert not parsed.valid
    assert reason in parsed.reasons


def test_reference_records() -> None:
    official = {"TenDangNhap": "a.syt", "HoTen": "A", "MaDonVi": "X", "LoaiTaiKhoan": "NOI_BO",
                "MucDoDinhDanh": "", "TrangThai": "1", "NgayCapNhat": "20250101000000"}
    assert parse_official(official).row.account_type == "NOI_BO"
    assert "bad_code:LoaiTaiKhoan" in parse_official(official | {"LoaiTaiKhoan": "LDAP"}).reasons
    procedure = {"MaTTHC": "1.1", "TenTTHC": "P", "MaLinhVuc": "Y", "TenLinhVuc": "Y tế", "MucDo": "4",
                 "ThoiHanGiaiQuyet": 15, "CoPhiLePhi": "1"}
    assert parse_procedure(procedure).row.legal_days == 15
    assert "bad_code:ThoiHanGiaiQuyet" in parse_procedure(procedure | {"ThoiHanGiaiQuyet": "15"}).reasons
    assert "bad_code:MucDo" in parse_procedure(procedure | {"MucDo": "5"}).reasons
    unit = {"MaDonVi": "H10.1", "TenDonVi": "PYT", "Cap": "HUYEN", "MaDonViKeThua": "H19",
            "HieuLucDen": "20250701000000"}
    assert parse_unit(unit).row.successor_code == "H19"
    assert "bad_time:HieuLucDen" in parse_unit(unit | {"HieuLucDen": "1/7/2025"}).reasons


PROCEDURE = {"MaTTHC": "1.1", "TenTTHC": "P", "MaLinhVuc": "Y", "TenLinhVuc": "Y tế", "MucDo": "4",
             "ThoiHanGiaiQuyet": 15, "CoPhiLePhi": "1"}


@pytest.mark.parametrize("days", [2**31, 2**31 + 7, 2**63, 2**70, 0, -1, -(2**31), -(2**31) - 1])
def test_legal_days_outside_one_to_the_integer_column_are_out_of_range(days: int) -> None:
    parsed = parse_procedure(PROCEDURE | {"ThoiHanGiaiQuyet": days})
    assert not parsed.valid
    assert parsed.reasons == ["out_of_range:ThoiHanGiaiQuyet"]


@pytest.mark.parametrize("days", [1, 2**31 - 1])
def test_legal_days_from_one_to_the_integer_column_are_valid(days: int) -> None:
    parsed = parse_procedure(PROCEDURE | {"ThoiHanGiaiQuyet": days})
    assert parsed.valid, parsed.reasons
    assert parsed.row.legal_days == days


@pytest.mark.parametrize("egov_id", [2**63, -(2**63) - 1, 2**70])
def test_an_egov_id_beyond_bigint_is_out_of_range(egov_id: int) -> None:
    parsed = parse_egov_case(egov_case(id=egov_id))
    assert parsed.reasons == ["out_of_range:id"]
    assert parsed.key == payload_key(parsed.payload)


@pytest.mark.parametrize("egov_id", [2**63 - 1, -(2**63), 0, -5])
def test_an_egov_id_within_bigint_is_its_key(egov_id: int) -> None:
    parsed = parse_egov_case(egov_case(id=egov_id))
    assert parsed.valid, parsed.reasons
    assert (parsed.key, parsed.row.egov_id) == (str(egov_id), egov_id)
