"""The generated world: deterministic, shaped exactly like the contracts, with every planted case present."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from typing import Any

import pytest

from simulator.simtime import DEFAULT_NOW, at, parse_egov_second, parse_new_second
from simulator.world import World, generate_world
from tests.oracle.planted import EXPECTATIONS, planted_of

EGOV_FIELDS = {
    "id",
    "soHoSo",
    "maThuTuc",
    "tenThuTuc",
    "maDonVi",
    "hinhThucNop",
    "ngayNhan",
    "ngayHenTra",
    "ngayKetThuc",
    "ngayTra",
    "trangThai",
    "soKetQua",
    "ketQuaDienTu",
    "chuHoSo",
    "soGiayTo",
    "soDienThoai",
    "thanhToanTrucTuyen",
    "daSoHoa",
    "lyDoTamDung",
    "soPhieuXinLoi",
    "canBoXuLy",
    "danhGia",
    "daChuyenHeThongMoi",
    "ngayCapNhat",
}
EGOV_TIMES = ("ngayNhan", "ngayHenTra", "ngayKetThuc", "ngayTra", "ngayCapNhat")
EGOV_LABELS = {
    "trangThai": {
        "Mới tiếp nhận",
        "Đang xử lý",
        "Chờ bổ sung",
        "Từ chối",
        "Rút hồ sơ",
        "Tạm dừng",
        "Đã có kết quả",
        "Đã trả kết quả",
    },
    "hinhThucNop": {"Trực tiếp", "Trực tuyến", "Bưu chính công ích"},
    "danhGia": {"", "Rất hài lòng", "Hài lòng", "Không hài lòng"},
    "thanhToanTrucTuyen": {"", "Có", "Không"},
}
NEW_FIELDS = {
    "MaHoSo",
    "MaTTHC",
    "TenTTHC",
    "MaLinhVuc",
    "DonViXuLy",
    "KenhThucHien",
    "ChuHoSo",
    "SoGiayToChuHoSo",
    "SoDienThoai",
    "Email",
    "LoaiDoiTuong",
    "TaiKhoanDuocXacThucVoiVNeID",
    "NgayTiepNhan",
    "NgayHenTra",
    "NgayKetThucXuLy",
    "NgayTuChoi",
    "NgayTra",
    "TrangThaiHoSo",
    "LyDoDungXuLy",
    "HoSoCoThanhPhanSoHoa",
    "DuocThanhToanTrucTuyen",
    "DanhSachGiayToKetQua",
    "DanhSachHoSoBoSung",
    "PhieuXinLoi",
    "QuaTrinhXuLy",
    "DanhGia",
    "DongBoDVCQG",
    "NguonHoSo",
    "MaHoSoCu",
    "NgayCapNhat",
    "DaXoa",
}
NEW_TIMES = ("NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayTuChoi", "NgayTra", "NgayCapNhat")
NEW_CODES = {
    "KenhThucHien": {"1", "2", "3"},
    "TrangThaiHoSo": {str(n) for n in range(1, 11)},
    "DanhGia": {"", "1", "2", "3"},
    "DuocThanhToanTrucTuyen": {"", "1", "2", "3"},
    "NguonHoSo": {"MOI", "EGOV"},
    "LoaiDoiTuong": {"", "1", "2", "3", "4"},
    "TaiKhoanDuocXacThucVoiVNeID": {"0", "1"},
    "HoSoCoThanhPhanSoHoa": {"0", "1"},
    "DongBoDVCQG": {"0", "1"},
    "DaXoa": {"0", "1"},
}
BAD_REASONS = {
    ("egov", "case"): {
        "bad_id",
        "missing:soHoSo",
        "missing:ngayNhan",
        "missing:ngayHenTra",
        "bad_code:trangThai",
        "bad_code:hinhThucNop",
        "bad_code:danhGia",
        "bad_code:thanhToanTrucTuyen",
        "bad_flag:ketQuaDienTu",
        "bad_flag:daSoHoa",
        "bad_time:ngayNhan",
        "missing_end_time:ngayKetThuc",
    },
    ("newsys", "case"): {
        "missing:MaHoSo",
        "bad_code:TrangThaiHoSo",
        "bad_code:KenhThucHien",
        "bad_code:DanhGia",
        "bad_code:DuocThanhToanTrucTuyen",
        "bad_code:NguonHoSo",
        "bad_code:LoaiDoiTuong",
        "bad_flag:DongBoDVCQG",
        "bad_list:DanhSachGiayToKetQua",
        "bad_time:NgayHenTra",
        "bad_time:NgayCapNhat",
        "missing:NgayTiepNhan",
        "missing:NgayHenTra",
        "missing_end_time:NgayKetThucXuLy",
        "missing_end_time:NgayTuChoi",
        "bad_time:QuaTrinhXuLy.ThoiDiemXuLy",
    },
    ("newsys", "official"): {
        "missing:TenDangNhap",
        "bad_code:LoaiTaiKhoan",
        "bad_code:MucDoDinhDanh",
        "bad_code:TrangThai",
        "bad_time:NgayCapNhat",
    },
    ("newsys", "procedure"): {
        "missing:MaTTHC",
        "bad_code:MucDo",
        "bad_code:ThoiHanGiaiQuyet",
        "bad_flag:CoPhiLePhi",
    },
    ("newsys", "unit"): {"missing:MaDonVi", "bad_code:Cap", "bad_time:HieuLucDen"},
}


def clean(value: Any) -> str:
    """A served text value as the data rules read it (NFC, trimmed)."""
    return unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else ""


def norm(case_no: str) -> str:
    """A case number normalised for linking."""
    return "".join(ch for ch in case_no.upper() if ch.isalnum())


@pytest.fixture(scope="module")
def world() -> World:
    """The scale-1000 world of seed 7."""
    return generate_world(1000, 7)


def bad_keys(world: World, source: str, entity: str) -> set[str]:
    """Keys of the records planted as bad input."""
    return {b["key"] for b in planted_of(world)["bad"] if (b["source"], b["entity"]) == (source, entity)}


def valid_egov(world: World) -> list[dict[str, Any]]:
    """Egov payloads not planted as bad."""
    bad = bad_keys(world, "egov", "case")
    return [r for r in world.egov_records() if isinstance(r.get("id"), int) and str(r["id"]) not in bad]


def valid_new(world: World) -> list[dict[str, Any]]:
    """New-system payloads not planted as bad."""
    bad = bad_keys(world, "newsys", "case")
    return [r for r in world.newsys_records() if clean(r.get("MaHoSo")) and clean(r["MaHoSo"]) not in bad]


def digest(world: World) -> str:
    """A fingerprint of everything a world serves and plants."""
    planted = {k: (sorted(v) if isinstance(v, dict) else v) for k, v in planted_of(world).items()}
    for name in ("dq_offenders", "petition_kinds", "rating_kinds", "petition_dq_offenders"):
        planted[name] = {k: sorted(v) for k, v in planted_of(world)[name].items()}
    everything = [
        world.egov_records(),
        world.newsys_records(),
        world.officials(),
        world.procedures(),
        world.units(),
        world.petition_records(),
        world.rating_records(),
        planted,
        sorted(planted_of(world)["backlog_outcome"].items()),
    ]
    return hashlib.sha256(json.dumps(everything, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def test_same_scale_and_seed_give_the_same_world(world: World) -> None:
    assert digest(generate_world(1000, 7)) == digest(world)
    assert digest(generate_world(1000, 8)) != digest(world)


def test_world_does_not_depend_on_hash_randomisation(world: World) -> None:
    code = (
        "from tests.unit.test_simulator_world import digest; from simulator.world import generate_world; "
        "print(digest(generate_world(1000, 7)))"
    )
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for hash_seed in ("1", "987"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == digest(world)


def test_sizes_and_clock(world: World) -> None:
    assert len(world.newsys_records()) == 1000
    assert 600 <= len(world.egov_records()) <= 700
    assert world.clock.isoformat() == "2026-11-01T00:00:00+07:00"


def test_egov_payloads_follow_the_contract(world: World) -> None:
    records = world.egov_records()
    ids = [r["id"] for r in records if isinstance(r.get("id"), int)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    for r in records:
        assert set(r) == EGOV_FIELDS or set(r) == EGOV_FIELDS - {"id"}
    for r in valid_egov(world):
        for name in EGOV_TIMES:
            assert clean(r[name]) == "" or parse_egov_second(clean(r[name])) is not None, (name, r[name])
        for name, labels in EGOV_LABELS.items():
            assert clean(r[name]).casefold() in {label.casefold() for label in labels}, (name, r[name])
        assert re.fullmatch(r"\d{9}|\d{12}|", r["soGiayTo"])
        assert re.fullmatch(r"[0-9.]+H1[09]-\d{6}-\d{4}|[0-9.]+H1[09][.]\d{6}[.]\d{4}", clean(r["soHoSo"]))
        assert r["ketQuaDienTu"] in ("0", "1") and r["daSoHoa"] in ("0", "1")
        assert parse_egov_second(clean(r["ngayNhan"])) >= at(2019, 1, 1)
        assert parse_egov_second(clean(r["ngayCapNhat"])) < DEFAULT_NOW


def test_egov_date_only_records_are_all_before_2020(world: World) -> None:
    dated = [r for r in valid_egov(world) if re.fullmatch(r"\d{2}/\d{2}/\d{4}", r["ngayNhan"])]
    assert len(dated) >= 10
    assert all(r["ngayNhan"].endswith("2019") for r in dated)


def test_new_payloads_follow_the_contract(world: World) -> None:
    for r in world.newsys_records():
        assert set(r) == NEW_FIELDS or set(r) == NEW_FIELDS - {"MaHoSo"}
    for r in valid_new(world):
        for name in NEW_TIMES:
            assert clean(r[name]) == "" or parse_new_second(clean(r[name])) is not None, (name, r[name])
        for name, codes in NEW_CODES.items():
            assert clean(r[name]) in codes, (name, r[name])
        for name in ("DanhSachGiayToKetQua", "DanhSachHoSoBoSung", "PhieuXinLoi", "QuaTrinhXuLy"):
            assert r[name] is None or all(isinstance(item, dict) for item in r[name])
        for step in r["QuaTrinhXuLy"]:
            assert set(step) == {"TenDangNhap", "ThoiDiemXuLy", "NoiDungXuLy"}
            assert parse_new_second(step["ThoiDiemXuLy"]) is not None
        assert re.fullmatch(r"\d{9}|\d{12}|", r["SoGiayToChuHoSo"])
        assert parse_new_second(r["NgayCapNhat"]) < DEFAULT_NOW


def test_new_statuses_carry_their_times(world: World) -> None:
    for r in valid_new(world):
        status = int(clean(r["TrangThaiHoSo"]))
        if status in (2, 4, 5, 6, 7, 8, 9, 10):
            assert r["NgayTiepNhan"] and r["NgayHenTra"]
        if status == 3:
            assert r["NgayTuChoi"]
        if status >= 7:
            assert r["NgayKetThucXuLy"]


def test_mix_looks_like_the_department(world: World) -> None:
    records = valid_new(world)
    channels = Counter(clean(r["KenhThucHien"]) for r in records)
    assert 0.6 <= channels["2"] / len(records) <= 0.75
    statuses = Counter(clean(r["TrangThaiHoSo"]) for r in records)
    assert statuses["10"] > len(records) / 2 and statuses["3"] and statuses["8"] and statuses["4"]
    assert Counter(r["NguonHoSo"] for r in records)["EGOV"] >= 40
    assert sum(r["DaXoa"] == "1" for r in records) >= 4
    assert any(r["PhieuXinLoi"] for r in records) and any(r["DanhSachHoSoBoSung"] for r in records)


def test_catalogues(world: World) -> None:
    bad = bad_keys(world, "newsys", "procedure")
    procedures = [p for p in world.procedures() if p["MaTTHC"] and p["MaTTHC"] not in bad]
    assert 40 <= len(procedures) <= 80
    assert all(re.fullmatch(r"\d\.\d{6}", p["MaTTHC"]) and p["MucDo"] in "234" for p in procedures)
    assert all(isinstance(p["ThoiHanGiaiQuyet"], int) for p in procedures)
    units = {u["MaDonVi"]: u for u in world.units() if u["MaDonVi"]}
    ceased = [u for u in units.values() if u["HieuLucDen"] == "20250701000000"]
    assert ceased and all(u["MaDonViKeThua"] in units for u in ceased)
    two_hop = [u for u in ceased if units[u["MaDonViKeThua"]]["MaDonViKeThua"]]
    assert two_hop
    assert {u["Cap"] for u in units.values()} >= {"SO", "HUYEN", "XA"}


def test_officials(world: World) -> None:
    officials = [o for o in world.officials() if o["TenDangNhap"]]
    kinds = Counter((o["LoaiTaiKhoan"], o["TrangThai"]) for o in officials)
    assert kinds[("VNEID", "1")] > len(officials) / 2
    assert kinds[("NOI_BO", "1")] >= 3 and kinds[("NOI_BO", "0")] + kinds[("VNEID", "0")] >= 1
    assert all(re.fullmatch(r"[a-z]+\d*\.[a-z]+", o["TenDangNhap"]) for o in officials)


def test_every_backlog_and_extra_outcome_is_planted(world: World) -> None:
    outcomes = Counter(planted_of(world)["backlog_outcome"].values())
    for name in ("finished_in_egov", "residue", "migrated", "migrated_mismatch", "double_handled"):
        assert outcomes[name] >= 2, outcomes
    extra = Counter(planted_of(world)["extra_outcome"].values())
    assert extra["duplicate_migrated"] >= 2 and extra["orphan_migrated"] >= 2


def test_every_kind_of_bad_input_is_planted(world: World) -> None:
    planted: dict[tuple[str, str], set[str]] = {}
    for b in planted_of(world)["bad"]:
        planted.setdefault((b["source"], b["entity"]), set()).add(b["reason"])
    for kind, reasons in BAD_REASONS.items():
        assert reasons <= planted.get(kind, set()), (kind, reasons - planted.get(kind, set()))
    keys = [b["key"] for b in planted_of(world)["bad"]]
    assert any(k.startswith("sha256:") and len(k) == 71 for k in keys)


def test_every_expectation_has_offenders(world: World) -> None:
    offenders = planted_of(world)["dq_offenders"]
    assert set(offenders) == set(EXPECTATIONS)
    for name, keys in offenders.items():
        assert len(keys) >= 2, name
    case_keys = {clean(r.get("MaHoSo")) for r in world.newsys_records()}
    case_keys |= {"EGOV:" + clean(r["soHoSo"]) for r in world.egov_records()}
    for name, keys in offenders.items():
        if name != "official_account_vneid":
            assert keys <= case_keys, name


def test_linking_traps_are_planted(world: World) -> None:
    egov = valid_egov(world)
    numbers = Counter(norm(clean(r["soHoSo"])) for r in egov)
    assert any(count == 2 for count in numbers.values())
    fingerprints = Counter((r["maThuTuc"], r["soGiayTo"], r["ngayNhan"][:16]) for r in egov if r["soGiayTo"])
    assert any(count == 2 for count in fingerprints.values())
    migrated = [r for r in valid_new(world) if r["NguonHoSo"] == "EGOV"]
    legacy = [r["MaHoSoCu"] for r in migrated if r["MaHoSoCu"]]
    messy = [x for x in legacy if numbers.get(norm(x)) == 1 and x not in {clean(r["soHoSo"]) for r in egov}]
    assert len(messy) >= 5
    assert sum(r["MaHoSoCu"] == "" for r in migrated) >= 3
    assert any(r["NgayTiepNhan"].endswith("00") for r in migrated)
    assert sum(r["DaXoa"] == "1" for r in migrated) >= 2


def test_text_quirks_are_planted(world: World) -> None:
    egov, new = world.egov_records(), world.newsys_records()
    texts = [v for r in egov + new for v in r.values() if isinstance(v, str)]
    assert any(unicodedata.normalize("NFC", t) != t for t in texts)
    assert any(t != t.strip() and t.strip() for t in texts)
    assert any(r["Email"] is None for r in new)
    assert any(r["trangThai"].strip().isupper() for r in egov if r["trangThai"].strip())
