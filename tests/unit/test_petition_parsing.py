"""Petition (PAKN) and rating records read as the contract says: hand-made records for each reason they are
bad input, and the canonical rows of good ones; the reasons are those of the oracle."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any

import pytest

from core.timefmt import LOCAL_ZONE
from ingest.newsys_petition import parse_petition
from ingest.newsys_rating import parse_rating
from ingest.reader import Parsed
from ingest.text import payload_key
from tests.oracle.petition_records import read_petition, read_rating

ABSENT = object()


def local(text: str) -> datetime:
    """A `yyyyMMddHHmmss` text as a local time."""
    return datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=LOCAL_ZONE)


def petition(**fields: Any) -> dict[str, Any]:
    """A valid petition, handled and published (status 7), with overrides (ABSENT removes a field)."""
    record: dict[str, Any] = {
        "MaPAKN": "PAKN-2025-000123", "MaPAKNDVCQG": "", "KenhTiepNhan": "3", "NguonChuyen": "",
        "TieuDe": "Hồ sơ quá hạn", "NoiDung": "Hồ sơ của tôi quá hạn, liên hệ 0901234567.",
        "NguoiPhanAnh": "Nguyễn Văn An", "SoGiayToNguoiPhanAnh": "079123456789", "SoDienThoai": "0901234567",
        "Email": "an@example.vn", "LoaiDoiTuong": "1", "AnDanh": "0", "DonViXuLy": "000.22.31.H19",
        "MaLinhVuc": "Y", "MaTTHC": "1.002467", "MaHoSo": "H19.22-250110-0001", "PhanLoai": "1",
        "MaPAKNLienQuan": "", "NgayGui": "20250203080000", "NgayChuyenDen": "",
        "NgayTiepNhan": "20250203100000",
        "HanTuChoi": "20250205170000", "HanYeuCauBoSung": "20250210170000", "HanXuLy": "20250224170000",
        "HanCongKhai": "20250220170000", "TrangThaiPAKN": "7", "NgayTuChoi": "", "LyDoTuChoi": "",
        "DanhSachYeuCauBoSung": [
            {"NgayYeuCauBoSung": "20250204090000", "NgayTiepNhanBoSung": "20250205090000",
             "NoiDungBoSung": "x"}
        ],
        "NgayChuyenDi": "", "DonViNhanChuyen": "", "NgayXuLyXong": "20250218100000",
        "NgayCongKhai": "20250219080000", "KetQuaXuLy": "Sở Y tế đã trả lời.", "DuongDanTepKetQua": "",
        "DanhGiaKetQua": "1", "SoLuotThich": 3, "SoLuotKhongThich": 1,
        "QuaTrinhXuLy": [
            {"TenDangNhap": "a.syt", "ThoiDiemXuLy": "20250203080000", "TrangThaiPAKN": "1",
             "NoiDungXuLy": "x"},
            {"TenDangNhap": "b.syt", "ThoiDiemXuLy": "20250218100000", "TrangThaiPAKN": "6",
             "NoiDungXuLy": ""},
        ],
        "DongBoDVCQG": "1", "NgayCapNhat": "20250219080000", "DaXoa": "0",
    }  # fmt: skip
    return overridden(record, fields)


def rating(**fields: Any) -> dict[str, Any]:
    """A valid rating in force, with overrides (ABSENT removes a field)."""
    record: dict[str, Any] = {
        "MaDanhGia": "DG-2025-000045", "MaHoSo": "H19.22-250110-0001", "KenhDanhGia": "1",
        "ThoiDiemDanhGia": "20250120093000", "MucDoHaiLong": "2",
        "ChiSo": [{"MaChiSo": "1", "Diem": "2"}, {"MaChiSo": "9", "Diem": "0"}],
        "GopY": "Gọi lại cho tôi theo số 0901234567", "DanhGiaBoiChuHoSo": "1", "HieuLuc": "1",
        "NgayCapNhat": "20250120093000", "DaXoa": "0",
    }  # fmt: skip
    return overridden(record, fields)


def overridden(record: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """The record with `fields` set, those set to ABSENT removed."""
    for name, value in fields.items():
        if value is ABSENT:
            record.pop(name, None)
        else:
            record[name] = value
    return record


def status(code: str, **fields: Any) -> dict[str, Any]:
    """A valid petition in another status: the fields that status needs set, the others empty."""
    ended = {"NgayTuChoi": "", "NgayChuyenDi": "", "NgayXuLyXong": "", "NgayCongKhai": "", "HanCongKhai": ""}
    needs = {
        "1": {"NgayTiepNhan": ""}, "2": {}, "3": {},
        "4": {"NgayTuChoi": "20250204100000", "LyDoTuChoi": "Không thuộc phạm vi", "NgayTiepNhan": ""},
        "5": {"NgayChuyenDi": "20250204110000", "DonViNhanChuyen": "Bộ Y tế", "NgayTiepNhan": ""},
        "6": {"NgayXuLyXong": "20250218100000", "HanCongKhai": "20250220170000"},
        "7": {"NgayXuLyXong": "20250218100000", "HanCongKhai": "20250220170000",
              "NgayCongKhai": "20250219080000"},
    }  # fmt: skip
    return petition(**(ended | needs[code] | {"TrangThaiPAKN": code} | fields))


def same_as_oracle(parsed: Parsed, payload: Any, oracle: Any) -> list[str]:
    """The parsed record's sorted reasons, after checking that key and reasons are the oracle's."""
    truth = oracle(payload)
    assert parsed.key == truth.record_key
    assert sorted(parsed.reasons) == list(truth.reasons)
    return sorted(parsed.reasons)


TIME_FIELDS = ("NgayGui", "NgayChuyenDen", "NgayTiepNhan", "HanTuChoi", "HanYeuCauBoSung", "HanXuLy",
               "HanCongKhai", "NgayTuChoi", "NgayChuyenDi", "NgayXuLyXong", "NgayCongKhai", "NgayCapNhat")
REQUEST = "DanhSachYeuCauBoSung"
HISTORY = "QuaTrinhXuLy"
BAD_PETITIONS: dict[str, tuple[dict[str, Any], list[str]]] = {
    "key empty": ({"MaPAKN": ""}, ["missing:MaPAKN"]),
    "key blank": ({"MaPAKN": " \t"}, ["missing:MaPAKN"]),
    "key null": ({"MaPAKN": None}, ["missing:MaPAKN"]),
    "key absent": ({"MaPAKN": ABSENT}, ["missing:MaPAKN"]),
    "key a number": ({"MaPAKN": 123}, ["bad_type:MaPAKN"]),
    **{f"{name} empty": ({name: ""}, [f"missing:{name}"])
       for name in ("NgayGui", "DonViXuLy", "HanTuChoi", "HanYeuCauBoSung", "HanXuLy")},
    "DonViXuLy absent": ({"DonViXuLy": ABSENT}, ["missing:DonViXuLy"]),
    "HanXuLy null": ({"HanXuLy": None}, ["missing:HanXuLy"]),
    "channel 6": ({"KenhTiepNhan": "6"}, ["bad_code:KenhTiepNhan"]),
    "channel empty": ({"KenhTiepNhan": ""}, ["bad_code:KenhTiepNhan"]),
    "channel a number": ({"KenhTiepNhan": 1}, ["bad_type:KenhTiepNhan"]),
    "transfer source unknown": ({"NguonChuyen": "TINH", "NgayChuyenDen": "20250203090000"},
                                ["bad_code:NguonChuyen"]),
    "sender kind 4": ({"LoaiDoiTuong": "4"}, ["bad_code:LoaiDoiTuong"]),
    "sender kind empty": ({"LoaiDoiTuong": None}, ["bad_code:LoaiDoiTuong"]),
    "classification 3": ({"PhanLoai": "3"}, ["bad_code:PhanLoai"]),
    "status 8": ({"TrangThaiPAKN": "8"}, ["bad_code:TrangThaiPAKN"]),
    "status empty": ({"TrangThaiPAKN": ""}, ["bad_code:TrangThaiPAKN"]),
    "answer rating 3": ({"DanhGiaKetQua": "3"}, ["bad_code:DanhGiaKetQua"]),
    "history status 0": ({HISTORY: [{"ThoiDiemXuLy": "20250203080000", "TrangThaiPAKN": "0"}]},
                         [f"bad_code:{HISTORY}.TrangThaiPAKN"]),
    "history status a number": ({HISTORY: [{"ThoiDiemXuLy": "", "TrangThaiPAKN": 7},
                                           {"ThoiDiemXuLy": "", "TrangThaiPAKN": "9"}]},
                                [f"bad_type:{HISTORY}.TrangThaiPAKN"]),
    "anonymous flag": ({"AnDanh": "có"}, ["bad_flag:AnDanh"]),
    "synced flag": ({"DongBoDVCQG": "2"}, ["bad_flag:DongBoDVCQG"]),
    "deleted flag": ({"DaXoa": "true"}, ["bad_flag:DaXoa"]),
    "deleted flag a boolean": ({"DaXoa": True}, ["bad_type:DaXoa"]),
    **{f"{name} unreadable": ({name: "20250230080000"}, [f"bad_time:{name}"])
       for name in TIME_FIELDS if name != "NgayChuyenDen"},
    "NgayChuyenDen unreadable is still set": ({"NgayChuyenDen": "20250230080000"},
                                              ["bad_time:NgayChuyenDen", "transfer_date_without_source"]),
    "NgayChuyenDen unreadable with its source": ({"NgayChuyenDen": "2025", "NguonChuyen": "BNDP"},
                                                 ["bad_time:NgayChuyenDen"]),
    "NgayGui ISO": ({"NgayGui": "2025-02-03T08:00:00"}, ["bad_time:NgayGui"]),
    "NgayTiepNhan a number": ({"NgayTiepNhan": 20250203100000}, ["bad_type:NgayTiepNhan"]),
    "request time": ({REQUEST: [{"NgayYeuCauBoSung": "20251232080000"}]},
                     [f"bad_time:{REQUEST}.NgayYeuCauBoSung"]),
    "request answered time": ({REQUEST: [{"NgayYeuCauBoSung": "", "NgayTiepNhanBoSung": "2025"}]},
                              [f"bad_time:{REQUEST}.NgayTiepNhanBoSung"]),
    "request time a number": ({REQUEST: [{"NgayYeuCauBoSung": 5}]}, [f"bad_type:{REQUEST}.NgayYeuCauBoSung"]),
    "history time": ({HISTORY: [{"ThoiDiemXuLy": "20250431090000", "TrangThaiPAKN": ""}]},
                     [f"bad_time:{HISTORY}.ThoiDiemXuLy"]),
    "requests a text": ({REQUEST: "Đề nghị bổ sung"}, [f"bad_list:{REQUEST}"]),
    "requests an object": ({REQUEST: {"NgayYeuCauBoSung": ""}}, [f"bad_list:{REQUEST}"]),
    "history of texts": ({HISTORY: ["Tiếp nhận"]}, [f"bad_list:{HISTORY}"]),
    "procedure a number": ({"MaTTHC": 1.002467}, ["bad_type:MaTTHC"]),
    "case a list": ({"MaHoSo": ["H19"]}, ["bad_type:MaHoSo"]),
    "answer an object": ({"KetQuaXuLy": {"text": "x"}}, ["bad_type:KetQuaXuLy"]),
    "answer file a number beside an answer": ({"DuongDanTepKetQua": 0}, ["bad_type:DuongDanTepKetQua"]),
    "likes as text": ({"SoLuotThich": "5"}, ["bad_count:SoLuotThich"]),
    "likes 3.0": ({"SoLuotThich": 3.0}, ["bad_count:SoLuotThich"]),
    "likes 1e2": ({"SoLuotThich": 1e2}, ["bad_count:SoLuotThich"]),
    "likes a boolean": ({"SoLuotThich": True}, ["bad_count:SoLuotThich"]),
    "likes over int4": ({"SoLuotThich": 2**31}, ["bad_count:SoLuotThich"]),
    "dislikes negative": ({"SoLuotKhongThich": -1}, ["bad_count:SoLuotKhongThich"]),
    "dislikes a list": ({"SoLuotKhongThich": [1]}, ["bad_count:SoLuotKhongThich"]),
    "source without date": ({"NguonChuyen": "VPCP"}, ["transfer_source_without_date"]),
    "date without source": ({"NgayChuyenDen": "20250203090000"}, ["transfer_date_without_source"]),
    "source a number": ({"NguonChuyen": 1, "NgayChuyenDen": "20250203090000"}, ["bad_type:NguonChuyen"]),
    "date a number": ({"NguonChuyen": "VPCP", "NgayChuyenDen": 5}, ["bad_type:NgayChuyenDen"]),
    "a bad source still counts as set": ({"NguonChuyen": "TINH"},
                                         ["bad_code:NguonChuyen", "transfer_source_without_date"]),
    "tombstone validated too": ({"PhanLoai": "9", "DaXoa": "1"}, ["bad_code:PhanLoai"]),
    "several reasons at once": ({"KenhTiepNhan": "0", "NgayGui": "", "AnDanh": "x"},
                                ["bad_code:KenhTiepNhan", "bad_flag:AnDanh", "missing:NgayGui"]),
}  # fmt: skip
BAD_STATUSES: dict[str, tuple[dict[str, Any], list[str]]] = {
    **{f"status {code} not accepted": (status(code, NgayTiepNhan=""), ["missing:NgayTiepNhan"])
       for code in ("2", "6", "7")},
    "status 3 not accepted": (status("3", NgayTiepNhan=None), ["missing:NgayTiepNhan"]),
    "status 3 without any request": (status("3", DanhSachYeuCauBoSung=[]), ["status_without_request"]),
    "status 3 with empty requests": (status("3", DanhSachYeuCauBoSung=[{"NgayYeuCauBoSung": " "}]),
                                     ["status_without_request"]),
    "status 3 requests null": (status("3", DanhSachYeuCauBoSung=None), ["status_without_request"]),
    "status 4 without NgayTuChoi": (status("4", NgayTuChoi=""), ["missing_end_time:NgayTuChoi"]),
    "status 5 without NgayChuyenDi": (status("5", NgayChuyenDi=ABSENT), ["missing_end_time:NgayChuyenDi"]),
    **{f"status {code} without NgayXuLyXong": (status(code, NgayXuLyXong=""),
                                                ["missing_end_time:NgayXuLyXong"])
       for code in ("6", "7")},
    **{f"status {code} without HanCongKhai": (status(code, HanCongKhai=""), ["missing:HanCongKhai"])
       for code in ("6", "7")},
    "status 7 without NgayCongKhai": (status("7", NgayCongKhai=""), ["missing:NgayCongKhai"]),
    "status 7 unreadable NgayCongKhai": (status("7", NgayCongKhai="x"), ["bad_time:NgayCongKhai"]),
    "status 6 unreadable end time": (status("6", NgayXuLyXong="2025"), ["bad_time:NgayXuLyXong"]),
}  # fmt: skip


@pytest.mark.parametrize("name", list(BAD_PETITIONS))
def test_each_kind_of_bad_petition_has_its_reasons(name: str) -> None:
    fields, reasons = BAD_PETITIONS[name]
    payload = petition(**fields)
    parsed = parse_petition(payload)
    assert not parsed.valid
    assert same_as_oracle(parsed, payload, read_petition) == reasons


@pytest.mark.parametrize("name", list(BAD_STATUSES))
def test_each_status_needs_its_fields(name: str) -> None:
    payload, reasons = BAD_STATUSES[name]
    parsed = parse_petition(payload)
    assert same_as_oracle(parsed, payload, read_petition) == reasons


@pytest.mark.parametrize("code", [str(code) for code in range(1, 8)])
def test_every_status_with_its_fields_is_valid_and_ends_when_the_contract_says(code: str) -> None:
    parsed = parse_petition(status(code))
    assert parsed.valid, parsed.reasons
    ended = {"3": local("20250204090000"), "4": local("20250204100000"), "5": local("20250204110000"),
             "6": local("20250218100000"), "7": local("20250218100000")}  # fmt: skip
    assert parsed.row.status_code == int(code)
    assert parsed.row.ended_at == ended.get(code)


def test_a_valid_petition_maps_to_the_canonical_columns() -> None:
    parsed = parse_petition(petition())
    assert parsed.valid, parsed.reasons
    row = parsed.row
    assert parsed.key == row.petition_key == "PAKN-2025-000123"
    assert parsed.updated_at == row.updated_at == local("20250219080000")
    assert (row.channel, row.status_code, row.classification, row.answer_rating) == (3, 7, 1, 1)
    assert row.transfer_source is None and not row.transferred_in and row.transferred_at is None
    assert row.start_at == row.sent_at == local("20250203080000")
    assert row.accepted_at == local("20250203100000")
    assert (row.reject_due_at, row.supplement_due_at, row.handle_due_at, row.publish_due_at) == (
        local("20250205170000"), local("20250210170000"), local("20250224170000"), local("20250220170000"))
    assert row.first_request_at == local("20250204090000")
    assert row.ended_at == row.handled_at == local("20250218100000")
    assert row.published_at == local("20250219080000")
    assert row.has_answer and row.answer == "Sở Y tế đã trả lời." and row.answer_file is None
    assert not row.has_reject_reason and row.reject_reason is None
    assert (row.likes, row.dislikes) == (3, 1)
    assert row.original_unit_code == "000.22.31.H19" and row.procedure_code == "1.002467"
    assert row.case_no == "H19.22-250110-0001" and row.related_petition_no is None
    assert (row.sender_name, row.sender_id, row.sender_phone, row.sender_email) == (
        "Nguyễn Văn An", "079123456789", "0901234567", "an@example.vn")
    assert row.sender_type == "1" and not row.is_anonymous
    assert row.title == "Hồ sơ quá hạn" and row.content.startswith("Hồ sơ của tôi")
    assert row.synced_national and not row.is_deleted


def test_text_is_nfc_and_trimmed_and_nulls_read_as_empty() -> None:
    payload = petition(
        NguoiPhanAnh=unicodedata.normalize("NFD", " Nguyễn Văn An "), DonViXuLy=" 000.22.31.H19\t",
        KenhTiepNhan="\t3", TrangThaiPAKN=" 7", MaPAKNLienQuan=None, NguonChuyen=None, Email=None,
        LyDoTuChoi=None, MaTTHC=" 1.002467 ", DanhSachYeuCauBoSung=None, QuaTrinhXuLy=None,
        SoLuotThich=ABSENT, SoLuotKhongThich=None, AnDanh="", DongBoDVCQG=None, DaXoa=ABSENT,
    )  # fmt: skip
    parsed = parse_petition(payload)
    assert same_as_oracle(parsed, payload, read_petition) == []
    row = parsed.row
    assert row.sender_name == "Nguyễn Văn An" and row.original_unit_code == "000.22.31.H19"
    assert (row.channel, row.status_code, row.procedure_code) == (3, 7, "1.002467")
    assert row.related_petition_no is None and row.sender_email is None and row.transfer_source is None
    assert (row.likes, row.dislikes) == (0, 0)
    assert not row.is_anonymous and not row.synced_national and not row.is_deleted
    assert row.first_request_at is None


def test_counts_at_their_edges_are_valid() -> None:
    for likes in (0, 1, 2**31 - 1):
        parsed = parse_petition(petition(SoLuotThich=likes, SoLuotKhongThich=likes))
        assert parsed.valid, (likes, parsed.reasons)
        assert (parsed.row.likes, parsed.row.dislikes) == (likes, likes)


def test_times_are_taken_as_given_and_transfers_start_the_petition() -> None:
    payload = status("2", NgayXuLyXong="20250218100000", NgayCongKhai="20250219080000", NguonChuyen="NOIBO",
                     NgayChuyenDen="20250203090000")  # fmt: skip
    parsed = parse_petition(payload)
    assert same_as_oracle(parsed, payload, read_petition) == []
    row = parsed.row
    assert row.ended_at is None
    assert row.handled_at == local("20250218100000") and row.published_at == local("20250219080000")
    assert row.transferred_in and row.transfer_source == "NOIBO"
    assert row.start_at == row.transferred_at == local("20250203090000")


def test_a_request_that_cannot_be_read_still_is_a_request() -> None:
    asked = [{"NgayYeuCauBoSung": "2025-02-04"}, {"NgayYeuCauBoSung": "20250206090000"},
             {"NgayYeuCauBoSung": "20250205090000"}, {"NgayYeuCauBoSung": ""}]  # fmt: skip
    payload = status("3", DanhSachYeuCauBoSung=asked)
    assert same_as_oracle(parse_petition(payload), payload, read_petition) == [
        f"bad_time:{REQUEST}.NgayYeuCauBoSung"
    ]
    parsed = parse_petition(status("3", DanhSachYeuCauBoSung=asked[1:]))
    assert parsed.valid and parsed.row.ended_at == parsed.row.first_request_at == local("20250205090000")


def test_free_text_that_is_not_a_string_is_kept_only_in_the_payload() -> None:
    payload = petition(TieuDe=5, NoiDung={"a": 1}, NguoiPhanAnh=["x"], Email=False, MaLinhVuc=7,
                       DonViNhanChuyen=1, MaPAKNDVCQG=2)  # fmt: skip
    parsed = parse_petition(payload)
    assert same_as_oracle(parsed, payload, read_petition) == []
    assert (parsed.row.title, parsed.row.content, parsed.row.sender_name, parsed.row.sender_email) == (
        None, None, None, None)


def test_a_tombstone_is_a_valid_row() -> None:
    parsed = parse_petition(petition(DaXoa="1"))
    assert parsed.valid and parsed.row.is_deleted


@pytest.mark.parametrize("payload", [[], "PAKN-1", 5, None, True, [petition()]], ids=repr)
def test_records_that_are_not_objects_are_keyed_by_their_hash(payload: Any) -> None:
    readers = ((parse_petition, read_petition, "petition"), (parse_rating, read_rating, "rating"))
    for parse, oracle, entity in readers:
        parsed = parse(payload)
        assert (parsed.entity, parsed.key) == (entity, payload_key(payload))
        assert same_as_oracle(parsed, payload, oracle) == ["not_an_object"]


def test_a_record_without_a_key_is_keyed_by_its_hash() -> None:
    payload = petition(MaPAKN="")
    assert parse_petition(payload).key == payload_key(payload)
    payload = rating(MaDanhGia=None)
    assert parse_rating(payload).key == payload_key(payload)


BAD_RATINGS: dict[str, tuple[dict[str, Any], list[str]]] = {
    "key empty": ({"MaDanhGia": ""}, ["missing:MaDanhGia"]),
    "key absent": ({"MaDanhGia": ABSENT}, ["missing:MaDanhGia"]),
    "key a number": ({"MaDanhGia": 45}, ["bad_type:MaDanhGia"]),
    "case empty": ({"MaHoSo": " "}, ["missing:MaHoSo"]),
    "case null": ({"MaHoSo": None}, ["missing:MaHoSo"]),
    "rated at null": ({"ThoiDiemDanhGia": None}, ["missing:ThoiDiemDanhGia"]),
    "rated at unreadable": ({"ThoiDiemDanhGia": "20250230100000"}, ["bad_time:ThoiDiemDanhGia"]),
    "version unreadable": ({"NgayCapNhat": "2025-03-01 08:00:00"}, ["bad_time:NgayCapNhat"]),
    "channel 6": ({"KenhDanhGia": "6"}, ["bad_code:KenhDanhGia"]),
    "channel empty": ({"KenhDanhGia": ""}, ["bad_code:KenhDanhGia"]),
    "level 4": ({"MucDoHaiLong": "4"}, ["bad_code:MucDoHaiLong"]),
    "level a number": ({"MucDoHaiLong": 3}, ["bad_type:MucDoHaiLong"]),
    "by applicant flag": ({"DanhGiaBoiChuHoSo": "2"}, ["bad_flag:DanhGiaBoiChuHoSo"]),
    "in force flag": ({"HieuLuc": "có"}, ["bad_flag:HieuLuc"]),
    "deleted flag": ({"DaXoa": "x"}, ["bad_flag:DaXoa"]),
    "criterion 10": ({"ChiSo": [{"MaChiSo": "10", "Diem": "1"}]}, ["bad_code:ChiSo.MaChiSo"]),
    "criterion empty": ({"ChiSo": [{"Diem": "1"}]}, ["bad_code:ChiSo.MaChiSo"]),
    "score 3": ({"ChiSo": [{"MaChiSo": "1", "Diem": "3"}]}, ["bad_code:ChiSo.Diem"]),
    "score a number": ({"ChiSo": [{"MaChiSo": "1", "Diem": 2}]}, ["bad_type:ChiSo.Diem"]),
    "scores a text": ({"ChiSo": "1:2;2:2"}, ["bad_list:ChiSo"]),
    "tombstone validated too": ({"KenhDanhGia": "0", "DaXoa": "1"}, ["bad_code:KenhDanhGia"]),
}  # fmt: skip


@pytest.mark.parametrize("name", list(BAD_RATINGS))
def test_each_kind_of_bad_rating_has_its_reasons(name: str) -> None:
    fields, reasons = BAD_RATINGS[name]
    payload = rating(**fields)
    parsed = parse_rating(payload)
    assert not parsed.valid
    assert same_as_oracle(parsed, payload, read_rating) == reasons


def test_a_valid_rating_maps_to_the_canonical_columns() -> None:
    parsed = parse_rating(rating())
    assert parsed.valid, parsed.reasons
    row = parsed.row
    assert parsed.key == row.rating_key == "DG-2025-000045"
    assert row.case_no == "H19.22-250110-0001" and row.comment.startswith("Gọi lại")
    assert (row.channel, row.level, row.rated_at) == (1, 2, local("20250120093000"))
    assert row.by_applicant and row.in_force and not row.is_deleted
    assert parsed.updated_at == row.updated_at == local("20250120093000")


def test_a_replaced_rating_of_an_unknown_case_with_empty_flags_and_no_scores_is_valid() -> None:
    payload = rating(MaHoSo="EGOV:000.22.31.H19-241220-0007", HieuLuc="0", DanhGiaBoiChuHoSo="", ChiSo=None,
                     GopY=None, DaXoa=None, NgayCapNhat="")  # fmt: skip
    parsed = parse_rating(payload)
    assert same_as_oracle(parsed, payload, read_rating) == []
    row = parsed.row
    assert not row.in_force and not row.by_applicant and row.comment is None and row.updated_at is None
