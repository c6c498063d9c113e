"""Applicants and officials: Vietnamese names, ID numbers, phones and e-mails derived from one integer."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

_FAMILY = (
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 3), ("Huỳnh", 3), ("Phan", 4), ("Vũ", 2),
    ("Võ", 3), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 1), ("Ngô", 1), ("Dương", 1), ("Lý", 1),
    ("Trương", 1), ("Đinh", 1), ("Lâm", 1), ("Mai", 1), ("Tô", 1), ("Cao", 1), ("Châu", 1),
)
_MIDDLE_M = ("Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Ngọc", "Hoàng", "Trung", "Xuân", "Tấn")
_MIDDLE_F = ("Thị", "Ngọc", "Thu", "Thanh", "Mỹ", "Kim", "Bích", "Thùy", "Phương", "Hồng", "Thị Kim", "Minh")
_GIVEN_M = (
    "An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hùng", "Huy", "Khánh", "Khoa", "Long", "Minh",
    "Nam",
    "Phong", "Phúc", "Quang", "Sơn", "Tài", "Thắng", "Thành", "Trung", "Tuấn", "Việt", "Vinh", "Lộc", "Nhân",
)
_GIVEN_F = (
    "Anh", "Châu", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Lan", "Linh", "Loan",
    "Mai",
    "My", "Ngân", "Nhung", "Oanh", "Phương", "Quyên", "Tâm", "Thảo", "Trang", "Trinh", "Uyên", "Vy", "Yến",
)
_BUSINESS_KIND = (
    "Nhà thuốc", "Quầy thuốc", "Công ty TNHH Dược phẩm", "Công ty Cổ phần Dược", "Phòng khám Đa khoa",
    "Phòng khám Nha khoa", "Công ty TNHH Thực phẩm", "Cơ sở sản xuất thực phẩm", "Hộ kinh doanh quán ăn",
    "Công ty TNHH Thiết bị Y tế", "Công ty TNHH Mỹ phẩm", "Bếp ăn tập thể Công ty TNHH",
)
_BUSINESS_NAME = (
    "Phúc An", "Minh Châu", "Tâm Đức", "Hòa Bình", "An Khang", "Bảo Ngọc", "Thiên Phúc", "Đồng Xanh",
    "Nam Việt",
    "Sông Đồng Nai", "Biên Hòa Xanh", "Long Thành", "Trường Sinh", "Hồng Phát", "Kim Ngân", "Vạn Phúc",
    "Hưng Thịnh", "Tân Mai", "Thảo Dược Việt", "Bình An", "Lộc Phát", "Gia Huy", "Khánh Hưng", "Đại Nam",
)
_MAIL = ("gmail.com", "gmail.com", "gmail.com", "yahoo.com", "outlook.com", "dongnai.gov.vn")
_PHONE_PREFIX = ("090", "091", "093", "094", "096", "097", "098", "086", "032", "033", "035", "038", "077",
                 "079", "081", "083", "085", "070", "076", "089")
_FAMILY_POOL = tuple(name for name, weight in _FAMILY for _ in range(weight))
_M1, _M2, _M3 = 0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D


def _mix(a: int, m: int) -> int:
    """A cheap 32-bit integer hash of `a` with multiplier `m`."""
    h = (a * m + 0x165667B1) & 0xFFFFFFFF
    h ^= h >> 15
    h = (h * 0x27D4EB2F) & 0xFFFFFFFF
    return h ^ (h >> 13)


def ascii_fold(text: str) -> str:
    """Lower-case ASCII form of a Vietnamese text (diacritics and spaces removed)."""
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in plain if ch.isascii() and ch.isalnum()).lower()


def person_name(a: int) -> str:
    """A Vietnamese full name for person number `a`."""
    h = _mix(a, _M1)
    female = h & 1
    middle = _MIDDLE_F if female else _MIDDLE_M
    given = _GIVEN_F if female else _GIVEN_M
    h2 = h >> 1
    fam = _FAMILY_POOL[h2 % len(_FAMILY_POOL)]
    return f"{fam} {middle[(h2 >> 7) % len(middle)]} {given[(h2 >> 12) % len(given)]}"


def business_name(a: int) -> str:
    """A business name for applicant number `a`."""
    h = _mix(a, _M2)
    return f"{_BUSINESS_KIND[h % len(_BUSINESS_KIND)]} {_BUSINESS_NAME[(h >> 5) % len(_BUSINESS_NAME)]}"


def id_number(a: int) -> str:
    """A 12-digit CCCD (mostly), a 9-digit old CMND, or '' for applicant number `a`."""
    h = _mix(a, _M3)
    kind = h % 100
    if kind < 3:
        return ""
    serial = _mix(a, _M1 ^ _M3) % 1_000_000
    if kind < 13:
        return f"27{(h >> 8) % 10_000_000:07d}"
    province = "070" if kind > 88 else "075"
    century = (h >> 9) % 4
    year = 50 + (h >> 12) % 50 if century < 2 else (h >> 12) % 8
    return f"{province}{century}{year:02d}{serial:06d}"


def phone(a: int) -> str:
    """A Vietnamese mobile number for applicant number `a` ('' for a few)."""
    h = _mix(a, _M2 ^ 0x5BD1E995)
    if h % 50 == 0:
        return ""
    return _PHONE_PREFIX[h % len(_PHONE_PREFIX)] + f"{(h >> 6) % 10_000_000:07d}"


def email(a: int, name: str) -> str:
    """An e-mail address for applicant number `a` ('' for about 40%)."""
    h = _mix(a, _M1 ^ 0x68E31DA4)
    if h % 10 < 4:
        return ""
    return f"{ascii_fold(name)[:18]}{h % 1000}@{_MAIL[(h >> 10) % len(_MAIL)]}"


@dataclass(frozen=True, slots=True)
class Applicant:
    """The applicant fields of a case."""

    name: str
    id_number: str
    phone: str
    email: str


def applicant(a: int, business: bool) -> Applicant:
    """The applicant of number `a` (a business or a citizen)."""
    name = business_name(a) if business else person_name(a)
    return Applicant(name, id_number(a), phone(a), email(a, name))


def official_user(name: str, taken: set[str], suffix: str = "syt") -> str:
    """A unique user name like `nguyenvanan.syt` for an official's full name."""
    base = ascii_fold(name)
    user = f"{base}.{suffix}"
    n = 1
    while user in taken:
        n += 1
        user = f"{base}{n}.{suffix}"
    taken.add(user)
    return user
