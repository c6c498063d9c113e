"""The simulated petitions and ratings: shaped like the contract, every special kind and bad record planted,
deadlines in working days, deterministic, consistent with the cases, and changed by the change batches."""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import date, datetime
from typing import Any

import pytest

from simulator.holidays import DAYS_OFF, MAKE_UP_SATURDAYS, add_working_days, is_working_day
from simulator.simtime import DAY, EARLIEST_NOW, HOUR, at, fmt_new, parse_new_second, to_datetime
from simulator.world import World, generate_world
from tests.oracle.expected import (
    expected_petition_dq_offenders,
    petition_quarantine_truth,
    truth_for_world,
)
from tests.oracle.planted import planted_of
from tests.oracle.planted_petitions import PETITION_KINDS, RATING_KINDS
from tests.unit.test_simulator_world import clean, digest

PETITION_FIELDS = {
    "MaPAKN",
    "MaPAKNDVCQG",
    "KenhTiepNhan",
    "NguonChuyen",
    "TieuDe",
    "NoiDung",
    "NguoiPhanAnh",
    "SoGiayToNguoiPhanAnh",
    "SoDienThoai",
    "Email",
    "LoaiDoiTuong",
    "AnDanh",
    "DonViXuLy",
    "MaLinhVuc",
    "MaTTHC",
    "MaHoSo",
    "PhanLoai",
    "MaPAKNLienQuan",
    "NgayGui",
    "NgayChuyenDen",
    "NgayTiepNhan",
    "HanTuChoi",
    "HanYeuCauBoSung",
    "HanXuLy",
    "HanCongKhai",
    "TrangThaiPAKN",
    "NgayTuChoi",
    "LyDoTuChoi",
    "DanhSachYeuCauBoSung",
    "NgayChuyenDi",
    "DonViNhanChuyen",
    "NgayXuLyXong",
    "NgayCongKhai",
    "KetQuaXuLy",
    "DuongDanTepKetQua",
    "DanhGiaKetQua",
    "SoLuotThich",
    "SoLuotKhongThich",
    "QuaTrinhXuLy",
    "DongBoDVCQG",
    "NgayCapNhat",
    "DaXoa",
}
RATING_FIELDS = {
    "MaDanhGia",
    "MaHoSo",
    "KenhDanhGia",
    "ThoiDiemDanhGia",
    "MucDoHaiLong",
    "ChiSo",
    "GopY",
    "DanhGiaBoiChuHoSo",
    "HieuLuc",
    "NgayCapNhat",
    "DaXoa",
}
PETITION_TIMES = (
    "NgayGui",
    "NgayChuyenDen",
    "NgayTiepNhan",
    "HanTuChoi",
    "HanYeuCauBoSung",
    "HanXuLy",
    "HanCongKhai",
    "NgayTuChoi",
    "NgayChuyenDi",
    "NgayXuLyXong",
    "NgayCongKhai",
    "NgayCapNhat",
)
BAD_PETITION_REASONS = {
    "missing:MaPAKN",
    "missing:NgayGui",
    "missing:DonViXuLy",
    "missing:HanTuChoi",
    "missing:HanYeuCauBoSung",
    "missing:HanXuLy",
    "bad_code:KenhTiepNhan",
    "bad_type:KenhTiepNhan",
    "bad_code:NguonChuyen",
    "bad_code:LoaiDoiTuong",
    "bad_code:PhanLoai",
    "bad_code:TrangThaiPAKN",
    "bad_code:DanhGiaKetQua",
    "bad_code:QuaTrinhXuLy.TrangThaiPAKN",
    "bad_flag:AnDanh",
    "bad_flag:DongBoDVCQG",
    "bad_flag:DaXoa",
    "bad_time:NgayGui",
    "bad_time:HanXuLy",
    "bad_time:NgayCapNhat",
    "bad_time:NgayXuLyXong",
    "bad_time:DanhSachYeuCauBoSung.NgayYeuCauBoSung",
    "bad_time:DanhSachYeuCauBoSung.NgayTiepNhanBoSung",
    "bad_time:QuaTrinhXuLy.ThoiDiemXuLy",
    "bad_list:DanhSachYeuCauBoSung",
    "bad_list:QuaTrinhXuLy",
    "missing:NgayTiepNhan",
    "status_without_request",
    "missing_end_time:NgayTuChoi",
    "missing_end_time:NgayChuyenDi",
    "missing_end_time:NgayXuLyXong",
    "missing:HanCongKhai",
    "missing:NgayCongKhai",
    "transfer_source_without_date",
    "transfer_date_without_source",
    "bad_count:SoLuotThich",
    "bad_count:SoLuotKhongThich",
}
BAD_RATING_REASONS = {
    "missing:MaDanhGia",
    "missing:MaHoSo",
    "missing:ThoiDiemDanhGia",
    "bad_code:KenhDanhGia",
    "bad_code:MucDoHaiLong",
    "bad_type:MucDoHaiLong",
    "bad_flag:DanhGiaBoiChuHoSo",
    "bad_flag:HieuLuc",
    "bad_flag:DaXoa",
    "bad_code:ChiSo.MaChiSo",
    "bad_code:ChiSo.Diem",
    "bad_list:ChiSo",
    "bad_time:ThoiDiemDanhGia",
    "bad_time:NgayCapNhat",
}


