"""Ground-truth reading of each source record: validation reasons and the canonical values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tests.oracle.field_reader import OracleFieldReader
from tests.oracle.source_text import (
    as_text,
    oracle_label,
    oracle_payload_key,
    parse_egov_time,
    parse_new_time,
)

NEW_STATUS = frozenset(str(code) for code in range(1, 11))
NEW_CHANNEL = frozenset({"1", "2", "3"})
NEW_RATING = frozenset({"", "1", "2", "3"})
NEW_PAYMENT = frozenset({"", "1", "2", "3"})
NEW_ORIGIN = frozenset({"MOI", "EGOV"})
NEW_APPLICANT_KIND = frozenset({"", "1", "2", "3", "4"})
NEW_END_FIELD = {3: "NgayTuChoi", 7: "NgayKetThucXuLy", 8: "NgayKetThucXuLy", 9: "NgayKetThucXuLy",
                 10: "NgayKetThucXuLy"}
NEW_RECEIVED_REQUIRED = frozenset({2, 4, 5, 6, 7, 8, 9, 10})
NEW_PAYMENT_KIND = {"1": "online", "2": "online", "3": "offline"}

EGOV_STATUS = {oracle_label("Mới tiếp nhận"): 2, oracle_label("Đang xử lý"): 4,
               oracle_label("Chờ bổ sung"): 5, oracle_label("Từ chối"): 3, oracle_label("Rút hồ sơ"): 7,
               oracle_label("Tạm dừng"): 8, oracle_label("Đã có kết quả"): 9,
               oracle_label("Đã trả kết quả"): 10}
EGOV_CHANNEL = {oracle_label("Trực tiếp"): 1, oracle_label("Trực tuyến"): 2,
                oracle_label("Bưu chính công ích"): 3}
EGOV_RATING = {"": None, oracle_label("Rất hài lòng"): 1, oracle_label("Hài lòng"): 2,
               oracle_label("Không hài lòng"): 3}
EGOV_PAYMENT = {"": None, oracle_label("Có"): "online", oracle_label("Không"): "offline"}

ORACLE_TERMINAL = frozenset({3, 7, 8, 9, 10})


@dataclass(slots=True)
class Case:
    """A valid case of either source in canonical form (before any linking)."""

    source: str
    record_key: str
    case_no: str
    legacy_case_no_raw: str | None
    origin: str | None
    procedure_code: str | None
    original_unit_code: str | None
    channel: int | None
    status_code: int
    received_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None
    returned_at: datetime | None
    has_result: bool
    has_e_result: bool
    is_digitized: bool
    payment: str | None
    rating: int | None
    has_apology: bool
    synced_national: bool | None
    stop_reason: str | None
    applicant_id: str | None
    handlers: frozenset[str]
    is_deleted: bool


@dataclass(frozen=True, slots=True)
class Official:
    """A valid official account."""

    user_name: str
    unit_code: str | None
    account_type: str
    is_active: bool


@dataclass(frozen=True, slots=True)
class Unit:
    """A valid unit of the catalogue."""

    unit_code: str
    successor_code: str | None


@dataclass(frozen=True, slots=True)
class Procedure:
    """A valid procedure of the catalogue."""

    procedure_code: str


@dataclass(frozen=True, slots=True)
class Reading:
    """The outcome of reading one payload: its key, its reasons (empty when valid) and its value."""

    record_key: str
    reasons: tuple[str, ...]
    value: Any


def _reading(reader: OracleFieldReader, key: str, payload: Any, value: Any) -> Reading:
    """Bundle a reader's findings; the key falls back to the payload hash when empty."""
    return Reading(key or oracle_payload_key(payload), tuple(sorted(reader.reasons)), value)


def _oracle_egov_id(reader: OracleFieldReader) -> str:
    """The Egov `id` as key text, adding `bad_id` when it is missing or not a JSON integer and
    `out_of_range:id` when PostgreSQL's bigint cannot hold it."""
    value = reader.payload.get("id")
    if not _is_json_integer(value):
        reader.reasons.add("bad_id")
        return ""
    if not -(2**63) <= value < 2**63:
        reader.reasons.add("out_of_range:id")
        return ""
    return str(value)


