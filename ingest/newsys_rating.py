"""A new-system rating of a case (đánh giá mức độ hài lòng) to the canonical rating row, read like petitions.

A rating whose case is unknown is not bad input (the case may come later): it is landed like any other.
"""

from __future__ import annotations

from typing import Any

from core.timefmt import parse_newsys
from ingest.reader import FieldReader, Parsed, not_an_object, screened
from ingest.rows import RatingRow
from ingest.text import payload_key

CHANNELS = frozenset({"1", "2", "3", "4", "5"})
LEVELS = frozenset({"1", "2", "3"})
CRITERIA = frozenset(str(code) for code in range(1, 10))
CRITERION_SCORES = frozenset({"0", "1", "2"})
SCORES = "ChiSo"


def parse_rating(payload: Any) -> Parsed:
    """Validate one rating record and map it to the canonical columns (or collect why it is bad)."""
    if not isinstance(payload, dict):
        return not_an_object("newsys", "rating", payload)
    read = FieldReader(payload, parse_newsys)
    key = read.key("MaDanhGia")
    case_no = read.required("MaHoSo")
    read.required("ThoiDiemDanhGia")
    channel = read.code("KenhDanhGia", CHANNELS)
    level = read.code("MucDoHaiLong", LEVELS)
    flags = {name: read.flag(name) for name in ("DanhGiaBoiChuHoSo", "HieuLuc", "DaXoa")}
    rated_at, updated_at = read.time("ThoiDiemDanhGia"), read.time("NgayCapNhat")
    for item in read.items(SCORES):
        read.item_code(item, SCORES, "MaChiSo", CRITERIA)
        read.item_code(item, SCORES, "Diem", CRITERION_SCORES)
    row = RatingRow(
        rating_key=key,
        case_no=case_no,
        channel=int(channel) if channel else None,
        rated_at=rated_at,
        level=int(level) if level else None,
        comment=read.free_text("GopY"),
        by_applicant=flags["DanhGiaBoiChuHoSo"],
        in_force=flags["HieuLuc"],
        is_deleted=flags["DaXoa"],
        updated_at=updated_at,
    )
    key = key or payload_key(payload)
    return screened(Parsed("newsys", "rating", key, updated_at, payload, row, read.reasons))
