"""Ground-truth reading of petition (PAKN) and rating payloads: every reason they are bad, and their values.

Reason codes follow the style of the case reasons: `missing:<Field>`, `bad_code:<Field>`, `bad_flag:<Field>`,
`bad_time:<Field>`, `bad_list:<Field>`, `bad_type:<Field>` (a JSON value that is neither a string nor null
where the contract has a string; it reads as "" and raises no other reason for that field), nested fields as
`<List>.<Field>`; and for the rules across fields: `missing:NgayTiepNhan` (status 2, 3, 6, 7),
`status_without_request` (status 3 without an entry with a non-empty `NgayYeuCauBoSung`),
`missing_end_time:NgayTuChoi` (4), `missing_end_time:NgayChuyenDi` (5), `missing_end_time:NgayXuLyXong`
(6, 7), `missing:HanCongKhai` (6, 7), `missing:NgayCongKhai` (7), `transfer_source_without_date`,
`transfer_date_without_source`, and `bad_count:SoLuotThich` / `bad_count:SoLuotKhongThich`. A field that must
be set counts as missing only when it reads "" without another reason (a bad timestamp is `bad_time` alone).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tests.oracle.field_reader import OracleFieldReader
from tests.oracle.source_records import Reading, _reading
from tests.oracle.source_text import BadTime, as_text, oracle_payload_key, parse_new_time

PETITION_CHANNELS = frozenset({"1", "2", "3", "4", "5", "9"})
TRANSFER_SOURCES = frozenset({"", "VPCP", "BNDP", "NOIBO"})
SENDER_KINDS = frozenset({"1", "2", "3"})
CLASSIFICATIONS = frozenset({"", "1", "2"})
PETITION_STATUSES = frozenset(str(code) for code in range(1, 8))
HISTORY_STATUSES = PETITION_STATUSES | {""}
ANSWER_RATINGS = frozenset({"", "1", "2"})
RATING_CHANNELS = frozenset({"1", "2", "3", "4", "5"})
SATISFACTION_LEVELS = frozenset({"1", "2", "3"})
CRITERIA = frozenset(str(code) for code in range(1, 10))
CRITERION_SCORES = frozenset({"0", "1", "2"})
MAX_COUNT = 2_147_483_647
RECEIVED_STATUSES = frozenset({2, 3, 6, 7})
HANDLED_STATUSES = frozenset({6, 7})


class StrictReader(OracleFieldReader):
    """A field reader for which only JSON strings and null are text: anything else is `bad_type:<Field>`."""

    def text(self, field: str) -> str:
        """The clean text of a field ('' for absent, null, blank, or a value of another JSON type)."""
        return self.value(self.payload.get(field), field)

    def value(self, value: Any, field: str) -> str:
        """The clean text of a value read as `field` (a non-string adds `bad_type:<field>`)."""
        if value is None or isinstance(value, str):
            return as_text(value)
        self.reasons.add(f"bad_type:{field}")
        return ""

    def typed_bad(self, field: str) -> bool:
        """Whether a field already has a type or time reason."""
        return f"bad_type:{field}" in self.reasons or f"bad_time:{field}" in self.reasons

    def blank(self, field: str) -> bool:
        """A field that reads as '' and has no other reason."""
        return not self.text(field) and not self.typed_bad(field)

    def required(self, field: str) -> str:
        """The clean text of a field that must be set (`missing:<Field>` when blank)."""
        value = self.text(field)
        if self.blank(field):
            self.reasons.add(f"missing:{field}")
        return value

    def code(self, field: str, allowed: frozenset[str]) -> str:
        """A coded field (`bad_code:<Field>` when outside `allowed`; none when the type is already bad)."""
        value = self.text(field)
        if value not in allowed and not self.typed_bad(field):
            self.reasons.add(f"bad_code:{field}")
        return value if value in allowed else ""

    def flag(self, field: str) -> bool:
        """A flag read with '' as '0' (`bad_flag:<Field>` for anything else than '', '0', '1')."""
        value = self.text(field)
        if value not in ("", "0", "1") and not self.typed_bad(field):
            self.reasons.add(f"bad_flag:{field}")
        return value == "1"

    def time(self, field: str) -> datetime | None:
        """A timestamp field (`bad_time:<Field>` when it is neither '' nor parseable)."""
        return self.nested_time(self.text(field), field)

    def nested_time(self, value: str, field: str) -> datetime | None:
        """A timestamp text read as `field`."""
        try:
            return parse_new_time(value)
        except BadTime:
            self.reasons.add(f"bad_time:{field}")
            return None

    def objects(self, field: str) -> list[dict[str, Any]]:
        """A list-of-objects field; absent or null reads as [] (`bad_list:<Field>` for anything else)."""
        value = self.payload.get(field)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.reasons.add(f"bad_list:{field}")
            return []
        return value

    def item_text(self, item: dict[str, Any], list_field: str, name: str) -> str:
        """The clean text of a field of a list entry (reasons named `<List>.<Field>`)."""
        return self.value(item.get(name), f"{list_field}.{name}")

    def item_code(self, item: dict[str, Any], list_field: str, name: str, allowed: frozenset[str]) -> str:
        """A coded field of a list entry."""
        value = self.item_text(item, list_field, name)
        if value not in allowed and f"bad_type:{list_field}.{name}" not in self.reasons:
            self.reasons.add(f"bad_code:{list_field}.{name}")
        return value

    def item_time(self, item: dict[str, Any], list_field: str, name: str) -> datetime | None:
        """A timestamp field of a list entry."""
        return self.nested_time(self.item_text(item, list_field, name), f"{list_field}.{name}")

    def count(self, field: str) -> int:
        """Likes or dislikes: a JSON integer in 0..MAX_COUNT, absent or null as 0 (`bad_count:<Field>`)."""
        value = self.payload.get(field)
        if value is None:
            return 0
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_COUNT:
            return value
        self.reasons.add(f"bad_count:{field}")
        return 0


@dataclass(frozen=True, slots=True)
class Petition:
    """A valid petition in canonical form (before its unit and case are resolved)."""

    petition_key: str
    original_unit_code: str
    channel: int
    transferred_in: bool
    classification: int | None
    procedure_code: str | None
    case_no: str | None
    related_petition_no: str | None
    status_code: int
    sent_at: datetime | None
    accepted_at: datetime | None
    start_at: datetime | None
    reject_due_at: datetime | None
    supplement_due_at: datetime | None
    handle_due_at: datetime | None
    publish_due_at: datetime | None
    ended_at: datetime | None
    handled_at: datetime | None
    published_at: datetime | None
    has_answer: bool
    has_reject_reason: bool
    answer_rating: int | None
    likes: int
    dislikes: int
    is_deleted: bool


@dataclass(frozen=True, slots=True)
class Rating:
    """A valid rating in canonical form."""

    rating_key: str
    case_no: str
    channel: int
    rated_at: datetime | None
    level: int
    by_applicant: bool
    in_force: bool
    is_deleted: bool


def _small(code: str) -> int | None:
    """A code text as an integer, None when empty."""
    return int(code) if code else None


def _requests(r: StrictReader) -> tuple[datetime | None, bool]:
    """The earliest request time of `DanhSachYeuCauBoSung` and whether any entry has a non-empty request."""
    asked: list[datetime] = []
    any_request = False
    for item in r.objects("DanhSachYeuCauBoSung"):
        raw = item.get("NgayYeuCauBoSung")
        any_request = any_request or not (raw is None or (isinstance(raw, str) and not as_text(raw)))
        moment = r.item_time(item, "DanhSachYeuCauBoSung", "NgayYeuCauBoSung")
        r.item_time(item, "DanhSachYeuCauBoSung", "NgayTiepNhanBoSung")
        if moment is not None:
            asked.append(moment)
    return (min(asked) if asked else None), any_request


def _history(r: StrictReader) -> None:
    """Check the times and status codes of the handling history."""
    for item in r.objects("QuaTrinhXuLy"):
        r.item_time(item, "QuaTrinhXuLy", "ThoiDiemXuLy")
        r.item_code(item, "QuaTrinhXuLy", "TrangThaiPAKN", HISTORY_STATUSES)


def _status_rules(r: StrictReader, status: int | None, any_request: bool) -> None:
    """The fields each status requires."""
    if status in RECEIVED_STATUSES and r.blank("NgayTiepNhan"):
        r.reasons.add("missing:NgayTiepNhan")
    if status == 3 and not any_request:
        r.reasons.add("status_without_request")
    end_field = {4: "NgayTuChoi", 5: "NgayChuyenDi", 6: "NgayXuLyXong", 7: "NgayXuLyXong"}.get(status or 0)
    if end_field and r.blank(end_field):
        r.reasons.add(f"missing_end_time:{end_field}")
    if status in HANDLED_STATUSES and r.blank("HanCongKhai"):
        r.reasons.add("missing:HanCongKhai")
    if status == 7 and r.blank("NgayCongKhai"):
        r.reasons.add("missing:NgayCongKhai")


def _transfer_rules(r: StrictReader) -> None:
    """`NguonChuyen` and `NgayChuyenDen` are set together."""
    source, arrived = r.text("NguonChuyen"), r.text("NgayChuyenDen")
    if source and not arrived and not r.typed_bad("NgayChuyenDen"):
        r.reasons.add("transfer_source_without_date")
    if arrived and not source and not r.typed_bad("NguonChuyen"):
        r.reasons.add("transfer_date_without_source")


def _ended_at(
    status: int | None, times: dict[str, datetime | None], asked: datetime | None
) -> datetime | None:
    """When the petition ended for its unit: per status, None while open."""
    if status == 3:
        return asked
    field = {4: "NgayTuChoi", 5: "NgayChuyenDi", 6: "NgayXuLyXong", 7: "NgayXuLyXong"}.get(status or 0)
    return times[field] if field else None


TIME_FIELDS = ("NgayGui", "NgayChuyenDen", "NgayTiepNhan", "HanTuChoi", "HanYeuCauBoSung", "HanXuLy",
               "HanCongKhai", "NgayTuChoi", "NgayChuyenDi", "NgayXuLyXong", "NgayCongKhai", "NgayCapNhat")


def not_an_object(payload: Any) -> Reading | None:
    """The reading of a record that is not a JSON object (keyed by its hash), None for an object."""
    if isinstance(payload, dict):
        return None
    return Reading(oracle_payload_key(payload), ("not_an_object",), None)


def read_petition(payload: Any) -> Reading:
    """Validate and read one petition payload (tombstones included)."""
    if (odd := not_an_object(payload)) is not None:
        return odd
    r = StrictReader(payload, parse_new_time)
    key = r.required("MaPAKN")
    for name in ("NgayGui", "DonViXuLy", "HanTuChoi", "HanYeuCauBoSung", "HanXuLy"):
        r.required(name)
    channel = r.code("KenhTiepNhan", PETITION_CHANNELS)
    r.code("NguonChuyen", TRANSFER_SOURCES)
    r.code("LoaiDoiTuong", SENDER_KINDS)
    classification = r.code("PhanLoai", CLASSIFICATIONS)
    status = _small(r.code("TrangThaiPAKN", PETITION_STATUSES))
    rating = r.code("DanhGiaKetQua", ANSWER_RATINGS)
    r.flag("AnDanh")
    r.flag("DongBoDVCQG")
    deleted = r.flag("DaXoa")
    times = {name: r.time(name) for name in TIME_FIELDS}
    asked, any_request = _requests(r)
    _history(r)
    likes, dislikes = r.count("SoLuotThich"), r.count("SoLuotKhongThich")
    _status_rules(r, status, any_request)
    _transfer_rules(r)
    answer, answer_file = r.text("KetQuaXuLy"), r.text("DuongDanTepKetQua")
    petition = Petition(
        petition_key=key, original_unit_code=r.text("DonViXuLy"), channel=int(channel or 0),
        transferred_in=bool(r.text("NguonChuyen")), classification=_small(classification),
        procedure_code=r.optional("MaTTHC"), case_no=r.optional("MaHoSo"),
        related_petition_no=r.optional("MaPAKNLienQuan"), status_code=status or 0, sent_at=times["NgayGui"],
        accepted_at=times["NgayTiepNhan"], start_at=times["NgayChuyenDen"] or times["NgayGui"],
        reject_due_at=times["HanTuChoi"], supplement_due_at=times["HanYeuCauBoSung"],
        handle_due_at=times["HanXuLy"], publish_due_at=times["HanCongKhai"],
        ended_at=_ended_at(status, times, asked), handled_at=times["NgayXuLyXong"],
        published_at=times["NgayCongKhai"],
        has_answer=bool(answer or answer_file),
        has_reject_reason=bool(r.text("LyDoTuChoi")), answer_rating=_small(rating), likes=likes,
        dislikes=dislikes, is_deleted=deleted,
    )
    return _reading(r, key, payload, petition)


def read_rating(payload: Any) -> Reading:
    """Validate and read one rating payload (tombstones included)."""
    if (odd := not_an_object(payload)) is not None:
        return odd
    r = StrictReader(payload, parse_new_time)
    key = r.required("MaDanhGia")
    case_no = r.required("MaHoSo")
    r.required("ThoiDiemDanhGia")
    channel = r.code("KenhDanhGia", RATING_CHANNELS)
    level = r.code("MucDoHaiLong", SATISFACTION_LEVELS)
    by_applicant, in_force, deleted = r.flag("DanhGiaBoiChuHoSo"), r.flag("HieuLuc"), r.flag("DaXoa")
    rated = r.time("ThoiDiemDanhGia")
    r.time("NgayCapNhat")
    for item in r.objects("ChiSo"):
        r.item_code(item, "ChiSo", "MaChiSo", CRITERIA)
        r.item_code(item, "ChiSo", "Diem", CRITERION_SCORES)
    rating = Rating(rating_key=key, case_no=case_no, channel=int(channel or 0), rated_at=rated,
                    level=int(level or 0), by_applicant=by_applicant, in_force=in_force, is_deleted=deleted)
    return _reading(r, key, payload, rating)


def version_time(payload: Any) -> datetime | None:
    """The `NgayCapNhat` of a payload as a time, None when it is empty or cannot be read."""
    if not isinstance(payload, dict) or not isinstance(payload.get("NgayCapNhat"), str):
        return None
    try:
        return parse_new_time(as_text(payload["NgayCapNhat"]))
    except BadTime:
        return None