@pytest.fixture(scope="module")
def world() -> World:
    """The scale-1000 world of seed 7."""
    return generate_world(1000, 7)


def bad_keys(world: World, entity: str) -> set[str]:
    """Keys of the petitions or ratings planted as bad input."""
    return {b["key"] for b in planted_of(world)["bad"] if b["entity"] == entity}


def valid(world: World, entity: str) -> list[dict[str, Any]]:
    """The served petitions or ratings not planted as bad."""
    records = world.petition_records() if entity == "petition" else world.rating_records()
    field = "MaPAKN" if entity == "petition" else "MaDanhGia"
    bad = bad_keys(world, entity)
    return [r for r in records if clean(r.get(field)) and clean(r[field]) not in bad]


def moment(text: Any) -> int | None:
    """A served time as a simulated second (None when empty)."""
    return parse_new_second(clean(text)) if clean(text) else None


def test_petition_payloads_follow_the_contract(world: World) -> None:
    petitions = valid(world, "petition")
    assert len(petitions) >= 60
    for p in world.petition_records():
        assert set(p) <= PETITION_FIELDS and PETITION_FIELDS - set(p) <= {"MaPAKN", "HanXuLy", "SoLuotThich"}
    for p in petitions:
        for name in PETITION_TIMES:
            assert clean(p[name]) == "" or moment(p[name]) is not None, (name, p[name])
        assert clean(p["KenhTiepNhan"]) in {"1", "2", "3", "4", "5", "9"}
        assert clean(p["NguonChuyen"]) in {"", "VPCP", "BNDP", "NOIBO"}
        assert (clean(p["NguonChuyen"]) == "") == (p["NgayChuyenDen"] == "")
        assert clean(p["TrangThaiPAKN"]) in set("1234567")
        assert all(isinstance(p.get(name, 0), int | None) for name in ("SoLuotThich", "SoLuotKhongThich"))
        assert re.fullmatch(r"PAKN-\d{6}-\d{5}", p["MaPAKN"])
        start = moment(p["NgayChuyenDen"]) or moment(p["NgayGui"])
        assert start is not None and moment(p["HanTuChoi"]) <= moment(p["HanYeuCauBoSung"]) < moment(
            p["HanXuLy"]
        )
        assert moment(p["HanTuChoi"]) > start
        assert (p["HanCongKhai"] != "") == (clean(p["TrangThaiPAKN"]) in ("6", "7"))
        assert next(step["TrangThaiPAKN"] for step in p["QuaTrinhXuLy"]) == "1"


def test_rating_payloads_follow_the_contract(world: World) -> None:
    ratings = valid(world, "rating")
    assert len(ratings) >= 400
    for r in world.rating_records():
        assert set(r) <= RATING_FIELDS and RATING_FIELDS - set(r) <= {"MaDanhGia"}
    for r in ratings:
        assert r["KenhDanhGia"] in set("12345") and r["MucDoHaiLong"] in set("123")
        assert (
            r["HieuLuc"] in ("0", "1") and r["DanhGiaBoiChuHoSo"] in ("0", "1") and r["DaXoa"] in ("0", "1")
        )
        assert moment(r["ThoiDiemDanhGia"]) <= moment(r["NgayCapNhat"])
        assert all(c["MaChiSo"] in set("123456789") and c["Diem"] in ("0", "1", "2") for c in r["ChiSo"])


