"""The ground-truth oracle on small hand-written payloads with hand-computed answers."""

from __future__ import annotations

import hashlib
import hmac
import json
import unicodedata
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from tests.oracle.expected import (
    DEFAULT_CUTOVER,
    TruthInputs,
    expected_dq_counts,
    expected_fact_case,
    expected_indicators,
    expected_outcome_counts,
    expected_reconciliation,
    expected_residue_by_unit,
    quarantine_truth,
    truth_for_world,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PII_KEY = "test-pii-key"
AS_OF = datetime(2025, 3, 10, 12, 0, tzinfo=VN)

UNITS = [
    {"MaDonVi": "SYT", "TenDonVi": "Sở Y tế", "Cap": "SO", "MaDonViKeThua": "", "HieuLucDen": ""},
    {"MaDonVi": "H1", "TenDonVi": "Huyện 1", "Cap": "HUYEN", "MaDonViKeThua": "X1",
     "HieuLucDen": "20250701000000"},
    {"MaDonVi": "X1", "TenDonVi": "Xã 1", "Cap": "XA", "MaDonViKeThua": "", "HieuLucDen": ""},
    {"MaDonVi": "C1", "TenDonVi": "Vòng 1", "Cap": "XA", "MaDonViKeThua": "C2", "HieuLucDen": ""},
    {"MaDonVi": "C2", "TenDonVi": "Vòng 2", "Cap": "XA", "MaDonViKeThua": "C1", "HieuLucDen": ""},
    {"MaDonVi": "D1", "TenDonVi": "Vào vòng", "Cap": "HUYEN", "MaDonViKeThua": "C1", "HieuLucDen": ""},
    {"MaDonVi": "H2", "TenDonVi": "Huyện 2", "Cap": "HUYEN", "MaDonViKeThua": "ZZ", "HieuLucDen": ""},
]
BROKEN_UNITS = [
    {"MaDonVi": "Q1", "TenDonVi": "Hỏng", "Cap": "TINH", "MaDonViKeThua": "", "HieuLucDen": ""},
    {"MaDonVi": "H3", "TenDonVi": "Huyện 3", "Cap": "HUYEN", "MaDonViKeThua": "Q1", "HieuLucDen": ""},
]
PROCEDURES = [
    {"MaTTHC": "1.001", "TenTTHC": "Cấp phép", "MaLinhVuc": "LV", "TenLinhVuc": "Y tế", "MucDo": "4",
     "ThoiHanGiaiQuyet": 10, "CoPhiLePhi": "1"},
    {"MaTTHC": "1.002", "TenTTHC": "Cấp lại", "MaLinhVuc": "LV", "TenLinhVuc": "Y tế", "MucDo": "3",
     "ThoiHanGiaiQuyet": 5, "CoPhiLePhi": "0"},
]


def nfd(text: str) -> str:
    """The decomposed form of a text, as some sources send it."""
    return unicodedata.normalize("NFD", text)


def new_case(ma: str, **fields: Any) -> dict[str, Any]:
    """A valid new-system case in status 4, with `fields` overriding the defaults."""
    payload: dict[str, Any] = {
        "MaHoSo": ma, "MaTTHC": "1.001", "TenTTHC": "Cấp phép", "MaLinhVuc": "LV", "DonViXuLy": "SYT",
        "KenhThucHien": "2", "ChuHoSo": "Nguyễn Văn A", "SoGiayToChuHoSo": "001234567890",
        "SoDienThoai": "0900000000", "Email": "", "LoaiDoiTuong": "1", "TaiKhoanDuocXacThucVoiVNeID": "1",
        "NgayTiepNhan": "20250110080000", "NgayHenTra": "20250120170000", "NgayKetThucXuLy": "",
        "NgayTuChoi": "", "NgayTra": "", "TrangThaiHoSo": "4", "LyDoDungXuLy": "",
        "HoSoCoThanhPhanSoHoa": "1", "DuocThanhToanTrucTuyen": "", "DanhSachGiayToKetQua": [],
        "DanhSachHoSoBoSung": [], "PhieuXinLoi": [], "QuaTrinhXuLy": [], "DanhGia": "", "DongBoDVCQG": "1",
        "NguonHoSo": "MOI", "MaHoSoCu": "", "NgayCapNhat": "20250110080000", "DaXoa": "0",
    }
    payload.update(fields)
    return payload


def egov_case(egov_id: Any, so: str, **fields: Any) -> dict[str, Any]:
    """A valid open Egov case received before the cutover, with `fields` overriding the defaults."""
    payload: dict[str, Any] = {
        "id": egov_id, "soHoSo": so, "maThuTuc": "1.001", "tenThuTuc": "Cấp phép", "maDonVi": "SYT",
        "hinhThucNop": "Trực tiếp", "ngayNhan": "10/12/2024 09:15:30", "ngayHenTra": "30/12/2024 17:00:00",
        "ngayKetThuc": "", "ngayTra": "", "trangThai": "Đang xử lý", "soKetQua": "", "ketQuaDienTu": "0",
        "chuHoSo": "Trần Thị B", "soGiayTo": "079" + str(egov_id).rjust(9, "0"), "soDienThoai": "",
        "thanhToanTrucTuyen": "", "daSoHoa": "0", "lyDoTamDung": "", "soPhieuXinLoi": "",
        "canBoXuLy": "cb.cu", "danhGia": "", "daChuyenHeThongMoi": "0", "ngayCapNhat": "10/12/2024 09:15:30",
    }
    payload.update(fields)
    return payload


def migrated(ma: str, legacy: str, **fields: Any) -> dict[str, Any]:
    """A new-system case migrated from Egov."""
    return new_case(ma, NguonHoSo="EGOV", MaHoSoCu=legacy, **fields)


def official(user: str, kind: str, unit: str = "SYT", active: str = "1") -> dict[str, Any]:
    """An official account."""
    return {"TenDangNhap": user, "HoTen": "Cán bộ", "MaDonVi": unit, "LoaiTaiKhoan": kind,
            "MucDoDinhDanh": "2" if kind == "VNEID" else "", "TrangThai": active,
            "NgayCapNhat": "20250101000000"}


def history(*users: str) -> list[dict[str, str]]:
    """A handling history with one entry per user name."""
    return [{"TenDangNhap": u, "ThoiDiemXuLy": "20250201080000", "NoiDungXuLy": "Xử lý"} for u in users]


def inputs(
    egov: list[dict[str, Any]] | None = None, newsys: list[dict[str, Any]] | None = None,
    officials: list[dict[str, Any]] | None = None, procedures: list[dict[str, Any]] | None = None,
    units: list[dict[str, Any]] | None = None, as_of: datetime = AS_OF,
) -> TruthInputs:
    """Oracle inputs, by default with the shared units and procedures."""
    return TruthInputs(egov=egov or [], newsys=newsys or [], officials=officials or [],
                       procedures=PROCEDURES if procedures is None else procedures, units=units or UNITS,
                       cutover=DEFAULT_CUTOVER, as_of=as_of, pii_key=PII_KEY)


def local(*parts: int) -> datetime:
    """A local Asia/Ho_Chi_Minh time."""
    return datetime(*parts, tzinfo=VN)


def sha_key(payload: Any) -> str:
    """The quarantine key of a payload without a usable key."""
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


S = "000.22.31.H19-241201-00"


def test_new_case_every_field_reason() -> None:
    """Each field rule of a new-system case yields its reason; no MaHoSo means a payload-hash key."""
    bad = new_case("  ", TrangThaiHoSo="11", KenhThucHien="", DanhGia="4", DuocThanhToanTrucTuyen="x",
                   NguonHoSo="", LoaiDoiTuong="5", DongBoDVCQG="2", QuaTrinhXuLy="x",
                   PhieuXinLoi=[{"SoPhieu": "1", "NgayLap": "2025"}],
                   DanhSachGiayToKetQua=[{"CoChuKySo": "y"}], DanhSachHoSoBoSung=["not an object"],
                   NgayCapNhat="20250231000000")
    assert quarantine_truth(inputs(newsys=[bad])) == {("newsys", "case", sha_key(bad)): [
        "bad_code:DanhGia", "bad_code:DuocThanhToanTrucTuyen", "bad_code:KenhThucHien",
        "bad_code:LoaiDoiTuong", "bad_code:NguonHoSo", "bad_code:TrangThaiHoSo",
        "bad_flag:DanhSachGiayToKetQua.CoChuKySo", "bad_flag:DongBoDVCQG", "bad_list:DanhSachHoSoBoSung",
        "bad_list:QuaTrinhXuLy", "bad_time:NgayCapNhat", "bad_time:PhieuXinLoi.NgayLap", "missing:MaHoSo"]}


def test_new_case_status_rules() -> None:
    """Received statuses need both times, terminal ones their end time; status 1 needs neither."""
    cases = [
        new_case("HS-1", TrangThaiHoSo="9", NgayTiepNhan="", NgayHenTra=" "),
        new_case("HS-2", TrangThaiHoSo="3", NgayTiepNhan="", NgayHenTra="", NgayTuChoi=""),
        new_case("HS-3", TrangThaiHoSo="1", NgayTiepNhan="", NgayHenTra=""),
        new_case("HS-4", TrangThaiHoSo=" 10 ", NgayKetThucXuLy="2025-01-12"),
        new_case("HS-5", DaXoa="1", KenhThucHien="4"),
        new_case("HS-6", PhieuXinLoi=None, QuaTrinhXuLy=None, LoaiDoiTuong=None, DanhGia=None),
    ]
    assert quarantine_truth(inputs(newsys=cases)) == {
        ("newsys", "case", "HS-1"): ["missing:NgayHenTra", "missing:NgayTiepNhan",
                                     "missing_end_time:NgayKetThucXuLy"],
        ("newsys", "case", "HS-2"): ["missing_end_time:NgayTuChoi"],
        ("newsys", "case", "HS-4"): ["bad_time:NgayKetThucXuLy"],
        ("newsys", "case", "HS-5"): ["bad_code:KenhThucHien"],
    }


def test_egov_case_reasons() -> None:
    """Each Egov rule yields its reason; an id that is not a JSON integer is `bad_id`."""
    string_id = egov_case("7", S + "07")
    bool_id = egov_case(True, S + "08")
    bad = egov_case(8, "  ", trangThai="Đang chờ", hinhThucNop="", danhGia="Tốt", thanhToanTrucTuyen="Yes",
                    ketQuaDienTu="2", daSoHoa="x", daChuyenHeThongMoi="có", ngayNhan="31/02/2024",
                    ngayHenTra="", ngayCapNhat="2024-12-01")
    refused = egov_case(9, S + "09", trangThai="Từ chối")
    assert quarantine_truth(inputs(egov=[string_id, bool_id, bad, refused])) == {
        ("egov", "case", sha_key(string_id)): ["bad_id"],
        ("egov", "case", sha_key(bool_id)): ["bad_id"],
        ("egov", "case", "8"): ["bad_code:danhGia", "bad_code:hinhThucNop", "bad_code:thanhToanTrucTuyen",
                                "bad_code:trangThai", "bad_flag:daChuyenHeThongMoi", "bad_flag:daSoHoa",
                                "bad_flag:ketQuaDienTu", "bad_time:ngayCapNhat", "bad_time:ngayNhan",
                                "missing:ngayHenTra", "missing:soHoSo"],
        ("egov", "case", "9"): ["missing_end_time:ngayKetThuc"],
    }


def test_last_version_of_a_key_is_its_state() -> None:
    """A key whose last version is bad is quarantined and absent from the universe, and vice versa."""
    good, bad = new_case("HS-1"), new_case("HS-1", KenhThucHien="0")
    turned_bad = inputs(newsys=[good, bad])
    assert quarantine_truth(turned_bad) == {("newsys", "case", "HS-1"): ["bad_code:KenhThucHien"]}
    assert expected_fact_case(turned_bad) == {}
    repaired = inputs(newsys=[bad, good])
    assert quarantine_truth(repaired) == {}
    assert set(expected_fact_case(repaired)) == {"HS-1"}


def test_catalogue_reasons() -> None:
    """Officials, procedures and units have their own rules."""
    nameless = {"TenDangNhap": " ", "LoaiTaiKhoan": "LOCAL", "MucDoDinhDanh": "3", "TrangThai": "2",
                "NgayCapNhat": "x"}
    bad_procedure = {"MaTTHC": "1.009", "MucDo": "1", "ThoiHanGiaiQuyet": "10", "CoPhiLePhi": "có"}
    bad_unit = {"MaDonVi": "U9", "Cap": "SO", "HieuLucDen": "2025"}
    inp = inputs(officials=[nameless], procedures=[*PROCEDURES, bad_procedure, {"MucDo": "2"}],
                 units=[*UNITS, *BROKEN_UNITS, bad_unit])
    assert quarantine_truth(inp) == {
        ("newsys", "official", sha_key(nameless)): ["bad_code:LoaiTaiKhoan", "bad_code:MucDoDinhDanh",
                                                    "bad_code:TrangThai", "bad_time:NgayCapNhat",
                                                    "missing:TenDangNhap"],
        ("newsys", "procedure", "1.009"): ["bad_code:MucDo", "bad_code:ThoiHanGiaiQuyet",
                                           "bad_flag:CoPhiLePhi"],
        ("newsys", "procedure", sha_key({"MucDo": "2"})): ["bad_code:ThoiHanGiaiQuyet", "missing:MaTTHC"],
        ("newsys", "unit", "Q1"): ["bad_code:Cap"],
        ("newsys", "unit", "U9"): ["bad_time:HieuLucDen"],
    }


def test_fact_rows_read_every_column() -> None:
    """Text is NFC and trimmed, labels match case-insensitively, times are local, ids are keyed hashes."""
    new = new_case(" HS-1 ", TrangThaiHoSo="10", KenhThucHien=" 3", DonViXuLy="H1",
                   NgayKetThucXuLy="20250118100000", NgayTra="20250119090000", DuocThanhToanTrucTuyen="2",
                   DanhGia="2", SoGiayToChuHoSo=" 001234567890 ", HoSoCoThanhPhanSoHoa="0",
                   DanhSachGiayToKetQua=[{"TenGiayTo": "GP", "DuongDanTepTinKetQua": " ", "CoChuKySo": "1"}],
                   PhieuXinLoi=[{"SoPhieu": "1", "NgayLap": "20250117080000", "NgayHenTraMoi": ""}])
    old = egov_case(5, nfd(" Số 5 "), trangThai=nfd(" ĐÃ TRẢ KẾT QUẢ "), hinhThucNop=nfd("trực TUYẾN"),
                    ngayNhan="05/01/2019", ngayHenTra="10/01/2019", ngayKetThuc="09/01/2019 16:30:00",
                    soKetQua="KQ-5", ketQuaDienTu="1", daSoHoa="1", thanhToanTrucTuyen="KHÔNG",
                    danhGia=nfd("rất hài lòng"), soGiayTo="", maDonVi="ZZ9", maThuTuc="9.999")
    old["soPhieuXinLoi"] = "PXL"
    rows = expected_fact_case(inputs(egov=[old], newsys=[new]))
    expected_key = hmac.new(PII_KEY.encode(), b"001234567890", hashlib.sha256).hexdigest()
    assert rows["HS-1"] == {
        "case_key": "HS-1", "source_system": "newsys", "legacy_case_no": None, "procedure_code": "1.001",
        "unit_code": "X1", "original_unit_code": "H1", "channel": 3, "status_code": 10,
        "received_at": local(2025, 1, 10, 8), "due_at": local(2025, 1, 20, 17),
        "finished_at": local(2025, 1, 18, 10), "returned_at": local(2025, 1, 19, 9), "has_result": True,
        "has_e_result": False, "is_digitized": False, "payment": "online", "rating": 2, "has_apology": True,
        "synced_national": True, "applicant_key": expected_key,
    }
    assert rows["EGOV:Số 5"] == {
        "case_key": "EGOV:Số 5", "source_system": "egov", "legacy_case_no": "Số 5",
        "procedure_code": "9.999", "unit_code": "ZZ9", "original_unit_code": "ZZ9", "channel": 2,
        "status_code": 10, "received_at": local(2019, 1, 5), "due_at": local(2019, 1, 10),
        "finished_at": local(2019, 1, 9, 16, 30), "returned_at": None, "has_result": True,
        "has_e_result": True, "is_digitized": True, "payment": "offline", "rating": 1, "has_apology": True,
        "synced_national": None, "applicant_key": None,
    }


def test_current_units_follow_chains() -> None:
    """Chains end at a live unit or an unknown code; cycles and quarantined links keep the code."""
    codes = ["SYT", "H1", "C1", "D1", "H2", "H3", "NEW"]
    cases = [new_case(f"HS-{code}", DonViXuLy=code) for code in codes]
    rows = expected_fact_case(inputs(newsys=cases, units=[*UNITS, *BROKEN_UNITS]))
    assert {code: rows[f"HS-{code}"]["unit_code"] for code in codes} == {
        "SYT": "SYT", "H1": "X1", "C1": "C1", "D1": "D1", "H2": "ZZ", "H3": "Q1", "NEW": "NEW"}


def test_non_terminal_case_has_no_finished_at() -> None:
    """An end time on an open case is not a finish."""
    rows = expected_fact_case(inputs(newsys=[new_case("HS-1", NgayKetThucXuLy="20250111000000")]))
    assert rows["HS-1"]["finished_at"] is None


def reconciliation_world() -> TruthInputs:
    """One backlog with every outcome (see the expected rows)."""
    egov = [
        egov_case(1, S + "01"),
        egov_case(2, S + "02", trangThai="Đã trả kết quả", ngayKetThuc="26/12/2024 10:00:00"),
        egov_case(3, S + "03", ngayNhan="03/12/2024 09:15:30"),
        egov_case(4, S + "04", maDonVi="H1"),
        egov_case(5, S + "05", maDonVi="H1", trangThai="Đã có kết quả", ngayKetThuc="25/12/2024 08:00:00"),
        egov_case(6, S + "06", trangThai="Đã trả kết quả", ngayKetThuc="20/12/2024 10:00:00"),
        egov_case(7, S + "07"),
        egov_case(8, S + "08", ngayNhan="08/12/2024 08:08:08"),
        egov_case(9, "000.22.31.h19.241201.0008", maDonVi="H1"),
        egov_case(10, S + "10"),
        egov_case(11, S + "11", ngayNhan="25/12/2024 08:00:00", ngayHenTra="05/01/2025 17:00:00"),
        egov_case(12, S + "12", soGiayTo="079000000012", ngayNhan="12/12/2024 12:12:01"),
        egov_case(13, S + "13", soGiayTo="079000000012", ngayNhan="12/12/2024 12:12:59"),
    ]
    newsys = [
        migrated("HS-Z1", " 000-22-31-h19 241201 0003 ", SoGiayToChuHoSo="079000000003",
                 NgayTiepNhan="20241203091500"),
        migrated("HS-a1", "", SoGiayToChuHoSo="079000000003", NgayTiepNhan="20241203091559"),
        migrated("HS-B1", S + "04", DonViXuLy="X1", SoGiayToChuHoSo="", MaTTHC="1.002",
                 NgayTiepNhan="20241210091530"),
        migrated("HS-C1", S + "05", SoGiayToChuHoSo="079000000005", NgayTiepNhan="20241210091530"),
        migrated("HS-D1", S + "06", DonViXuLy="H1", SoGiayToChuHoSo="079000000006",
                 NgayTiepNhan="20241205100000"),
        migrated("HS-E1", "KHONG-CO", SoGiayToChuHoSo="999", NgayTiepNhan="20241101080000"),
        migrated("HS-F1", S + "07", DaXoa="1"),
        migrated("HS-G1", S + "08", SoGiayToChuHoSo="079000000008", NgayTiepNhan="20241208080800"),
        migrated("HS-H1", S + "10", KenhThucHien="9"),
        migrated("HS-I1", "", SoGiayToChuHoSo="079000000012", NgayTiepNhan="20241212121200"),
        new_case("HS-0", MaHoSoCu=S + "01"),
    ]
    return inputs(egov=egov, newsys=newsys)


def row_tuple(row: dict[str, Any]) -> tuple[Any, ...]:
    """A reconciliation row as a comparable tuple."""
    keys = ("legacy_case_no", "new_case_id", "outcome", "match_method", "mismatch_fields", "unit_code",
            "received_at")
    return tuple(row[k] for k in keys)


def test_reconciliation_outcomes() -> None:
    """Every outcome, both match methods, byte-order primaries, ambiguity and deleted/quarantined copies."""
    inp = reconciliation_world()
    received = local(2024, 12, 10, 9, 15, 30)
    expected = {
        (S + "01", None, "residue", None, None, "SYT", received),
        (S + "02", None, "finished_in_egov", None, None, "SYT", received),
        (S + "03", "HS-Z1", "migrated", "case_no", "", "SYT", local(2024, 12, 3, 9, 15, 30)),
        (S + "03", "HS-a1", "duplicate_migrated", "fingerprint", "", "SYT", local(2024, 12, 3, 9, 15, 30)),
        (S + "04", "HS-B1", "migrated_mismatch", "case_no", "applicant_id,procedure_code", "X1", received),
        (S + "05", "HS-C1", "double_handled", "case_no", "unit_code", "X1", received),
        (S + "06", "HS-D1", "orphan_migrated", "case_no", "received_at,unit_code", "X1",
         local(2024, 12, 5, 10)),
        (None, "HS-E1", "orphan_migrated", None, None, "SYT", local(2024, 11, 1, 8)),
        (S + "07", None, "residue", None, None, "SYT", received),
        (S + "08", "HS-G1", "migrated", "fingerprint", "", "SYT", local(2024, 12, 8, 8, 8, 8)),
        ("000.22.31.h19.241201.0008", None, "residue", None, None, "X1", received),
        (S + "10", None, "residue", None, None, "SYT", received),
        (S + "12", None, "residue", None, None, "SYT", local(2024, 12, 12, 12, 12, 1)),
        (S + "13", None, "residue", None, None, "SYT", local(2024, 12, 12, 12, 12, 59)),
        (None, "HS-I1", "orphan_migrated", None, None, "SYT", local(2024, 12, 12, 12, 12)),
    }
    rows = expected_reconciliation(inp)
    assert len(rows) == len(expected)
    assert {row_tuple(r) for r in rows} == expected
    assert expected_outcome_counts(inp) == {"residue": 6, "finished_in_egov": 1, "migrated": 2,
                                            "duplicate_migrated": 1, "migrated_mismatch": 1,
                                            "double_handled": 1, "orphan_migrated": 3}
    assert expected_residue_by_unit(inp) == {"SYT": 5, "X1": 1}


def test_fact_case_universe_after_linking() -> None:
    """A linked Egov case is represented once, by its new record carrying the legacy number."""
    rows = expected_fact_case(reconciliation_world())
    legacy = {key: row["legacy_case_no"] for key, row in rows.items()}
    egov_only = {n: S + n for n in ("01", "02", "07", "10", "11", "12", "13")}
    assert legacy == {
        "HS-Z1": S + "03", "HS-a1": S + "03", "HS-B1": S + "04", "HS-C1": S + "05", "HS-D1": S + "06",
        "HS-E1": None, "HS-G1": S + "08", "HS-I1": None, "HS-0": None,
        **{"EGOV:" + no: no for no in egov_only.values()},
        "EGOV:000.22.31.h19.241201.0008": "000.22.31.h19.241201.0008",
    }


def signed_result() -> list[dict[str, str]]:
    """A result list with one digitally signed electronic document."""
    return [{"TenGiayTo": "GP", "MaGiayToKetQua": "1", "DuongDanTepTinKetQua": "/kq/1.pdf", "CoChuKySo": "1"}]


def dq_world() -> TruthInputs:
    """Cases and officials for the eight named expectations."""
    result = signed_result()
    newsys = [
        new_case("N-A", TrangThaiHoSo="10", NgayTiepNhan="20250203080000", NgayHenTra="20250210170000",
                 NgayKetThucXuLy="20250212090000", NgayTra="20250212100000", DanhSachGiayToKetQua=result,
                 QuaTrinhXuLy=history("cb1 ")),
        new_case("N-B", TrangThaiHoSo="9", NgayTiepNhan="20250204080000", NgayHenTra="20250214170000",
                 NgayKetThucXuLy="20250210090000", QuaTrinhXuLy=history("cb2"), DongBoDVCQG="0"),
        new_case("N-C", TrangThaiHoSo="8", NgayTiepNhan="20250205080000", NgayHenTra="20250215170000",
                 NgayKetThucXuLy="20250206090000", LyDoDungXuLy="   ", QuaTrinhXuLy=history("cb3", "CB6")),
        new_case("N-D", NgayTiepNhan="20250206080000", NgayHenTra="20250201170000", MaTTHC="9.999"),
        new_case("N-E", TrangThaiHoSo="1", NgayTiepNhan="", NgayHenTra="", MaTTHC=" "),
        new_case("N-F", DaXoa="1", QuaTrinhXuLy=history("cb5")),
    ]
    egov = [
        egov_case(1, "E-A", trangThai="Đã trả kết quả", ngayNhan="01/11/2024 08:00:00",
                  ngayHenTra="10/11/2024 17:00:00", ngayKetThuc="15/11/2024 08:00:00", soPhieuXinLoi="PXL-1",
                  canBoXuLy="cb4"),
        egov_case(2, "E-B", trangThai="Tạm dừng", ngayNhan="02/11/2024 08:00:00", ngayHenTra="12/11/2024",
                  ngayKetThuc="01/11/2024 08:00:00", lyDoTamDung="Thiếu giấy tờ"),
        egov_case(3, "E-C", ngayNhan="26/12/2024 08:00:00", ngayHenTra="05/01/2025 17:00:00"),
    ]
    officials = [official("cb1", "VNEID"), official("cb2", "NOI_BO"), official("cb3", "NOI_BO", active="0"),
                 official("cb4", "NOI_BO"), official("cb5", "VNEID"), official("cb6", "NOI_BO")]
    return inputs(egov=egov, newsys=newsys, officials=officials)


def test_dq_expectations() -> None:
    """Scopes and unexpected counts of the eight named expectations."""
    assert expected_dq_counts(dq_world()) == {
        "closed_case_has_result": (3, 2),
        "late_case_has_apology": (2, 1),
        "stopped_case_has_reason": (2, 1),
        "official_account_vneid": (2, 1),
        "egov_no_receipt_after_cutover": (3, 1),
        "case_dates_in_order": (8, 2),
        "case_synced_to_national_portal": (5, 1),
        "case_procedure_in_catalog": (8, 1),
    }


def indicator_world() -> TruthInputs:
    """Cases over December 2024 to March 2025 for every indicator (as_of 10/3/2025 noon)."""
    signed = signed_result()
    newsys = [
        new_case("I1", TrangThaiHoSo="10", NgayTiepNhan="20250115090000", NgayHenTra="20250125170000",
                 NgayKetThucXuLy="20250120100000", DuocThanhToanTrucTuyen="1", DanhGia="1",
                 DanhSachGiayToKetQua=signed, QuaTrinhXuLy=history("cb1")),
        new_case("I2", DonViXuLy="H1", KenhThucHien="1", NgayTiepNhan="20250131160000",
                 NgayHenTra="20250220170000", DuocThanhToanTrucTuyen="3", HoSoCoThanhPhanSoHoa="0",
                 DongBoDVCQG="0", QuaTrinhXuLy=history("cb2")),
        new_case("I4", TrangThaiHoSo="1", NgayTiepNhan="20241101080000", NgayHenTra=""),
        new_case("I5", TrangThaiHoSo="3", NgayTiepNhan="20250301080000", NgayTuChoi="20250302080000"),
        new_case("I6", TrangThaiHoSo="9", DonViXuLy="X1", KenhThucHien="3", NgayTiepNhan="20250302080000",
                 NgayHenTra="20250312170000", NgayKetThucXuLy="20250305100000"),
        new_case("I7", NgayTiepNhan="20250201030000", NgayHenTra="20250320170000", HoSoCoThanhPhanSoHoa="0"),
    ]
    egov = [egov_case(3, "I3", trangThai="Đã trả kết quả", hinhThucNop="Trực tuyến",
                      ngayNhan="20/12/2024 08:00:00", ngayHenTra="05/01/2025 17:00:00",
                      ngayKetThuc="03/02/2025 09:00:00", ketQuaDienTu="1", danhGia="Không hài lòng",
                      thanhToanTrucTuyen="Có", daSoHoa="1")]
    officials = [official("cb1", "VNEID"), official("cb2", "NOI_BO", unit="H1")]
    return inputs(egov=egov, newsys=newsys, officials=officials)


DEC, JAN, FEB, MAR = date(2024, 12, 1), date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)