def _egov_label(reader: OracleFieldReader, field: str, labels: dict[str, Any]) -> Any:
    """An Egov label matched case-insensitively (`bad_code:<Field>` when unknown)."""
    key = oracle_label(reader.text(field))
    if key not in labels:
        reader.reasons.add(f"bad_code:{field}")
        return None
    return labels[key]


def read_egov_case(payload: Any) -> Reading:
    """Validate and read one Egov case payload."""
    r = OracleFieldReader(payload, parse_egov_time)
    key = _oracle_egov_id(r)
    case_no = r.required("soHoSo")
    r.required("ngayNhan")
    r.required("ngayHenTra")
    status = _egov_label(r, "trangThai", EGOV_STATUS)
    channel = _egov_label(r, "hinhThucNop", EGOV_CHANNEL)
    rating = _egov_label(r, "danhGia", EGOV_RATING)
    payment = _egov_label(r, "thanhToanTrucTuyen", EGOV_PAYMENT)
    received, due, ended = r.time("ngayNhan"), r.time("ngayHenTra"), r.time("ngayKetThuc")
    returned = r.time("ngayTra")
    r.time("ngayCapNhat")
    has_e_result, is_digitized = r.flag("ketQuaDienTu"), r.flag("daSoHoa")
    r.flag("daChuyenHeThongMoi")
    if status in ORACLE_TERMINAL and not r.text("ngayKetThuc"):
        r.reasons.add("missing_end_time:ngayKetThuc")
    case = Case(
        source="egov", record_key=key, case_no=case_no, legacy_case_no_raw=None, origin=None,
        procedure_code=r.optional("maThuTuc"), original_unit_code=r.optional("maDonVi"), channel=channel,
        status_code=status or 0, received_at=received, due_at=due,
        finished_at=ended if status in ORACLE_TERMINAL else None, returned_at=returned,
        has_result=bool(r.text("soKetQua")), has_e_result=has_e_result, is_digitized=is_digitized,
        payment=payment, rating=rating, has_apology=bool(r.text("soPhieuXinLoi")), synced_national=None,
        stop_reason=r.optional("lyDoTamDung"), applicant_id=r.optional("soGiayTo"),
        handlers=frozenset(filter(None, [r.text("canBoXuLy")])), is_deleted=False,
    )
    return _reading(r, key, payload, case)


def _new_status_checks(r: OracleFieldReader, status: int | None) -> None:
    """Add the status-dependent reasons of a new-system case: required times and the end time."""
    if status in NEW_RECEIVED_REQUIRED:
        r.required("NgayTiepNhan")
        r.required("NgayHenTra")
    end_field = NEW_END_FIELD.get(status or 0)
    if end_field and not r.text(end_field):
        r.reasons.add(f"missing_end_time:{end_field}")


def _new_finished_at(
    status: int | None, rejected: datetime | None, ended: datetime | None
) -> datetime | None:
    """The end time of a terminal new-system case, else None."""
    if status == 3:
        return rejected
    return ended if status in ORACLE_TERMINAL else None


def _has_e_result(results: list[dict[str, Any]]) -> bool:
    """True when a result document has a file path and a digital signature."""
    return any(as_text(item.get("DuongDanTepTinKetQua")) and as_text(item.get("CoChuKySo")) == "1"
               for item in results)


def _handlers(history: list[dict[str, Any]]) -> frozenset[str]:
    """The distinct non-empty user names of a handling history."""
    return frozenset(filter(None, (as_text(item.get("TenDangNhap")) for item in history)))


def _new_code_int(r: OracleFieldReader, field: str, allowed: frozenset[str]) -> int | None:
    """A numeric code field as an integer, None when empty or invalid."""
    value = r.code(field, allowed)
    return int(value) if value in allowed and value else None