def test_about_one_petition_per_150_received_cases_and_ratings_for_60_percent() -> None:
    world = generate_world(20_000, 5)
    b = world.builder
    received = sum(1 for c in b.new if c.status not in (1, 3))
    natural = [p for p in b.petitions if re.fullmatch(r"PAKN-\d{6}-\d{5}", p.key)]
    assert received / 150 * 0.9 <= len(natural) <= received / 150 * 1.6 + 200
    done = [c for c in b.new if c.status in (9, 10) and not c.bad and not c.deleted]
    rated = {r.case_no for r in b.ratings if not r.bad}
    share = sum(c.key in rated for c in done) / len(done)
    assert 0.56 <= share <= 0.64, share
    several = Counter(r.case_no for r in b.ratings if not r.bad)
    assert sum(n > 1 for n in several.values()) >= 0.05 * len(several)


def test_every_special_kind_is_planted(world: World) -> None:
    kinds = planted_of(world)
    assert {name for name, keys in kinds["petition_kinds"].items() if keys} >= set(PETITION_KINDS)
    assert {name for name, keys in kinds["rating_kinds"].items() if keys} >= set(RATING_KINDS)
    for name, keys in kinds["petition_dq_offenders"].items():
        assert len(keys) >= 2, name


def test_every_kind_of_bad_petition_and_rating_is_planted(world: World) -> None:
    reasons = {(b["entity"], b["reason"]) for b in planted_of(world)["bad"]}
    assert {r for e, r in reasons if e == "petition"} == BAD_PETITION_REASONS
    assert {r for e, r in reasons if e == "rating"} == BAD_RATING_REASONS
    truth = truth_for_world(world, as_of=world.clock, pii_key="k")
    mine = {
        ("newsys", b["entity"], b["key"]): [b["reason"]]
        for b in planted_of(world)["bad"]
        if b["entity"] in ("petition", "rating")
    }
    assert mine == petition_quarantine_truth(truth)
    assert any(key.startswith("sha256:") for _, entity, key in mine if entity == "petition")
    assert any(key.startswith("sha256:") for _, entity, key in mine if entity == "rating")


def test_the_plants_do_not_depend_on_now() -> None:
    earliest = generate_world(1000, 7, to_datetime(EARLIEST_NOW))
    test_every_special_kind_is_planted(earliest)
    test_every_kind_of_bad_petition_and_rating_is_planted(earliest)


@pytest.mark.parametrize(
    "now", [to_datetime(EARLIEST_NOW), datetime(2026, 7, 15, 14, 30), to_datetime(at(2026, 11, 1))]
)
def test_nothing_happens_after_now(now: datetime) -> None:
    world = generate_world(1000, 7, now)
    limit = world.now
    for p in valid(world, "petition"):
        times = [moment(p[name]) for name in PETITION_TIMES if not name.startswith("Han")]
        times += [moment(step["ThoiDiemXuLy"]) for step in p["QuaTrinhXuLy"]]
        for request in p["DanhSachYeuCauBoSung"] or []:
            times += [moment(request["NgayYeuCauBoSung"]), moment(request["NgayTiepNhanBoSung"])]
        assert max(t for t in times if t is not None) < limit, p["MaPAKN"]
        assert moment(p["NgayGui"]) >= at(2024, 12, 24)
    assert max(moment(r["NgayCapNhat"]) for r in valid(world, "rating")) < limit


def test_case_ratings_agree_with_the_rating_in_force_but_for_the_plants(world: World) -> None:
    truth = truth_for_world(world, as_of=world.clock, pii_key="k")
    mismatched = expected_petition_dq_offenders(truth)["case_rating_matches_rating_in_force"]
    assert mismatched == planted_of(world)["petition_dq_offenders"]["case_rating_matches_rating_in_force"]
    assert 2 <= len(mismatched) <= 4


