"""New-system reference records: officials, procedures and units."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

from core.timefmt import parse_newsys
from ingest.integers import LEGAL_DAYS
from ingest.reader import FieldReader, Parsed, not_an_object, screened
from ingest.rows import OfficialRow, ProcedureRow, UnitRow
from ingest.text import payload_key

ACCOUNT_TYPES = frozenset({"VNEID", "NOI_BO"})
VNEID_LEVELS = frozenset({"1", "2"})
ACTIVE_STATES = frozenset({"0", "1"})
SERVICE_LEVELS = frozenset({"2", "3", "4"})
UNIT_LEVELS = frozenset({"SO", "HUYEN", "XA"})


def _parse_reference(
    payload: Any,
    entity: str,
    key_field: str,
    build: Callable[[FieldReader, str, datetime | None], NamedTuple],
    *,
    versioned: bool = False,
) -> Parsed:
    """Validate one reference record: its key, its version when it has one, then the row `build` reads."""
    if not isinstance(payload, dict):
        return not_an_object("newsys", entity, payload)
    read = FieldReader(payload, parse_newsys)
    key = read.key(key_field)
    updated_at = read.time("NgayCapNhat") if versioned else None
    row = build(read, key, updated_at)
    parsed = Parsed("newsys", entity, key or payload_key(payload), updated_at, payload, row, read.reasons)
    return screened(parsed)


def _official_row(read: FieldReader, user_name: str, updated_at: datetime | None) -> OfficialRow:
    """The account columns of an official."""
    return OfficialRow(
        user_name=user_name,
        full_name=read.optional("HoTen"),
        unit_code=read.optional("MaDonVi"),
        account_type=read.code("LoaiTaiKhoan", ACCOUNT_TYPES),
        vneid_level=read.code("MucDoDinhDanh", VNEID_LEVELS, required=False),
        is_active=read.code("TrangThai", ACTIVE_STATES) == "1",
        updated_at=updated_at,
    )


def _procedure_row(read: FieldReader, code: str, _updated_at: datetime | None) -> ProcedureRow:
    """The catalogue columns of a procedure."""
    level = read.code("MucDo", SERVICE_LEVELS)
    return ProcedureRow(
        procedure_code=code,
        name=read.optional("TenTTHC"),
        field_code=read.optional("MaLinhVuc"),
        field_name=read.optional("TenLinhVuc"),
        service_level=int(level) if level else None,
        legal_days=read.integer("ThoiHanGiaiQuyet", LEGAL_DAYS),
        has_fee=read.flag("CoPhiLePhi"),
    )


def _unit_row(read: FieldReader, code: str, _updated_at: datetime | None) -> UnitRow:
    """The columns of a handling unit with its successor."""
    return UnitRow(
        unit_code=code,
        level=read.code("Cap", UNIT_LEVELS),
        name=read.optional("TenDonVi"),
        successor_code=read.optional("MaDonViKeThua"),
        ceased_at=read.time("HieuLucDen"),
    )


def parse_official(payload: Any) -> Parsed:
    """Validate one official's account record."""
    return _parse_reference(payload, "official", "TenDangNhap", _official_row, versioned=True)


def parse_procedure(payload: Any) -> Parsed:
    """Validate one procedure of the TTHC catalogue."""
    return _parse_reference(payload, "procedure", "MaTTHC", _procedure_row)


def parse_unit(payload: Any) -> Parsed:
    """Validate one handling unit with its successor."""
    return _parse_reference(payload, "unit", "MaDonVi", _unit_row)