def read_newsys_case(payload: Any) -> Reading:
    """Validate and read one new-system case payload (tombstones included)."""
    r = OracleFieldReader(payload, parse_new_time)
    key = r.required("MaHoSo")
    status = _new_code_int(r, "TrangThaiHoSo", NEW_STATUS)
    channel = _new_code_int(r, "KenhThucHien", NEW_CHANNEL)
    rating = _new_code_int(r, "DanhGia", NEW_RATING)
    payment = r.code("DuocThanhToanTrucTuyen", NEW_PAYMENT)
    origin = r.code("NguonHoSo", NEW_ORIGIN)
    r.code("LoaiDoiTuong", NEW_APPLICANT_KIND)
    received, due, returned = r.time("NgayTiepNhan"), r.time("NgayHenTra"), r.time("NgayTra")
    ended, rejected = r.time("NgayKetThucXuLy"), r.time("NgayTuChoi")
    r.time("NgayCapNhat")
    r.flag("TaiKhoanDuocXacThucVoiVNeID")
    is_digitized, synced, deleted = r.flag("HoSoCoThanhPhanSoHoa"), r.flag("DongBoDVCQG"), r.flag("DaXoa")
    results = r.items("DanhSachGiayToKetQua", flags=("CoChuKySo",))
    r.items("DanhSachHoSoBoSung", times=("NgayYeuCauBoSung", "NgayTiepNhanBoSung"))
    apologies = r.items("PhieuXinLoi", times=("NgayLap", "NgayHenTraMoi"))
    history = r.items("QuaTrinhXuLy", times=("ThoiDiemXuLy",))
    _new_status_checks(r, status)
    case = Case(
        source="newsys", record_key=key, case_no=key, legacy_case_no_raw=r.optional("MaHoSoCu"),
        origin=origin or None, procedure_code=r.optional("MaTTHC"),
        original_unit_code=r.optional("DonViXuLy"),
        channel=channel, status_code=status or 0, received_at=received, due_at=due,
        finished_at=_new_finished_at(status, rejected, ended), returned_at=returned,
        has_result=bool(results), has_e_result=_has_e_result(results), is_digitized=is_digitized,
        payment=NEW_PAYMENT_KIND.get(payment), rating=rating, has_apology=bool(apologies),
        synced_national=synced, stop_reason=r.optional("LyDoDungXuLy"),
        applicant_id=r.optional("SoGiayToChuHoSo"), handlers=_handlers(history), is_deleted=deleted,
    )
    return _reading(r, key, payload, case)


def read_official(payload: Any) -> Reading:
    """Validate and read one official account payload."""
    r = OracleFieldReader(payload, parse_new_time)
    key = r.required("TenDangNhap")
    account_type = r.code("LoaiTaiKhoan", frozenset({"VNEID", "NOI_BO"}))
    r.code("MucDoDinhDanh", frozenset({"", "1", "2"}))
    active = r.code("TrangThai", frozenset({"0", "1"})) == "1"
    r.time("NgayCapNhat")
    return _reading(r, key, payload, Official(key, r.optional("MaDonVi"), account_type, active))


def _is_json_integer(value: Any) -> bool:
    """True for a JSON integer (not a boolean, not a float, not a string)."""
    return isinstance(value, int) and not isinstance(value, bool)


def read_procedure(payload: Any) -> Reading:
    """Validate and read one procedure payload."""
    r = OracleFieldReader(payload, parse_new_time)
    key = r.required("MaTTHC")
    r.code("MucDo", frozenset({"2", "3", "4"}))
    days = r.payload.get("ThoiHanGiaiQuyet")
    if not _is_json_integer(days):
        r.reasons.add("bad_code:ThoiHanGiaiQuyet")
    elif not 0 < days < 2**31:
        r.reasons.add("out_of_range:ThoiHanGiaiQuyet")
    r.flag("CoPhiLePhi")
    return _reading(r, key, payload, Procedure(key))


def read_unit(payload: Any) -> Reading:
    """Validate and read one unit payload."""
    r = OracleFieldReader(payload, parse_new_time)
    key = r.required("MaDonVi")
    r.code("Cap", frozenset({"SO", "HUYEN", "XA"}))
    r.time("HieuLucDen")
    return _reading(r, key, payload, Unit(key, r.optional("MaDonViKeThua")))
