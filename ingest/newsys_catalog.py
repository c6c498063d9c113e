"""New-system reference records: officials, procedures and units."""

from __future__ import annotations

from typing import Any

from core.timefmt import parse_newsys
from ingest.reader import FieldReader, Parsed, not_an_object, screened
from ingest.rows import OfficialRow, ProcedureRow, UnitRow
from ingest.text import payload_key

ACCOUNT_TYPES = frozenset({"VNEID", "NOI_BO"})
VNEID_LEVELS = frozenset({"1", "2"})
ACTIVE_STATES = frozenset({"0", "1"})
SERVICE_LEVELS = frozenset({"2", "3", "4"})
UNIT_LEVELS = frozenset({"SO", "HUYEN", "XA"})


def parse_official(payload: Any) -> Parsed:
    """Validate one official's account record."""
    if not isinstance(payload, dict):
        return not_an_object("newsys", "official", payload)
    read = FieldReader(payload, parse_newsys)
    user_name = read.key("TenDangNhap")
    updated_at = read.time("NgayCapNhat")
    row = OfficialRow(
        user_name=user_name,
        full_name=read.optional("HoTen"),
        unit_code=read.optional("MaDonVi"),
        account_type=read.code("LoaiTaiKhoan", ACCOUNT_TYPES),
        vneid_level=read.code("MucDoDinhDanh", VNEID_LEVELS, required=False),
        is_active=read.code("TrangThai", ACTIVE_STATES) == "1",
        updated_at=updated_at,
    )
    key = user_name or payload_key(payload)
    return screened(Parsed("newsys", "official", key, updated_at, payload, row, read.reasons))


def parse_procedure(payload: Any) -> Parsed:
    """Validate one procedure of the TTHC catalogue."""
    if not isinstance(payload, dict):
        return not_an_object("newsys", "procedure", payload)
    read = FieldReader(payload, parse_newsys)
    code = read.key("MaTTHC")
    level = read.code("MucDo", SERVICE_LEVELS)
    row = ProcedureRow(
        procedure_code=code,
        name=read.optional("TenTTHC"),
        field_code=read.optional("MaLinhVuc"),
        field_name=read.optional("TenLinhVuc"),
        service_level=int(level) if level else None,
        legal_days=read.integer("ThoiHanGiaiQuyet"),
        has_fee=read.flag("CoPhiLePhi"),
    )
    key = code or payload_key(payload)
    return screened(Parsed("newsys", "procedure", key, None, payload, row, read.reasons))


def parse_unit(payload: Any) -> Parsed:
    """Validate one handling unit with its successor."""
    if not isinstance(payload, dict):
        return not_an_object("newsys", "unit", payload)
    read = FieldReader(payload, parse_newsys)
    code = read.key("MaDonVi")
    row = UnitRow(
        unit_code=code,
        name=read.optional("TenDonVi"),
        level=read.code("Cap", UNIT_LEVELS),
        successor_code=read.optional("MaDonViKeThua"),
        ceased_at=read.time("HieuLucDen"),
    )
    key = code or payload_key(payload)
    return screened(Parsed("newsys", "unit", key, None, payload, row, read.reasons))
