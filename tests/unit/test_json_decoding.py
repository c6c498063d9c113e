"""The fast JSON decoding reads every body exactly as the standard library does."""

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resources.http_retry import decode_json

AWKWARD_BODIES = [
    b'{"a":1,"a":2}',
    b'{"id":123456789012345678901234567890}',
    b'{"id":-9223372036854775809}',
    b'{"id":18446744073709551615}',
    b'{"text":"\\ud800"}',
    b'{"text":"\\ud83d\\ude00"}',
    b'{"text":"\xff\xfe"}',
    b'{"text":"\\u0000"}',
    b'{"x":NaN,"y":Infinity,"z":-Infinity}',
    b'{"x":1e400}',
    b'{"x":-0.0,"y":0.1,"z":1E2}',
    b' {"a":[1,2,{"b":null}]} ',
]


def standard(content: bytes) -> object:
    """What `json` reads from the body (non-UTF-8 bytes as surrogates)."""
    return json.loads(content.decode("utf-8", errors="surrogateescape"))


def same(left: object, right: object) -> bool:
    """Equal values of the same types, NaN equal to NaN."""
    if isinstance(left, float) and isinstance(right, float) and math.isnan(left):
        return math.isnan(right)
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return list(left) == list(right) and all(same(left[k], right[k]) for k in left)  # type: ignore[index]
    if isinstance(left, list):
        return len(left) == len(right) and all(map(same, left, right))  # type: ignore[arg-type]
    return left == right or repr(left) == repr(right)


@pytest.mark.parametrize("content", AWKWARD_BODIES)
def test_awkward_bodies_read_as_json_reads_them(content: bytes) -> None:
    assert same(decode_json(content), standard(content))


def test_bodies_json_refuses_are_refused() -> None:
    for content in (b"", b'{"a":1}x', b"\xef\xbb\xbf{}"):
        with pytest.raises(ValueError):
            decode_json(content)
    with pytest.raises(RecursionError):
        decode_json(b"[" * 100_000 + b"]" * 100_000)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


@given(JSON_VALUES)
def test_any_json_document_reads_as_json_reads_it(value: object) -> None:
    content = json.dumps(value).encode()
    assert same(decode_json(content), standard(content))


def test_an_integer_too_long_to_convert_costs_its_record_not_the_page() -> None:
    from ingest.newsys_catalog import parse_procedure

    huge = "9" * 5000
    body = f'{{"items": [{{"MaTTHC": "1.1", "MucDo": "4", "ThoiHanGiaiQuyet": {huge}, "CoPhiLePhi": "0"}},'
    body += ' {"MaTTHC": "1.2", "MucDo": "4", "ThoiHanGiaiQuyet": 5, "CoPhiLePhi": "0"}]}'
    first, second = (parse_procedure(item) for item in decode_json(body.encode())["items"])
    assert not first.valid and "not_finite_number" in first.reasons
    assert second.valid