def test_same_scale_seed_and_now_give_the_same_petitions() -> None:
    a, b = generate_world(1000, 7), generate_world(1000, 7)
    assert a.petition_records() == b.petition_records() and a.rating_records() == b.rating_records()
    assert digest(a) == digest(b)
    other = generate_world(1000, 8)
    assert other.petition_records() != a.petition_records()
    later = generate_world(1000, 7, to_datetime(at(2026, 11, 2)))
    assert later.petition_records() != a.petition_records()


def days_off(year: int) -> list[date]:
    """The weekdays a year's table takes off."""
    return [date(year, m, d) for m, d in DAYS_OFF[year]]


def test_the_holiday_table_is_made_of_weekdays_and_saturdays() -> None:
    assert set(DAYS_OFF) == set(range(2019, 2028))
    for year in DAYS_OFF:
        assert all(d.weekday() < 5 for d in days_off(year)), year
        assert len(days_off(year)) >= 10, year
        assert all(date(year, m, d).weekday() == 5 for m, d in MAKE_UP_SATURDAYS.get(year, ()))
    tet = {
        2019: date(2019, 2, 5),
        2020: date(2020, 1, 25),
        2021: date(2021, 2, 12),
        2022: date(2022, 2, 1),
        2023: date(2023, 1, 22),
        2024: date(2024, 2, 10),
        2025: date(2025, 1, 29),
        2026: date(2026, 2, 17),
        2027: date(2027, 2, 6),
    }
    for year, new_year in tet.items():
        near = [d for d in days_off(year) if abs((d - new_year).days) <= 7]
        assert len(near) == 5, (year, near)
    assert date(2025, 9, 1) in days_off(2025) and date(2026, 8, 31) in days_off(2026)


def sim_day(d: date) -> int:
    """The simulated day number of a date."""
    return at(d.year, d.month, d.day) // DAY


def test_working_days_skip_weekends_holidays_and_count_make_up_saturdays() -> None:
    assert fmt_new(add_working_days(at(2025, 1, 24, 10), 2)) == "20250204000000"
    assert fmt_new(add_working_days(at(2026, 2, 13, 16), 2)) == "20260224000000"
    assert fmt_new(add_working_days(at(2025, 4, 29, 9), 1)) == "20250505000000"
    assert fmt_new(add_working_days(at(2025, 4, 25, 9), 1)) == "20250426000000"
    assert fmt_new(add_working_days(at(2026, 8, 28, 9), 1)) == "20260903000000"
    assert fmt_new(add_working_days(at(2026, 1, 9, 9), 1)) == "20260110000000"
    assert not is_working_day(sim_day(date(2024, 9, 3))) and is_working_day(sim_day(date(2024, 5, 4)))
    assert fmt_new(add_working_days(at(2028, 4, 28, 9), 1)) == "20280503000000"
    assert fmt_new(add_working_days(at(2029, 12, 31, 9), 1)) == "20300102000000"


def test_deadlines_are_computed_in_working_days(world: World) -> None:
    for p in valid(world, "petition"):
        start = moment(p["NgayChuyenDen"]) or moment(p["NgayGui"])
        portal = clean(p["KenhTiepNhan"]) == "1"
        expected = add_working_days(start, 2) + (0 if portal else 17 * HOUR)
        assert moment(p["HanTuChoi"]) == expected, p["MaPAKN"]
        assert moment(p["HanYeuCauBoSung"]) == add_working_days(start, 5) + (0 if portal else 17 * HOUR)
    midnight = [p for p in valid(world, "petition") if p["HanXuLy"].endswith("000000")]
    assert midnight and all(clean(p["KenhTiepNhan"]) == "1" for p in midnight)


def fresh() -> World:
    """A new scale-1000 world."""
    return generate_world(1000, 7)


def by_key(records: list[dict[str, Any]], field: str) -> dict[str, dict[str, Any]]:
    """Payloads by their key."""
    return {r[field]: r for r in records if r.get(field)}