def by_unit(month: date, code: str, **cells: tuple[int, int]) -> dict[tuple[date, str, str], tuple[int, int]]:
    """Indicator cells of one month and indicator, by unit."""
    return {(month, unit, code): cell for unit, cell in cells.items()}


def test_indicators() -> None:
    """Every indicator with hand-computed numerators and denominators, per current unit and ALL."""
    expected = {
        **by_unit(DEC, "on_time_rate", SYT=(1, 1), ALL=(1, 1)),
        **by_unit(JAN, "on_time_rate", SYT=(1, 2), X1=(1, 1), ALL=(2, 3)),
        **by_unit(FEB, "on_time_rate", SYT=(1, 2), X1=(0, 1), ALL=(1, 3)),
        **by_unit(MAR, "on_time_rate", SYT=(1, 1), X1=(1, 2), ALL=(2, 3)),
        **by_unit(DEC, "online_rate", SYT=(1, 1), ALL=(1, 1)),
        **by_unit(JAN, "online_rate", SYT=(1, 1), X1=(0, 1), ALL=(1, 2)),
        **by_unit(FEB, "online_rate", SYT=(1, 1), ALL=(1, 1)),
        **by_unit(MAR, "online_rate", X1=(0, 1), ALL=(0, 1)),
        **by_unit(DEC, "digitized_rate", SYT=(1, 1), ALL=(1, 1)),
        **by_unit(JAN, "digitized_rate", SYT=(1, 1), X1=(0, 1), ALL=(1, 2)),
        **by_unit(FEB, "digitized_rate", SYT=(0, 1), ALL=(0, 1)),
        **by_unit(MAR, "digitized_rate", X1=(1, 1), ALL=(1, 1)),
        **by_unit(DEC, "online_payment_rate", SYT=(1, 1), ALL=(1, 1)),
        **by_unit(JAN, "online_payment_rate", SYT=(1, 1), X1=(0, 1), ALL=(1, 2)),
        **by_unit(JAN, "national_sync_rate", SYT=(1, 1), X1=(0, 1), ALL=(1, 2)),
        **by_unit(FEB, "national_sync_rate", SYT=(1, 1), ALL=(1, 1)),
        **by_unit(MAR, "national_sync_rate", X1=(1, 1), ALL=(1, 1)),
        **by_unit(JAN, "e_result_rate", SYT=(1, 1), ALL=(1, 1)),
        **by_unit(FEB, "e_result_rate", SYT=(1, 1), ALL=(1, 1)),
        **by_unit(MAR, "e_result_rate", X1=(0, 1), ALL=(0, 1)),
        **by_unit(JAN, "satisfaction_rate", SYT=(1, 1), ALL=(1, 1)),
        **by_unit(FEB, "satisfaction_rate", SYT=(0, 1), ALL=(0, 1)),
        **by_unit(FEB, "apology_rate", SYT=(0, 1), ALL=(0, 1)),
        **by_unit(MAR, "official_vneid_rate", SYT=(1, 1), X1=(0, 1), ALL=(1, 2)),
    }
    assert expected_indicators(indicator_world()) == expected


