"""Bad petitions and ratings of every kind the contract lists (one reason each), and their text quirks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simulator.gen_base import BadPlant, Builder, sample
from simulator.gen_pakn import finish
from simulator.gen_pakn_plants import ago, answered, fresh
from simulator.gen_ratings import new_rating
from simulator.pakn import Petition, petition_payload
from simulator.records import ABSENT, NCase
from simulator.simtime import DAY, HOUR

State = Callable[[Builder], Petition]


def _open(b: Builder) -> Petition:
    return fresh(b, ago(b, 35))


def _transferred(b: Builder) -> Petition:
    p = fresh(b, ago(b, 40))
    p.source, p.transferred = "VPCP", p.sent + 2 * DAY
    p.accepted = p.transferred + HOUR
    return p


def _rejected(b: Builder) -> Petition:
    p = fresh(b, ago(b, 36))
    p.status, p.rejected, p.accepted, p.reason = 4, p.sent + HOUR, None, 0
    return p


def _moved(b: Builder) -> Petition:
    p = fresh(b, ago(b, 37))
    p.status, p.moved_out, p.moved_to, p.accepted = 5, p.sent + HOUR, "Bộ Y tế", None
    return p


def _requested(b: Builder) -> Petition:
    p = fresh(b, ago(b, 38))
    assert p.accepted is not None
    p.status, p.requests = 3, ((p.accepted + DAY, None),)
    return p


def _handled(b: Builder) -> Petition:
    p = fresh(b, ago(b, 60))
    assert p.accepted is not None
    p.requests = ((p.accepted + HOUR, p.accepted + DAY),)
    return answered(p, p.accepted + 3 * DAY)


def _published(b: Builder) -> Petition:
    p = _handled(b)
    assert p.handled is not None
    p.likes, p.dislikes = 3, 1
    return answered(p, p.handled, p.handled + HOUR)


BAD_PETITIONS: tuple[tuple[dict[str, Any], str, State], ...] = (
    ({"MaPAKN": ""}, "missing:MaPAKN", _open), ({"MaPAKN": ABSENT}, "missing:MaPAKN", _open),
    ({"NgayGui": ""}, "missing:NgayGui", _open), ({"DonViXuLy": "  "}, "missing:DonViXuLy", _open),
    ({"HanTuChoi": ""}, "missing:HanTuChoi", _open),
    ({"HanYeuCauBoSung": None}, "missing:HanYeuCauBoSung", _open),
    ({"HanXuLy": ABSENT}, "missing:HanXuLy", _open),
    ({"KenhTiepNhan": "6"}, "bad_code:KenhTiepNhan", _open),
    ({"KenhTiepNhan": 1}, "bad_type:KenhTiepNhan", _open),
    ({"NguonChuyen": "TINH"}, "bad_code:NguonChuyen", _transferred),
    ({"LoaiDoiTuong": "4"}, "bad_code:LoaiDoiTuong", _open), ({"PhanLoai": "3"}, "bad_code:PhanLoai", _open),
    ({"TrangThaiPAKN": "8"}, "bad_code:TrangThaiPAKN", _open),
    ({"DanhGiaKetQua": "3"}, "bad_code:DanhGiaKetQua", _published),
    ({"QuaTrinhXuLy": "nested-status"}, "bad_code:QuaTrinhXuLy.TrangThaiPAKN", _handled),
    ({"AnDanh": "có"}, "bad_flag:AnDanh", _open), ({"DongBoDVCQG": "2"}, "bad_flag:DongBoDVCQG", _open),
    ({"DaXoa": "true"}, "bad_flag:DaXoa", _open),
    ({"NgayGui": "20250230090000"}, "bad_time:NgayGui", _open),
    ({"HanXuLy": "2025-03-05"}, "bad_time:HanXuLy", _open),
    ({"NgayCapNhat": "20251301000000"}, "bad_time:NgayCapNhat", _open),
    ({"NgayXuLyXong": "20250431100000"}, "bad_time:NgayXuLyXong", _handled),
    ({"DanhSachYeuCauBoSung": "nested-asked"}, "bad_time:DanhSachYeuCauBoSung.NgayYeuCauBoSung", _requested),
    ({"DanhSachYeuCauBoSung": "nested-answered"}, "bad_time:DanhSachYeuCauBoSung.NgayTiepNhanBoSung",
     _handled),
    ({"QuaTrinhXuLy": "nested-time"}, "bad_time:QuaTrinhXuLy.ThoiDiemXuLy", _handled),
    ({"DanhSachYeuCauBoSung": "Đề nghị bổ sung"}, "bad_list:DanhSachYeuCauBoSung", _open),
    ({"QuaTrinhXuLy": ["Tiếp nhận"]}, "bad_list:QuaTrinhXuLy", _open),
    ({"NgayTiepNhan": ""}, "missing:NgayTiepNhan", _open),
    ({"NgayTiepNhan": ""}, "missing:NgayTiepNhan", _published),
    ({"DanhSachYeuCauBoSung": []}, "status_without_request", _requested),
    ({"NgayTuChoi": ""}, "missing_end_time:NgayTuChoi", _rejected),
    ({"NgayChuyenDi": ""}, "missing_end_time:NgayChuyenDi", _moved),
    ({"NgayXuLyXong": ""}, "missing_end_time:NgayXuLyXong", _handled),
    ({"HanCongKhai": ""}, "missing:HanCongKhai", _published),
    ({"NgayCongKhai": ""}, "missing:NgayCongKhai", _published),
    ({"NgayChuyenDen": ""}, "transfer_source_without_date", _transferred),
    ({"NguonChuyen": ""}, "transfer_date_without_source", _transferred),
    ({"SoLuotThich": "5"}, "bad_count:SoLuotThich", _published),
    ({"SoLuotKhongThich": -1}, "bad_count:SoLuotKhongThich", _published),
    ({"SoLuotThich": 3.0}, "bad_count:SoLuotThich", _published),
    ({"SoLuotKhongThich": True}, "bad_count:SoLuotKhongThich", _published),
    ({"SoLuotThich": 2147483648}, "bad_count:SoLuotThich", _published),
    ({"PhanLoai": "9", "DaXoa": "1"}, "bad_code:PhanLoai", _open),
)

BAD_RATINGS: tuple[tuple[dict[str, Any], str], ...] = (
    ({"MaDanhGia": ""}, "missing:MaDanhGia"), ({"MaDanhGia": ABSENT}, "missing:MaDanhGia"),
    ({"MaHoSo": ""}, "missing:MaHoSo"), ({"ThoiDiemDanhGia": None}, "missing:ThoiDiemDanhGia"),
    ({"KenhDanhGia": "6"}, "bad_code:KenhDanhGia"), ({"MucDoHaiLong": "4"}, "bad_code:MucDoHaiLong"),
    ({"MucDoHaiLong": 3}, "bad_type:MucDoHaiLong"),
    ({"DanhGiaBoiChuHoSo": "2"}, "bad_flag:DanhGiaBoiChuHoSo"), ({"HieuLuc": "có"}, "bad_flag:HieuLuc"),
    ({"DaXoa": "x"}, "bad_flag:DaXoa"),
    ({"ChiSo": [{"MaChiSo": "10", "Diem": "1"}]}, "bad_code:ChiSo.MaChiSo"),
    ({"ChiSo": [{"MaChiSo": "1", "Diem": "3"}]}, "bad_code:ChiSo.Diem"),
    ({"ChiSo": "1:2;2:2"}, "bad_list:ChiSo"),
    ({"ThoiDiemDanhGia": "20250230100000"}, "bad_time:ThoiDiemDanhGia"),
    ({"NgayCapNhat": "2025-03-01 08:00:00"}, "bad_time:NgayCapNhat"),
    ({"KenhDanhGia": "0", "DaXoa": "1"}, "bad_code:KenhDanhGia"),
)


def _nested(p: Petition, raw: dict[str, Any]) -> dict[str, Any]:
    """Resolve the nested bad values: a history status or time, a request time that cannot be read."""
    out = dict(raw)
    payload = petition_payload(p)
    if raw.get("QuaTrinhXuLy") in ("nested-status", "nested-time"):
        history = payload["QuaTrinhXuLy"]
        if raw["QuaTrinhXuLy"] == "nested-status":
            history[-1]["TrangThaiPAKN"] = "0"
        else:
            history[-1]["ThoiDiemXuLy"] = "20250431090000"
        out["QuaTrinhXuLy"] = history
    if raw.get("DanhSachYeuCauBoSung") in ("nested-asked", "nested-answered"):
        requests = payload["DanhSachYeuCauBoSung"]
        name = "NgayYeuCauBoSung" if raw["DanhSachYeuCauBoSung"] == "nested-asked" else "NgayTiepNhanBoSung"
        requests[0][name] = "20251232080000"
        out["DanhSachYeuCauBoSung"] = requests
    return out


def plant_bad_petitions(b: Builder) -> None:
    """One or more petitions per kind of bad input (a tombstone among them)."""
    copies = 1 + len(b.petitions) // 20_000
    for raw, reason, state in BAD_PETITIONS:
        for _ in range(copies):
            p = state(b)
            finish(b, p, b.now)
            p.raw, p.bad = _nested(p, raw), True
            b.petitions.append(p)
            b.bad.append(BadPlant("newsys", "petition", p, reason))


def plant_bad_ratings(b: Builder) -> None:
    """One or more ratings per kind of bad input, on finished cases that have no rating."""
    copies = 1 + len(b.ratings) // 200_000
    bad = BAD_RATINGS * copies
    unrated = sample(b.rng, b.new, _finished_unrated, len(bad)) or b.new[:1]
    for k, (raw, reason) in enumerate(bad):
        c = unrated[k % len(unrated)]
        r = new_rating(b, c.key, b.work_time(b.now - (20 + k) * DAY), 3, True, b.now)
        r.raw, r.bad = dict(raw), True
        b.ratings.append(r)
        b.bad.append(BadPlant("newsys", "rating", r, reason))


def _finished_unrated(c: NCase) -> bool:
    """A live, valid case finished with a result and never rated."""
    return c.status in (9, 10) and not c.rating and not c.bad and not c.deleted


PETITION_QUIRKS = (("NguoiPhanAnh", "nfd"), ("NoiDung", "nfd"), ("DonViXuLy", "space"),
                   ("KenhTiepNhan", "tab"), ("TrangThaiPAKN", "space"), ("Email", "null"),
                   ("MaPAKNLienQuan", "null"), ("NguonChuyen", "null"), ("LyDoTuChoi", "null"),
                   ("MaTTHC", "space"))


def add_petition_quirks(b: Builder) -> None:
    """NFD text, stray spaces and JSON nulls on a few valid petitions; absent or null likes on some."""
    rng = b.rng
    for p in b.petitions:
        if p.bad or p.quirks:
            continue
        if rng.random() < 0.04:
            field, kind = PETITION_QUIRKS[rng.randrange(len(PETITION_QUIRKS))]
            if kind != "null" or _empty(p, field):
                p.quirks = {field: kind}
        elif p.status != 7 and rng.random() < 0.02:
            p.raw = {"SoLuotThich": ABSENT, "SoLuotKhongThich": None}


def _empty(p: Petition, field: str) -> bool:
    """Whether a field a quirk would send as JSON null is empty anyway (so null reads the same)."""
    values = {"Email": "", "NguonChuyen": p.source, "MaPAKNLienQuan": p.related,
              "LyDoTuChoi": "" if p.reason < 0 else "x"}
    return not values[field]
