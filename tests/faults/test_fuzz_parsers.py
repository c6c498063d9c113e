"""Records fuzzed against every parser: each is valid, or bad with precise reasons; never an error."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.egov_case import parse_egov_case
from ingest.newsys_case import parse_newsys_case
from ingest.newsys_catalog import parse_official, parse_procedure, parse_unit
from ingest.reader import MAX_KEY_CHARS, Parsed
from tests.unit.test_ingest_parsing import egov_case, newsys_case

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WHOLE_RECORD = frozenset({"not_an_object", "bad_id", "nul_character", "invalid_utf8", "too_deep",
                          "not_finite_number"})
REASON = re.compile(
    r"(missing|bad_code|bad_flag|bad_time|bad_list|bad_type|too_long|missing_end_time|out_of_range):(.+)",
    re.S,
)
OFFICIAL = {"TenDangNhap": "a.syt", "HoTen": "Nguyễn An", "MaDonVi": "000.22.31.H19", "LoaiTaiKhoan": "VNEID",
            "MucDoDinhDanh": "2", "TrangThai": "1", "NgayCapNhat": "20250101080000"}
PROCEDURE = {"MaTTHC": "1.002467", "TenTTHC": "Cấp phép", "MaLinhVuc": "Y", "TenLinhVuc": "Y tế",
             "MucDo": "4", "ThoiHanGiaiQuyet": 10, "CoPhiLePhi": "1"}
UNIT = {"MaDonVi": "000.22.31.H19", "TenDonVi": "Sở Y tế", "Cap": "SO", "MaDonViKeThua": "", "HieuLucDen": ""}
PARSERS: dict[str, tuple[Callable[[Any], Parsed], dict[str, Any]]] = {
    "egov_case": (parse_egov_case, egov_case()),
    "newsys_case": (parse_newsys_case, newsys_case()),
    "official": (parse_official, OFFICIAL),
    "procedure": (parse_procedure, PROCEDURE),
    "unit": (parse_unit, UNIT),
}


def nested(depth: int) -> Any:
    """A list nested `depth` levels deep."""
    value: Any = "bottom"
    for _ in range(depth):
        value = [value]
    return value


def mojibake(text: str) -> str:
    """UTF-8 bytes read as Latin-1, the way a wrongly decoded export looks."""
    return text.encode("utf-8").decode("latin-1")


INTEGER_EDGES = st.sampled_from([
    0, 1, -1, 2**15 - 1, 2**15, -(2**15), -(2**15) - 1, 2**31 - 1, 2**31, -(2**31), -(2**31) - 1, 2**63 - 1,
    2**63, -(2**63), -(2**63) - 1, 2**64, 10**30,
])
SMALLINT, INTEGER, BIGINT = (-(2**15), 2**15 - 1), (-(2**31), 2**31 - 1), (-(2**63), 2**63 - 1)
# The integer columns of the rows and their PostgreSQL types (a valid row's values must fit them).
ROW_INTEGERS = {"egov_id": BIGINT, "legal_days": INTEGER, "service_level": SMALLINT, "status_code": SMALLINT,
                "channel": SMALLINT, "rating": SMALLINT}  # fmt: skip
# The integer fields of the contracts: entity, field, the range that is valid, the reason outside it.
INTEGER_FIELDS = {
    ("egov_case", "id"): (BIGINT, "out_of_range:id"),
    ("procedure", "ThoiHanGiaiQuyet"): ((1, 2**31 - 1), "out_of_range:ThoiHanGiaiQuyet"),
}
NASTY = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    INTEGER_EDGES,
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.text(max_size=20).map(lambda t: t + "\x00" + t),
    st.text(alphabet=st.characters(min_codepoint=0xDC80, max_codepoint=0xDCFF), min_size=1, max_size=3),
    st.just("079123\udcff456"),
    st.sampled_from(["Đã trả kết quả", "Trực tuyến", "Nguyễn Văn An"]).map(mojibake),
    st.sampled_from([
        "01/01/0001 00:00:00", "31/12/9999 23:59:59", "31/02/2025 08:00:00", "00010101000000",
        "99991231235959", "20250231080000", "29/02/2024", "",
    ]),
    st.just("x" * 5_000_000),
    st.integers(min_value=30, max_value=3000).map(nested),
    st.text(max_size=30),
)


@st.composite
def malformed(draw: st.DrawFn, base: dict[str, Any]) -> tuple[dict[str, Any] | Any, set[str]]:
    """A record with fields replaced by nasty values, removed or added; and the names of those replaced."""
    if draw(st.integers(0, 19)) == 0:
        return draw(NASTY), set()
    record = dict(base)
    names = sorted(record)
    replaced = set(draw(st.lists(st.sampled_from(names), max_size=3, unique=True)))
    for name in replaced:
        record[name] = draw(NASTY)
    for name in draw(st.lists(st.sampled_from(names), max_size=2, unique=True)):
        if name not in replaced:
            record.pop(name)
    for name in draw(st.lists(st.text(min_size=1, max_size=8), max_size=2)):
        record.setdefault(name, draw(NASTY))
    return record, replaced


LIST_FIELDS = frozenset({"DanhSachGiayToKetQua", "DanhSachHoSoBoSung", "PhieuXinLoi", "QuaTrinhXuLy"})


def check(parser: Callable[[Any], Parsed], record: Any, replaced: set[str]) -> None:
    """The record is valid with a storable row, or bad with precise reasons; its stored text is storable."""
    parsed = parser(record)
    for reason in parsed.reasons:
        about = REASON.fullmatch(reason)
        assert reason in WHOLE_RECORD or (about and _names_a_field(about.group(2), record, parser)), reason
        assert "\x00" not in reason
        reason.encode("utf-8")
    assert parsed.text is not None
    assert "\\u0000" not in parsed.text
    parsed.text.encode("utf-8")
    json.loads(parsed.text, parse_constant=_not_json)
    assert parsed.key and len(parsed.key) <= max(MAX_KEY_CHARS, 71) and "\x00" not in parsed.key
    parsed.key.encode("utf-8")
    if parsed.valid:
        assert parsed.row is not None and not parsed.reasons
        for name, value in parsed.row._asdict().items():
            if name in ROW_INTEGERS and value is not None:
                low, high = ROW_INTEGERS[name]
                assert type(value) is int and low <= value <= high, (name, value)
            if isinstance(value, str):
                assert "\x00" not in value, name
                value.encode("utf-8")
            if isinstance(value, float):
                assert math.isfinite(value), name
            assert not isinstance(value, dict | list) or name == "handlers", name
        for name in replaced:
            value = record.get(name)
            scalar = value is None or isinstance(value, str | int)
            empty_list = value == [] and name in LIST_FIELDS
            assert scalar or empty_list or name not in _read_fields(parser), name
    else:
        assert parsed.reasons


def _not_json(constant: str) -> None:
    """NaN and infinities are not JSON (PostgreSQL refuses them)."""
    raise AssertionError(f"{constant} in a stored payload")


def _names_a_field(name: str, record: Any, parser: Callable[[Any], Parsed]) -> bool:
    """Whether a reason names a field of the contract or of the record (`List.Field` for list items)."""
    known = set(next(base for p, base in PARSERS.values() if p is parser))
    if isinstance(record, dict):
        known |= {key.replace("\x00", "?") for key in record}
    return name.split(".", 1)[0] in known or any(key.startswith(name) for key in known)


def _read_fields(parser: Callable[[Any], Parsed]) -> set[str]:
    """Top-level fields a parser validates (personal data it does not read is kept as it is)."""
    unread = {"chuHoSo", "soDienThoai", "ChuHoSo", "SoDienThoai", "Email", "DanhSachHoSoBoSung"}
    base = next(record for p, record in PARSERS.values() if p is parser)
    return set(base) - unread


def fuzz(name: str) -> Callable[[], None]:
    """A fuzz test of one parser."""
    parser, base = PARSERS[name]

    @FUZZ
    @given(malformed(base))
    def run(case: tuple[Any, set[str]]) -> None:
        check(parser, *case)

    return run


@FUZZ
@given(field=st.sampled_from(sorted(INTEGER_FIELDS)), value=st.one_of(INTEGER_EDGES, st.integers()))
def test_fuzz_integer_fields_are_valid_exactly_within_their_range(field: tuple[str, str], value: int) -> None:
    entity, name = field
    parser, base = PARSERS[entity]
    (low, high), reason = INTEGER_FIELDS[field]
    parsed = parser(base | {name: value})
    if low <= value <= high:
        assert parsed.valid, parsed.reasons
    else:
        assert parsed.reasons == [reason]
    check(parser, base | {name: value}, {name})


test_fuzz_egov_case = fuzz("egov_case")
test_fuzz_newsys_case = fuzz("newsys_case")
test_fuzz_official = fuzz("official")
test_fuzz_procedure = fuzz("procedure")
test_fuzz_unit = fuzz("unit")
