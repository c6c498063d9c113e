"""Bad input of every kind the contracts list, text quirks, and the catalogue payloads."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

from simulator.catalog import CEASED_AT, FIELDS, PROCEDURES, UNITS
from simulator.gen_base import BadPlant, Builder
from simulator.gen_quality import Picker
from simulator.officials import Official
from simulator.records import ABSENT, ECase, NCase, new_payload
from simulator.simtime import CUTOVER, DAY

Rule = tuple[dict[str, Any], str, Callable[[Any], bool]]
_ANY: Callable[[Any], bool] = lambda c: True  # noqa: E731
_ENDED: Callable[[Any], bool] = lambda c: c.status in (9, 10)  # noqa: E731

EGOV_BAD: tuple[Rule, ...] = (
    ({"id": "HS-2023-0412"}, "bad_id", _ANY), ({"id": None}, "bad_id", _ANY),
    ({"soHoSo": ""}, "missing:soHoSo", _ANY), ({"ngayNhan": ""}, "missing:ngayNhan", _ANY),
    ({"ngayHenTra": "  "}, "missing:ngayHenTra", _ANY),
    ({"trangThai": "Đang chờ duyệt"}, "bad_code:trangThai", _ANY),
    ({"hinhThucNop": "Qua Zalo"}, "bad_code:hinhThucNop", _ANY),
    ({"danhGia": "Bình thường"}, "bad_code:danhGia", _ANY),
    ({"thanhToanTrucTuyen": "Chưa thanh toán"}, "bad_code:thanhToanTrucTuyen", _ANY),
    ({"ketQuaDienTu": "2"}, "bad_flag:ketQuaDienTu", _ANY), ({"daSoHoa": "x"}, "bad_flag:daSoHoa", _ANY),
    ({"daChuyenHeThongMoi": "có"}, "bad_flag:daChuyenHeThongMoi", _ANY),
    ({"ngayNhan": "31/02/2023 08:15:00"}, "bad_time:ngayNhan", _ANY),
    ({"ngayKetThuc": "2023-05-06 10:00"}, "bad_time:ngayKetThuc", _ENDED),
    ({"ngayCapNhat": "32/13/2023 10:00:00"}, "bad_time:ngayCapNhat", _ANY),
    ({"ngayKetThuc": ""}, "missing_end_time:ngayKetThuc", _ENDED),
)

NEW_BAD: tuple[Rule, ...] = (
    ({"MaHoSo": ""}, "missing:MaHoSo", _ANY), ({"MaHoSo": ABSENT}, "missing:MaHoSo", _ANY),
    ({"TrangThaiHoSo": "11"}, "bad_code:TrangThaiHoSo", _ANY),
    ({"KenhThucHien": "4"}, "bad_code:KenhThucHien", _ANY), ({"DanhGia": "5"}, "bad_code:DanhGia", _ANY),
    ({"DuocThanhToanTrucTuyen": "4"}, "bad_code:DuocThanhToanTrucTuyen", _ANY),
    ({"NguonHoSo": "CU"}, "bad_code:NguonHoSo", _ANY), ({"LoaiDoiTuong": "5"}, "bad_code:LoaiDoiTuong", _ANY),
    ({"DongBoDVCQG": "2"}, "bad_flag:DongBoDVCQG", _ANY),
    ({"HoSoCoThanhPhanSoHoa": "Y"}, "bad_flag:HoSoCoThanhPhanSoHoa", _ANY),
    ({"TaiKhoanDuocXacThucVoiVNeID": "true"}, "bad_flag:TaiKhoanDuocXacThucVoiVNeID", _ANY),
    ({"DaXoa": "2"}, "bad_flag:DaXoa", _ANY),
    ({"DanhSachGiayToKetQua": "Giấy phép hành nghề"}, "bad_list:DanhSachGiayToKetQua", _ANY),
    ({"PhieuXinLoi": ["PXL-01/2025"]}, "bad_list:PhieuXinLoi", _ANY),
    ({"NgayHenTra": "20250230170000"}, "bad_time:NgayHenTra", lambda c: c.status not in (1, 3)),
    ({"NgayTiepNhan": "2025-03-05 08:00:00"}, "bad_time:NgayTiepNhan", _ANY),
    ({"NgayCapNhat": "20251301000000"}, "bad_time:NgayCapNhat", _ANY),
    ({"NgayTiepNhan": ""}, "missing:NgayTiepNhan", lambda c: c.status == 4),
    ({"NgayHenTra": ""}, "missing:NgayHenTra", lambda c: c.status == 10),
    ({"NgayKetThucXuLy": ""}, "missing_end_time:NgayKetThucXuLy", lambda c: c.status == 9),
    ({"NgayTuChoi": ""}, "missing_end_time:NgayTuChoi", lambda c: c.status == 3),
    ({"QuaTrinhXuLy": "nested-time"}, "bad_time:QuaTrinhXuLy.ThoiDiemXuLy", lambda c: c.status in (4, 9, 10)),
    ({"DanhSachGiayToKetQua": "nested-flag"}, "bad_flag:DanhSachGiayToKetQua.CoChuKySo",
     lambda c: c.result > 0),
    ({"KenhThucHien": "7", "DaXoa": "1"}, "bad_code:KenhThucHien", _ANY),
)


def _nested(case: NCase, raw: dict[str, Any]) -> dict[str, Any]:
    """Resolve the nested bad values: a history time or a result flag that cannot be read."""
    out = dict(raw)
    if raw.get("QuaTrinhXuLy") == "nested-time":
        history = new_payload(case)["QuaTrinhXuLy"]
        history[-1]["ThoiDiemXuLy"] = "20250431090000"
        out["QuaTrinhXuLy"] = history
    if raw.get("DanhSachGiayToKetQua") == "nested-flag":
        results = new_payload(case)["DanhSachGiayToKetQua"]
        results[0]["CoChuKySo"] = "có"
        out["DanhSachGiayToKetQua"] = results
    return out


def plant_egov_bad(b: Builder, pick: Picker[ECase]) -> None:
    """One or more Egov cases per kind of bad input."""
    copies = max(1, len(b.egov) // 100_000)
    for raw, reason, condition in EGOV_BAD:
        for _, case in pick.take(condition, copies):
            case.raw, case.bad = dict(raw), True
            b.bad.append(BadPlant("egov", "case", case, reason))


def plant_new_bad(b: Builder, pick: Picker[NCase]) -> None:
    """One or more new-system cases per kind of bad input (a tombstone among them)."""
    copies = max(1, len(b.new) // 200_000)
    for raw, reason, condition in NEW_BAD:
        for _, case in pick.take(condition, copies):
            case.raw, case.bad = _nested(case, raw), True
            b.bad.append(BadPlant("newsys", "case", case, reason))


EGOV_QUIRKS = (("chuHoSo", "nfd"), ("tenThuTuc", "space"), ("trangThai", "upper"), ("trangThai", "nfd"),
               ("trangThai", "space"), ("hinhThucNop", "nfd"), ("hinhThucNop", "tab"), ("danhGia", "upper"),
               ("thanhToanTrucTuyen", "upper"), ("soHoSo", "space"), ("lyDoTamDung", "nfd"),
               ("maDonVi", "space"))
NEW_QUIRKS = (("ChuHoSo", "nfd"), ("TenTTHC", "space"), ("LyDoDungXuLy", "nfd"), ("KenhThucHien", "space"),
              ("TrangThaiHoSo", "space"), ("DonViXuLy", "tab"), ("Email", "null"), ("MaHoSoCu", "null"),
              ("MaTTHC", "space"), ("DongBoDVCQG", "space"))


def add_quirks(b: Builder) -> None:
    """NFD text, stray spaces, upper-case labels and JSON nulls on a few percent of the valid records."""
    rng = b.rng
    for records, quirks in ((b.egov, EGOV_QUIRKS), (b.new, NEW_QUIRKS)):
        for case in records:
            if case.bad or rng.random() >= 0.03:
                continue
            field, kind = quirks[rng.randrange(len(quirks))]
            if field != "MaHoSoCu" or not getattr(case, "legacy", ""):
                case.quirks = {field: kind}
    for case in b.new:
        if not case.bad and case.supp_at is None and rng.random() < 0.005:
            case.quirks = {**(case.quirks or {}), "DanhSachHoSoBoSung": "null"}


def procedure_payloads(b: Builder) -> list[dict[str, Any]]:
    """The procedure catalogue as served, with a few NFD names and four bad entries at the end."""
    out = []
    for k, p in enumerate(PROCEDURES):
        out.append({"MaTTHC": p.code, "TenTTHC": p.name, "MaLinhVuc": p.field, "TenLinhVuc": FIELDS[p.field],
                    "MucDo": p.level, "ThoiHanGiaiQuyet": p.days, "CoPhiLePhi": "1" if p.fee else "0"})
        if k % 17 == 3:
            out[-1]["TenTTHC"] = _nfd(p.name)
    base = {"TenTTHC": "Thủ tục thử nghiệm", "MaLinhVuc": "KCB", "TenLinhVuc": FIELDS["KCB"], "MucDo": "3",
            "ThoiHanGiaiQuyet": 10, "CoPhiLePhi": "0"}
    bad = (({"MaTTHC": ""}, "missing:MaTTHC"), ({"MaTTHC": "1.099001", "MucDo": "5"}, "bad_code:MucDo"),
           ({"MaTTHC": "1.099002", "ThoiHanGiaiQuyet": "15 ngày"}, "bad_code:ThoiHanGiaiQuyet"),
           ({"MaTTHC": "1.099003", "CoPhiLePhi": "C"}, "bad_flag:CoPhiLePhi"))
    for fields, reason in bad:
        out.append({"MaTTHC": "", **base, **fields})
        b.bad.append(BadPlant("newsys", "procedure", out[-1], reason))
    return out


def unit_payloads(b: Builder) -> list[dict[str, Any]]:
    """The unit catalogue as served, with the reorganisation's successors and three bad entries."""
    out = [{"MaDonVi": u.code, "TenDonVi": u.name, "Cap": u.level, "MaDonViKeThua": u.successor,
            "HieuLucDen": CEASED_AT if u.ceased else ""} for u in UNITS]
    out[5]["TenDonVi"] = _nfd(out[5]["TenDonVi"])
    bad = (({"MaDonVi": "", "TenDonVi": "Phòng Y tế (chưa khai báo mã)", "Cap": "HUYEN"}, "missing:MaDonVi"),
           ({"MaDonVi": "000.99.31.H19", "TenDonVi": "Bệnh viện Đa khoa tỉnh", "Cap": "TINH"},
            "bad_code:Cap"),
           ({"MaDonVi": "000.98.31.H19", "TenDonVi": "Phòng Y tế huyện Xuân Lộc", "Cap": "HUYEN",
             "HieuLucDen": "20250631000000"}, "bad_time:HieuLucDen"))
    for fields, reason in bad:
        out.append({"MaDonViKeThua": "", "HieuLucDen": "", **fields})
        b.bad.append(BadPlant("newsys", "unit", out[-1], reason))
    return out


