"""Compact case records of both systems and the payloads they are served as."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from simulator.catalog import PROCEDURE_BY_CODE
from simulator.people import applicant, id_number
from simulator.simtime import DAY, HOUR, add_workdays, fmt_egov, fmt_new

TERMINAL_STATUSES = frozenset({3, 7, 8, 9, 10})
EGOV_STATUS = {2: "Mới tiếp nhận", 4: "Đang xử lý", 5: "Chờ bổ sung", 3: "Từ chối", 7: "Rút hồ sơ",
               8: "Tạm dừng", 9: "Đã có kết quả", 10: "Đã trả kết quả"}
EGOV_CHANNEL = {1: "Trực tiếp", 2: "Trực tuyến", 3: "Bưu chính công ích"}
EGOV_RATING = {0: "", 1: "Rất hài lòng", 2: "Hài lòng", 3: "Không hài lòng"}
EGOV_PAYMENT = {0: "", 1: "Có", 2: "Không"}
ABSENT = object()
RESULT_URL = "https://dichvucong.dongnai.gov.vn/ketqua/"
_SUPPLEMENT_TEXT = "Bổ sung bản sao văn bằng chuyên môn và giấy xác nhận quá trình thực hành"


@dataclass(slots=True, eq=False)
class ECase:
    """One Egov case: its state as plain values, plus text quirks and raw (bad) overrides."""

    id: Any
    so: str
    proc: str
    unit: str
    channel: int
    recv: int
    due: int
    end: int | None
    ret: int | None
    status: int
    updated: int
    applicant: int
    business: bool = False
    result: bool = False
    e_result: bool = False
    payment: int = 0
    digitized: bool = False
    reason: str = ""
    apology: bool = False
    handler: str = ""
    rating: int = 0
    moved: bool = False
    date_only: bool = False
    app_id: str | None = None
    quirks: dict[str, str] | None = None
    raw: dict[str, Any] | None = None
    bad: bool = False


@dataclass(slots=True, eq=False)
class NCase:
    """One new-system case: its state as plain values, plus text quirks and raw (bad) overrides."""

    key: str
    proc: str
    unit: str
    channel: int
    applicant: int
    created: int
    recv: int | None
    due: int | None
    status: int
    updated: int
    business: bool = False
    kind: int = 1
    vneid: bool = False
    end: int | None = None
    refused: int | None = None
    ret: int | None = None
    reason: str = ""
    digitized: bool = False
    payment: int = 0
    result: int = 0
    supp_at: int | None = None
    supp_done: int | None = None
    apology_at: int | None = None
    receiver: str = ""
    handler: str = ""
    rating: int = 0
    synced: bool = True
    origin: str = "MOI"
    legacy: str = ""
    deleted: bool = False
    link: int = -1
    rating_index: int = -1
    app_id: str | None = None
    quirks: dict[str, str] | None = None
    raw: dict[str, Any] | None = None
    bad: bool = False


def egov_applicant_id(r: ECase) -> str:
    """The applicant ID number an Egov case carries."""
    return id_number(r.applicant) if r.app_id is None else r.app_id


def new_applicant_id(r: NCase) -> str:
    """The applicant ID number a new-system case carries."""
    return id_number(r.applicant) if r.app_id is None else r.app_id


def egov_finished(r: ECase) -> int | None:
    """The end time of a terminal Egov case, else None."""
    return r.end if r.status in TERMINAL_STATUSES else None


def new_finished(r: NCase) -> int | None:
    """The end time of a terminal new-system case, else None."""
    if r.status == 3:
        return r.refused
    return r.end if r.status in TERMINAL_STATUSES else None


def _quirk(value: Any, kind: str) -> Any:
    """Apply one text quirk (NFD, stray spaces, upper case, JSON null) to a served value."""
    if kind == "nfd":
        return unicodedata.normalize("NFD", value)
    if kind == "space":
        return f" {value}  "
    if kind == "upper":
        return value.upper()
    if kind == "tab":
        return f"\t{value}\n"
    return None


def finish_payload(
    payload: dict[str, Any], quirks: dict[str, str] | None, raw: dict[str, Any] | None
) -> dict[str, Any]:
    """Apply a record's quirks and raw overrides to its payload."""
    if quirks:
        for field, kind in quirks.items():
            payload[field] = _quirk(payload[field], kind)
    if raw:
        for field, value in raw.items():
            if value is ABSENT:
                payload.pop(field, None)
            else:
                payload[field] = value
    return payload