def test_change_batches_touch_petitions_and_ratings_and_report_them() -> None:
    world = fresh()
    petitions, ratings = (
        by_key(world.petition_records(), "MaPAKN"),
        by_key(world.rating_records(), "MaDanhGia"),
    )
    cases = by_key(world.newsys_records(), "MaHoSo")
    _, last = world.events_after(10**9, 10)
    summary = world.apply_changes(100)
    after_p, after_r = by_key(world.petition_records(), "MaPAKN"), by_key(world.rating_records(), "MaDanhGia")
    assert {k for k, r in after_p.items() if petitions.get(k) != r} == summary.petition_keys
    assert {k for k, r in after_r.items() if ratings.get(k) != r} == summary.rating_keys
    assert set(after_p) - set(petitions) and set(after_r) - set(ratings)
    assert any(after_p[k]["DaXoa"] == "1" for k in summary.petition_keys)
    assert any(after_r[k]["DaXoa"] == "1" for k in summary.rating_keys)
    assert any(
        after_r[k]["HieuLuc"] == "0" and ratings.get(k, {}).get("HieuLuc") == "1" for k in summary.rating_keys
    )
    low, high = int(fmt_new(world.now - HOUR)), int(fmt_new(world.now))
    assert all(low < int(after_p[k]["NgayCapNhat"]) <= high for k in summary.petition_keys)
    rated_cases = {after_r[k]["MaHoSo"] for k in summary.rating_keys if after_r[k]["HieuLuc"] == "1"}
    after_cases = by_key(world.newsys_records(), "MaHoSo")
    assert rated_cases <= summary.newsys_keys
    assert any(after_cases[key]["DanhGia"] != cases[key]["DanhGia"] for key in rated_cases)
    events, _ = world.events_after(last, 1000)
    assert {e["key"] for e in events if e["type"].startswith("pakn.")} == summary.petition_keys
    assert {e["key"] for e in events if e["type"].startswith("danhgia.")} == summary.rating_keys
    assert {e["type"] for e in events} >= {
        "pakn.created",
        "pakn.updated",
        "pakn.deleted",
        "danhgia.created",
        "danhgia.updated",
        "danhgia.deleted",
    }
    assert set(summary.as_json()) >= {"petition_keys", "rating_keys"}


def test_changes_are_deterministic_and_keep_the_planted_truth() -> None:
    a, b = fresh(), fresh()
    for _ in range(3):
        assert a.apply_changes(80) == b.apply_changes(80)
    assert a.petition_records() == b.petition_records() and a.rating_records() == b.rating_records()
    truth = truth_for_world(a, as_of=a.clock, pii_key="k")
    planted = planted_of(a)
    assert planted["petition_dq_offenders"] == expected_petition_dq_offenders(truth)
    spoilt = [p for p in planted["bad"] if p["entity"] == "petition" and p["reason"] == "bad_code:PhanLoai"]
    assert len(spoilt) >= 4


def test_initial_events_include_petitions_and_ratings(world: World) -> None:
    oldest = world.events.oldest_seq()
    events, _ = world.events_after(oldest - 1, 1000)
    kinds = Counter(e["type"].split(".")[0] for e in events)
    assert kinds["pakn"] and kinds["danhgia"] and kinds["hoso"]
    week = int(fmt_new(world.now - 7 * DAY))
    assert all(int(e["at"]) >= week for e in events)


def test_concurrent_updates_move_a_served_petition_or_rating_to_the_end() -> None:
    world = fresh()
    for page_of, records, field, system in (
        (world.petitions_page, world.petition_records, "MaPAKN", "petitions"),
        (world.ratings_page, world.rating_records, "MaDanhGia", "ratings"),
    ):
        page, served = page_of(None, None, 50)
        key = world.concurrent_update(system, served, random.Random(1))
        assert key in {r.get(field) for r in page["items"]}
        feed = records()
        assert feed[-1][field] == key
        assert moment(feed[-1]["NgayCapNhat"]) > moment(feed[-2]["NgayCapNhat"])


def test_feed_pages_resume_inclusively_from_a_stamp() -> None:
    world = fresh()
    items = world.petition_records()
    stamp = moment(items[len(items) // 2]["NgayCapNhat"])
    page, _ = world.petitions_page(stamp, None, 1000)
    start = next(k for k, p in enumerate(items) if (moment(p["NgayCapNhat"]) or 0) >= stamp)
    assert page["items"] == items[start:]
    first, _ = world.ratings_page(None, None, 7)
    second, _ = world.ratings_page(None, first["next_cursor"], 7)
    assert first["items"] + second["items"] == world.rating_records()[:14]