def add_bad_officials(b: Builder) -> None:
    """Official accounts that cannot be read (none of them appears in any case history)."""
    t = CUTOVER + 200 * DAY
    specs = (("", "Nguyễn Văn Khải", {}, "missing:TenDangNhap"),
             ("tranvanloc.ttyt", "Trần Văn Lộc", {"LoaiTaiKhoan": "LOCAL"}, "bad_code:LoaiTaiKhoan"),
             ("lethimai.cdc", "Lê Thị Mai", {"MucDoDinhDanh": "3"}, "bad_code:MucDoDinhDanh"),
             ("phamvanhung.gdyk", "Phạm Văn Hùng", {"TrangThai": "2"}, "bad_code:TrangThai"),
             ("vothithu.attp", "Võ Thị Thu", {"NgayCapNhat": "20251232080000"}, "bad_time:NgayCapNhat"))
    for k, (user, name, raw, reason) in enumerate(specs):
        o = Official(user, name, "000.00.31.H19", "VNEID", "2", True, min(b.now - 1, t + k * DAY), raw=raw,
                     bad=True)
        b.officials.append(o)
        b.bad.append(BadPlant("newsys", "official", o, reason))


def _nfd(text: str) -> str:
    """The decomposed (NFD) form of a text."""
    return unicodedata.normalize("NFD", text)