def egov_payload(r: ECase) -> dict[str, Any]:
    """The Egov API payload of a case."""
    who = applicant(r.applicant, r.business)
    d = r.date_only
    year = fmt_new(r.recv)[:4]
    payload = {
        "id": r.id, "soHoSo": r.so, "maThuTuc": r.proc, "tenThuTuc": PROCEDURE_BY_CODE[r.proc].name,
        "maDonVi": r.unit, "hinhThucNop": EGOV_CHANNEL[r.channel], "ngayNhan": fmt_egov(r.recv, d),
        "ngayHenTra": fmt_egov(r.due, d), "ngayKetThuc": fmt_egov(r.end, d), "ngayTra": fmt_egov(r.ret, d),
        "trangThai": EGOV_STATUS[r.status],
        "soKetQua": f"{r.recv % 9973:04d}/{year}/GP-SYT" if r.result else "",
        "ketQuaDienTu": "1" if r.e_result else "0", "chuHoSo": who.name,
        "soGiayTo": who.id_number if r.app_id is None else r.app_id, "soDienThoai": who.phone,
        "thanhToanTrucTuyen": EGOV_PAYMENT[r.payment], "daSoHoa": "1" if r.digitized else "0",
        "lyDoTamDung": r.reason, "soPhieuXinLoi": f"{r.recv % 997:03d}/PXL-SYT" if r.apology else "",
        "canBoXuLy": r.handler, "danhGia": EGOV_RATING[r.rating],
        "daChuyenHeThongMoi": "1" if r.moved else "0", "ngayCapNhat": fmt_egov(r.updated, d),
    }
    return finish_payload(payload, r.quirks, r.raw)


def history(r: NCase) -> list[tuple[str, int, str]]:
    """The handling history of a new-system case, derived from its state: (user, time, action)."""
    if r.status == 1:
        return []
    first = r.created if r.origin == "EGOV" else (r.recv if r.recv is not None else r.created)
    action = "Tiếp nhận hồ sơ chuyển từ hệ thống Egov" if r.origin == "EGOV" else "Tiếp nhận hồ sơ"
    out = [(r.receiver, first, action)]
    if r.status == 3:
        out.append((r.receiver, r.refused or first, "Từ chối tiếp nhận hồ sơ"))
        return out
    if r.status != 2:
        out.append((r.handler, first + 2 * HOUR, "Chuyển xử lý, thẩm định hồ sơ"))
    if r.supp_at is not None:
        out.append((r.handler, r.supp_at, "Yêu cầu bổ sung hồ sơ"))
        if r.supp_done is not None:
            out.append((r.receiver, r.supp_done, "Tiếp nhận hồ sơ bổ sung"))
    _closing_history(r, out)
    out.sort(key=lambda step: step[1])
    return out


def _closing_history(r: NCase, out: list[tuple[str, int, str]]) -> None:
    """Append the closing steps of a case's history (fee request, end, return)."""
    if r.status == 6:
        out.append((r.handler, r.updated, "Yêu cầu thanh toán phí, lệ phí"))
    if r.apology_at is not None:
        out.append((r.handler, r.apology_at, "Lập phiếu xin lỗi và hẹn lại ngày trả kết quả"))
    ends = {7: "Công dân rút hồ sơ", 8: "Dừng xử lý hồ sơ", 9: "Hoàn thành xử lý, có kết quả",
            10: "Hoàn thành xử lý, có kết quả"}
    if r.status in ends and r.end is not None:
        out.append((r.handler, r.end, ends[r.status]))
    if r.status == 10 and r.ret is not None:
        out.append((r.receiver, r.ret, "Trả kết quả cho công dân"))


