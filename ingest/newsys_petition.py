"""A new-system petition record (PAKN) to the canonical petition row, with every reason it is bad input.

Read as the contract says: text NFC-normalised and trimmed, absent or null as `""` (lists as `[]`), flags
`""` as `"0"`, likes and dislikes absent or null as 0; `NgayXuLyXong` and `NgayCongKhai` taken as given
whatever the status. A field that must be set is missing only when it reads `""` without a `bad_type` reason
(an unreadable time is `bad_time` alone).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.timefmt import parse_newsys
from ingest.integers import COUNT
from ingest.reader import FieldReader, Parsed, not_an_object, screened
from ingest.rows import PetitionRow
from ingest.text import clean, payload_key

CHANNELS = frozenset({"1", "2", "3", "4", "5", "9"})
TRANSFER_SOURCES = frozenset({"VPCP", "BNDP", "NOIBO"})
SENDER_TYPES = frozenset({"1", "2", "3"})
CLASSIFICATIONS = frozenset({"1", "2"})
STATUSES = frozenset(str(code) for code in range(1, 8))
ANSWER_RATINGS = frozenset({"1", "2"})
REQUIRED = ("NgayGui", "DonViXuLy", "HanTuChoi", "HanYeuCauBoSung", "HanXuLy")
TIME_FIELDS = (
    "NgayGui", "NgayChuyenDen", "NgayTiepNhan", "HanTuChoi", "HanYeuCauBoSung", "HanXuLy", "HanCongKhai",
    "NgayTuChoi", "NgayChuyenDi", "NgayXuLyXong", "NgayCongKhai", "NgayCapNhat",
)  # fmt: skip
NEEDS_ACCEPTANCE = frozenset({2, 3, 6, 7})
HANDLED = frozenset({6, 7})
END_FIELD = {4: "NgayTuChoi", 5: "NgayChuyenDi", 6: "NgayXuLyXong", 7: "NgayXuLyXong"}
REQUESTS = "DanhSachYeuCauBoSung"
HISTORY = "QuaTrinhXuLy"

Times = dict[str, datetime | None]


def parse_petition(payload: Any) -> Parsed:
    """Validate one PAKN record and map it to the canonical columns (or collect why it is bad)."""
    if not isinstance(payload, dict):
        return not_an_object("newsys", "petition", payload)
    read = FieldReader(payload, parse_newsys)
    key = read.key("MaPAKN")
    for name in REQUIRED:
        read.required(name)
    row = _petition_row(read, key)
    key = key or payload_key(payload)
    return screened(Parsed("newsys", "petition", key, row.updated_at, payload, row, read.reasons))


def _petition_row(read: FieldReader, key: str) -> PetitionRow:
    """The canonical row of a petition, reading every field the contract validates and checking its rules."""
    channel = read.code("KenhTiepNhan", CHANNELS)
    source = read.code("NguonChuyen", TRANSFER_SOURCES, required=False)
    sender_type = read.code("LoaiDoiTuong", SENDER_TYPES)
    classification = read.code("PhanLoai", CLASSIFICATIONS, required=False)
    status = _small(read.code("TrangThaiPAKN", STATUSES))
    answer_rating = read.code("DanhGiaKetQua", ANSWER_RATINGS, required=False)
    flags = {name: read.flag(name) for name in ("AnDanh", "DongBoDVCQG", "DaXoa")}
    times = {name: read.time(name) for name in TIME_FIELDS}
    first_request, any_request = _requests(read)
    _check_history(read)
    likes, dislikes = read.count("SoLuotThich", COUNT), read.count("SoLuotKhongThich", COUNT)
    _check_status_rules(read, status, times, any_request)
    _check_transfer(read)
    answer, answer_file = read.optional("KetQuaXuLy"), read.optional("DuongDanTepKetQua")
    reject_reason = read.optional("LyDoTuChoi")
    return PetitionRow(
        petition_key=key,
        channel=_small(channel),
        transfer_source=source,
        transferred_in=source is not None,
        sender_name=read.free_text("NguoiPhanAnh"),
        sender_id=read.free_text("SoGiayToNguoiPhanAnh"),
        sender_phone=read.free_text("SoDienThoai"),
        sender_email=read.free_text("Email"),
        sender_type=sender_type,
        is_anonymous=flags["AnDanh"],
        title=read.free_text("TieuDe"),
        content=read.free_text("NoiDung"),
        original_unit_code=read.optional("DonViXuLy"),
        procedure_code=read.optional("MaTTHC"),
        case_no=read.optional("MaHoSo"),
        classification=_small(classification),
        related_petition_no=read.optional("MaPAKNLienQuan"),
        status_code=status,
        sent_at=times["NgayGui"],
        transferred_at=times["NgayChuyenDen"],
        accepted_at=times["NgayTiepNhan"],
        start_at=times["NgayChuyenDen"] or times["NgayGui"],
        reject_due_at=times["HanTuChoi"],
        supplement_due_at=times["HanYeuCauBoSung"],
        handle_due_at=times["HanXuLy"],
        publish_due_at=times["HanCongKhai"],
        rejected_at=times["NgayTuChoi"],
        reject_reason=reject_reason,
        has_reject_reason=reject_reason is not None,
        first_request_at=first_request,
        moved_out_at=times["NgayChuyenDi"],
        handled_at=times["NgayXuLyXong"],
        published_at=times["NgayCongKhai"],
        ended_at=_ended_at(status, times, first_request),
        answer=answer,
        answer_file=answer_file,
        has_answer=answer is not None or answer_file is not None,
        answer_rating=_small(answer_rating),
        likes=likes,
        dislikes=dislikes,
        synced_national=flags["DongBoDVCQG"],
        is_deleted=flags["DaXoa"],
        updated_at=times["NgayCapNhat"],
    )


def _requests(read: FieldReader) -> tuple[datetime | None, bool]:
    """The earliest readable request time of `DanhSachYeuCauBoSung`, and whether any entry asks (a non-empty
    `NgayYeuCauBoSung`, readable or not); both nested times are checked."""
    asked: list[datetime] = []
    any_request = False
    for item in read.items(REQUESTS):
        any_request = any_request or _is_set(item.get("NgayYeuCauBoSung"))
        moment = read.item_time(item, REQUESTS, "NgayYeuCauBoSung")
        read.item_time(item, REQUESTS, "NgayTiepNhanBoSung")
        if moment is not None:
            asked.append(moment)
    return min(asked, default=None), any_request


def _check_history(read: FieldReader) -> None:
    """The handling history's times must parse and its statuses be petition statuses (or empty)."""
    for item in read.items(HISTORY):
        read.item_time(item, HISTORY, "ThoiDiemXuLy")
        read.item_code(item, HISTORY, "TrangThaiPAKN", STATUSES, required=False)


