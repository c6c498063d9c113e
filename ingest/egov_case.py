"""An Egov case record (Vietnamese camelCase, text labels) to the canonical case row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.timefmt import parse_egov
from ingest.integers import EGOV_ID
from ingest.reader import FieldReader, Parsed, not_an_object, screened
from ingest.rows import CaseRow
from ingest.text import payload_key

STATUS_LABELS = {
    "mới tiếp nhận": 2,
    "đang xử lý": 4,
    "chờ bổ sung": 5,
    "từ chối": 3,
    "rút hồ sơ": 7,
    "tạm dừng": 8,
    "đã có kết quả": 9,
    "đã trả kết quả": 10,
}
TERMINAL = frozenset({3, 7, 8, 9, 10})
CHANNEL_LABELS = {"trực tiếp": 1, "trực tuyến": 2, "bưu chính công ích": 3}
RATING_LABELS = {"rất hài lòng": 1, "hài lòng": 2, "không hài lòng": 3}
PAYMENT_LABELS = {"có": "online", "không": "offline"}


def parse_egov_case(payload: Any) -> Parsed:
    """Validate one Egov `hoso` record and map it to the canonical columns (or collect why it is bad)."""
    if not isinstance(payload, dict):
        return not_an_object("egov", "case", payload)
    read = FieldReader(payload, parse_egov)
    egov_id = _egov_id(read)
    updated_at = read.time("ngayCapNhat")
    row = _case_row(read, egov_id, updated_at)
    key = str(egov_id) if egov_id is not None else payload_key(payload)
    return screened(Parsed("egov", "case", key, updated_at, payload, row, read.reasons))


def _case_row(read: FieldReader, egov_id: int | None, updated_at: datetime | None) -> CaseRow:
    """The canonical row of an Egov case."""
    case_no = read.key("soHoSo")
    status = read.label("trangThai", STATUS_LABELS)
    times = {name: read.time(name) for name in ("ngayNhan", "ngayHenTra", "ngayKetThuc", "ngayTra")}
    for name in ("ngayNhan", "ngayHenTra"):
        if times[name] is None and f"bad_time:{name}" not in read.reasons:
            read.reasons.append(f"missing:{name}")
    terminal = status in TERMINAL
    if terminal and times["ngayKetThuc"] is None and "bad_time:ngayKetThuc" not in read.reasons:
        read.reasons.append("missing_end_time:ngayKetThuc")
    applicant_id = read.optional("soGiayTo")
    official = read.optional("canBoXuLy")
    return CaseRow(
        case_no=case_no,
        legacy_case_no_raw=None,
        origin=None,
        procedure_code=read.optional("maThuTuc"),
        procedure_name=read.optional("tenThuTuc"),
        field_code=None,
        original_unit_code=read.optional("maDonVi"),
        channel=read.label("hinhThucNop", CHANNEL_LABELS),
        status_code=status,
        is_terminal=terminal,
        received_at=times["ngayNhan"],
        due_at=times["ngayHenTra"],
        finished_at=times["ngayKetThuc"] if terminal else None,
        returned_at=times["ngayTra"],
        has_result=bool(read.text("soKetQua")),
        has_e_result=read.flag("ketQuaDienTu"),
        is_digitized=read.flag("daSoHoa"),
        payment=read.label("thanhToanTrucTuyen", PAYMENT_LABELS, required=False),
        rating=read.label("danhGia", RATING_LABELS, required=False),
        has_apology=bool(read.text("soPhieuXinLoi")),
        synced_national=None,
        stop_reason=read.optional("lyDoTamDung"),
        applicant_id=applicant_id,
        applicant_type=None,
        applicant_vneid=None,
        handlers=[official] if official else [],
        last_official=official,
        is_deleted=False,
        updated_at=updated_at,
        egov_id=egov_id,
        moved_flag=read.flag("daChuyenHeThongMoi"),
    )


def _egov_id(read: FieldReader) -> int | None:
    """The integer row id: a JSON integer (a boolean, a string or none is `bad_id`) within EGOV_ID, the
    raw column's bigint (`out_of_range:id`)."""
    value = read.payload.get("id")
    if not isinstance(value, int) or isinstance(value, bool):
        read.reasons.append("bad_id")
        return None
    if not EGOV_ID.holds(value):
        read.reasons.append("out_of_range:id")
        return None
    return value
