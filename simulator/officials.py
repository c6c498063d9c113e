"""Official accounts of the new system, and their generation."""

from __future__ import annotations

from dataclasses import dataclass
from random import Random
from typing import Any

from simulator.catalog import UNITS
from simulator.people import ascii_fold, official_user, person_name
from simulator.records import finish_payload
from simulator.simtime import CUTOVER, DAY, fmt_new


@dataclass(slots=True, eq=False)
class Official:
    """One official account."""

    user: str
    name: str
    unit: str
    kind: str
    level: str
    active: bool
    updated: int
    quirks: dict[str, str] | None = None
    raw: dict[str, Any] | None = None
    bad: bool = False


def official_payload(o: Official) -> dict[str, Any]:
    """The new-system API payload of an official account."""
    payload = {
        "TenDangNhap": o.user, "HoTen": o.name, "MaDonVi": o.unit, "LoaiTaiKhoan": o.kind,
        "MucDoDinhDanh": o.level, "TrangThai": "1" if o.active else "0", "NgayCapNhat": fmt_new(o.updated),
    }
    return finish_payload(payload, o.quirks, o.raw)


def _unit_counts(total: int) -> list[tuple[str, int]]:
    """How many officials each unit has."""
    weights = [(u.code, 5 if u.level == "SO" and u.province == "H19" else 2) for u in UNITS]
    scale = total / sum(w for _, w in weights)
    return [(code, max(1, round(w * scale))) for code, w in weights]


def make_officials(rng: Random, scale: int, now: int) -> list[Official]:
    """Officials of every unit, updated since the cutover: mostly VNeID, some NOI_BO, a few locked."""
    total = min(600, max(48, scale // 150))
    taken: set[str] = set()
    out = []
    number = 0
    for unit, count in _unit_counts(total):
        for _ in range(count):
            number += 1
            name = person_name(5_000_000 + number * 7919)
            kind = "NOI_BO" if rng.random() < 0.14 else "VNEID"
            level = "" if kind == "NOI_BO" else ("2" if rng.random() < 0.8 else "1")
            updated = CUTOVER + rng.randrange((now - CUTOVER) // DAY - 2) * DAY + rng.randrange(DAY)
            out.append(Official(official_user(name, taken), name, unit, kind, level, rng.random() > 0.06,
                                updated))
    return out


def legacy_accounts(rng: Random) -> dict[str, list[str]]:
    """Legacy Egov local accounts per unit (they are not new-system accounts)."""
    out: dict[str, list[str]] = {}
    for u in UNITS:
        if u.province != "H19" or u.level == "XA":
            continue
        names = [person_name(9_000_000 + rng.randrange(10**6)) for _ in range(4 if u.level == "SO" else 2)]
        out[u.code] = [f"{ascii_fold(n)}_{u.code[4:6]}" for n in names]
    return out