def test_no_received_case_means_no_indicator() -> None:
    """Without a received case there is no month to report, not even for officials."""
    inp = inputs(newsys=[new_case("HS-1", TrangThaiHoSo="1", QuaTrinhXuLy=history("cb1"))],
                 officials=[official("cb1", "VNEID")])
    assert expected_indicators(inp) == {}


class TinyWorld:
    """A stand-in for a generated world."""

    def egov_records(self) -> list[dict[str, Any]]:
        """Egov payloads."""
        return [egov_case(1, S + "01")]

    def newsys_records(self) -> list[dict[str, Any]]:
        """New-system payloads."""
        return [new_case("HS-1")]

    def officials(self) -> list[dict[str, Any]]:
        """Official payloads."""
        return []

    def procedures(self) -> list[dict[str, Any]]:
        """Procedure payloads."""
        return PROCEDURES

    def units(self) -> list[dict[str, Any]]:
        """Unit payloads."""
        return UNITS

    def petition_records(self) -> list[dict[str, Any]]:
        """Petition payloads."""
        return []

    def rating_records(self) -> list[dict[str, Any]]:
        """Rating payloads."""
        return []


def test_truth_for_world_defaults_the_cutover() -> None:
    """A world's payloads become inputs; the cutover defaults to the contract's."""
    inp = truth_for_world(TinyWorld(), as_of=AS_OF, pii_key=PII_KEY)
    assert inp.cutover == datetime(2024, 12, 24, tzinfo=VN)
    assert set(expected_fact_case(inp)) == {"HS-1", "EGOV:" + S + "01"}