def _results(r: NCase) -> list[dict[str, str]]:
    """The result documents of a new-system case."""
    if not r.result:
        return []
    signed = r.result == 2
    number = f"{r.created % 99991:05d}/{fmt_new(r.end or r.created)[:4]}/GP-SYT"
    return [{
        "TenGiayTo": PROCEDURE_BY_CODE[r.proc].result, "MaGiayToKetQua": number,
        "DuongDanTepTinKetQua": f"{RESULT_URL}{r.key.replace('.', '')}.pdf" if r.result in (2, 3) else "",
        "CoChuKySo": "1" if signed else "0",
    }]


def _supplements(r: NCase) -> list[dict[str, str]]:
    """The supplement requests of a new-system case."""
    if r.supp_at is None:
        return []
    return [{"NgayYeuCauBoSung": fmt_new(r.supp_at), "NgayTiepNhanBoSung": fmt_new(r.supp_done),
             "NoiDungBoSung": _SUPPLEMENT_TEXT}]


def _apologies(r: NCase) -> list[dict[str, str]]:
    """The apology letters of a new-system case."""
    if r.apology_at is None:
        return []
    new_due = add_workdays(r.apology_at, 5) + 17 * HOUR
    number = f"{r.apology_at // DAY % 997:03d}/PXL-{r.unit[4:6]}"
    return [{"SoPhieu": number, "NgayLap": fmt_new(r.apology_at), "NgayHenTraMoi": fmt_new(new_due)}]


def new_payload(r: NCase) -> dict[str, Any]:
    """The new-system API payload of a case (HoSo)."""
    who = applicant(r.applicant, r.business)
    proc = PROCEDURE_BY_CODE[r.proc]
    payload = {
        "MaHoSo": r.key, "MaTTHC": r.proc, "TenTTHC": proc.name, "MaLinhVuc": proc.field, "DonViXuLy": r.unit,
        "KenhThucHien": str(r.channel), "ChuHoSo": who.name,
        "SoGiayToChuHoSo": who.id_number if r.app_id is None else r.app_id, "SoDienThoai": who.phone,
        "Email": who.email, "LoaiDoiTuong": str(r.kind),
        "TaiKhoanDuocXacThucVoiVNeID": "1" if r.vneid else "0",
        "NgayTiepNhan": fmt_new(r.recv), "NgayHenTra": fmt_new(r.due), "NgayKetThucXuLy": fmt_new(r.end),
        "NgayTuChoi": fmt_new(r.refused), "NgayTra": fmt_new(r.ret), "TrangThaiHoSo": str(r.status),
        "LyDoDungXuLy": r.reason, "HoSoCoThanhPhanSoHoa": "1" if r.digitized else "0",
        "DuocThanhToanTrucTuyen": str(r.payment) if r.payment else "", "DanhSachGiayToKetQua": _results(r),
        "DanhSachHoSoBoSung": _supplements(r), "PhieuXinLoi": _apologies(r),
        "QuaTrinhXuLy": [
            {"TenDangNhap": u, "ThoiDiemXuLy": fmt_new(t), "NoiDungXuLy": a} for u, t, a in history(r)
        ],
        "DanhGia": str(r.rating) if r.rating else "", "DongBoDVCQG": "1" if r.synced else "0",
        "NguonHoSo": r.origin, "MaHoSoCu": r.legacy, "NgayCapNhat": fmt_new(r.updated),
        "DaXoa": "1" if r.deleted else "0",
    }
    return finish_payload(payload, r.quirks, r.raw)