def _check_status_rules(read: FieldReader, status: int | None, times: Times, any_request: bool) -> None:
    """The fields each status requires: accepted (2, 3, 6, 7), a request (3), its end time (4..7), the
    publishing deadline (6, 7) and the publishing time (7)."""
    if status in NEEDS_ACCEPTANCE and _blank(read, times, "NgayTiepNhan"):
        read.reasons.append("missing:NgayTiepNhan")
    if status == 3 and not any_request:
        read.reasons.append("status_without_request")
    end_field = END_FIELD.get(status or 0)
    if end_field and _blank(read, times, end_field):
        read.reasons.append(f"missing_end_time:{end_field}")
    if status in HANDLED and _blank(read, times, "HanCongKhai"):
        read.reasons.append("missing:HanCongKhai")
    if status == 7 and _blank(read, times, "NgayCongKhai"):
        read.reasons.append("missing:NgayCongKhai")


def _check_transfer(read: FieldReader) -> None:
    """`NguonChuyen` and `NgayChuyenDen` are set together (a bad code or an unreadable time is still set)."""
    source, arrived = read.text("NguonChuyen"), read.text("NgayChuyenDen")
    if source and not arrived and "bad_type:NgayChuyenDen" not in read.reasons:
        read.reasons.append("transfer_source_without_date")
    if arrived and not source and "bad_type:NguonChuyen" not in read.reasons:
        read.reasons.append("transfer_date_without_source")


def _ended_at(status: int | None, times: Times, first_request: datetime | None) -> datetime | None:
    """When the petition ended for its unit: status 3 its first request, 4..7 their end time, else None."""
    if status == 3:
        return first_request
    return times[END_FIELD[status]] if status in END_FIELD else None


def _blank(read: FieldReader, times: Times, name: str) -> bool:
    """A time field that reads `""`: not set, and neither of another JSON type nor unreadable."""
    bad = (f"bad_type:{name}", f"bad_time:{name}")
    return times[name] is None and not any(reason in read.reasons for reason in bad)


def _is_set(value: Any) -> bool:
    """Whether a raw value reads as something other than `""` (a value of another JSON type counts as set)."""
    return not (value is None or (isinstance(value, str) and not clean(value)))


def _small(code: str | None) -> int | None:
    """A code string as a small integer."""
    return int(code) if code else None
