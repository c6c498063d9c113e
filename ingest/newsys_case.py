"""A new-system case record (HoSo, DVCQG field names) to the canonical case row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.timefmt import parse_newsys
from ingest.reader import FieldReader, Parsed, not_an_object, screened
from ingest.rows import CaseRow
from ingest.text import clean, payload_key

STATUSES = frozenset(str(code) for code in range(1, 11))
TERMINAL_END_FIELD = {
    3: "NgayTuChoi",
    7: "NgayKetThucXuLy",
    8: "NgayKetThucXuLy",
    9: "NgayKetThucXuLy",
    10: "NgayKetThucXuLy",
}
NEEDS_RECEIPT = frozenset({2, 4, 5, 6, 7, 8, 9, 10})
CHANNELS = frozenset({"1", "2", "3"})
RATINGS = frozenset({"1", "2", "3"})
PAYMENTS = {"1": "online", "2": "online", "3": "offline"}
ORIGINS = frozenset({"MOI", "EGOV"})
APPLICANT_TYPES = frozenset({"1", "2", "3", "4"})
FLAGS = ("TaiKhoanDuocXacThucVoiVNeID", "HoSoCoThanhPhanSoHoa", "DongBoDVCQG", "DaXoa")


def parse_newsys_case(payload: Any) -> Parsed:
    """Validate one HoSo record and map it to the canonical columns (or collect why it is bad)."""
    if not isinstance(payload, dict):
        return not_an_object("newsys", "case", payload)
    read = FieldReader(payload, parse_newsys)
    case_no = read.key("MaHoSo")
    updated_at = read.time("NgayCapNhat")
    row = _case_row(read, case_no, updated_at)
    key = case_no or payload_key(payload)
    return screened(Parsed("newsys", "case", key, updated_at, payload, row, read.reasons))


def _case_row(read: FieldReader, case_no: str, updated_at: datetime | None) -> CaseRow:
    """The canonical row of a case, reading every field once."""
    status_text = read.code("TrangThaiHoSo", STATUSES)
    status = int(status_text) if status_text else None
    times = {
        name: read.time(name)
        for name in ("NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayTuChoi", "NgayTra")
    }
    _check_required_times(read, status, times)
    results = read.items("DanhSachGiayToKetQua")
    apologies = read.items("PhieuXinLoi")
    history = read.items("QuaTrinhXuLy")
    _check_nested_times(read, results, apologies, history)
    applicant_id = read.optional("SoGiayToChuHoSo")
    flags = {name: read.flag(name) for name in FLAGS}
    return CaseRow(
        case_no=case_no,
        legacy_case_no_raw=read.optional("MaHoSoCu"),
        origin=read.code("NguonHoSo", ORIGINS),
        procedure_code=read.optional("MaTTHC"),
        procedure_name=read.optional("TenTTHC"),
        field_code=read.optional("MaLinhVuc"),
        original_unit_code=read.optional("DonViXuLy"),
        channel=_small(read.code("KenhThucHien", CHANNELS)),
        status_code=status,
        is_terminal=status in TERMINAL_END_FIELD,
        received_at=times["NgayTiepNhan"],
        due_at=times["NgayHenTra"],
        finished_at=times[TERMINAL_END_FIELD[status]] if status in TERMINAL_END_FIELD else None,
        returned_at=times["NgayTra"],
        has_result=bool(results),
        has_e_result=any(_is_e_result(item) for item in results),
        is_digitized=flags["HoSoCoThanhPhanSoHoa"],
        payment=PAYMENTS.get(
            read.code("DuocThanhToanTrucTuyen", frozenset(PAYMENTS), required=False) or ""
        ),
        rating=_small(read.code("DanhGia", RATINGS, required=False)),
        has_apology=bool(apologies),
        synced_national=flags["DongBoDVCQG"],
        stop_reason=read.optional("LyDoDungXuLy"),
        applicant_id=applicant_id,
        applicant_type=read.code("LoaiDoiTuong", APPLICANT_TYPES, required=False),
        applicant_vneid=flags["TaiKhoanDuocXacThucVoiVNeID"],
        handlers=sorted({clean(item.get("TenDangNhap")) for item in history} - {""}),
        last_official=_last_official(history),
        is_deleted=flags["DaXoa"],
        updated_at=updated_at,
    )


def _check_required_times(read: FieldReader, status: int | None, times: dict[str, datetime | None]) -> None:
    """Received and due times for received cases; the end time for terminal ones."""
    if status in NEEDS_RECEIPT:
        for name in ("NgayTiepNhan", "NgayHenTra"):
            if times[name] is None and f"bad_time:{name}" not in read.reasons:
                read.reasons.append(f"missing:{name}")
    end_field = TERMINAL_END_FIELD.get(status or 0)
    if end_field and times[end_field] is None and f"bad_time:{end_field}" not in read.reasons:
        read.reasons.append(f"missing_end_time:{end_field}")


def _check_nested_times(read: FieldReader, results: list, apologies: list, history: list) -> None:
    """Timestamps inside the list fields must parse too; flags inside them must be flags."""
    nested = (
        (apologies, "PhieuXinLoi", ("NgayLap", "NgayHenTraMoi")),
        (history, "QuaTrinhXuLy", ("ThoiDiemXuLy",)),
        (read.items("DanhSachHoSoBoSung"), "DanhSachHoSoBoSung", ("NgayYeuCauBoSung", "NgayTiepNhanBoSung")),
    )
    for items, list_name, fields in nested:
        for item in items:
            for name in fields:
                read.time(name, raw=item.get(name, ""), reason_field=f"{list_name}.{name}")
    for item in results:
        if clean(item.get("CoChuKySo")) not in ("", "0", "1"):
            read.reasons.append("bad_flag:DanhSachGiayToKetQua.CoChuKySo")
    read.reasons[:] = list(dict.fromkeys(read.reasons))


def _is_e_result(item: dict[str, Any]) -> bool:
    """An electronic result with legal value: a file path and a digital signature."""
    return bool(clean(item.get("DuongDanTepTinKetQua"))) and clean(item.get("CoChuKySo")) == "1"


def _last_official(history: list[dict[str, Any]]) -> str | None:
    """The official of the latest history entry (ties: the later entry)."""
    latest: tuple[datetime, int] | None = None
    name: str | None = None
    for position, item in enumerate(history):
        try:
            moment = parse_newsys(clean(item.get("ThoiDiemXuLy")))
        except ValueError:
            continue
        if moment is None:
            continue
        if latest is None or (moment, position) >= latest:
            latest, name = (moment, position), clean(item.get("TenDangNhap")) or None
    return name


def _small(code: str | None) -> int | None:
    """A code string as a small integer."""
    return int(code) if code else None
