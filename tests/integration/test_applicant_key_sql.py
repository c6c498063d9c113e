"""The warehouse's HMAC-SHA-256 (plain SQL over sha256()) agrees with Python's `hmac` on any key and text."""

from __future__ import annotations

import hashlib
import hmac
import random

from sqlalchemy import text

from resources.warehouse import WarehouseResource

ALPHABET = "0123456789 abcxyzABC-_/.đĐăâêôơưáàảãạếềểễệ€😀\u0301\t\x7f"
KEY_LENGTHS = (0, 1, 16, 31, 63, 64, 65, 100, 128, 200)


def python_hmac(key: bytes, message: bytes) -> str:
    """The reference: Python's HMAC-SHA-256, hex."""
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def random_text(rng: random.Random, longest: int) -> str:
    """A string of `0..longest` characters, ASCII and not (Vietnamese, combining marks, emoji)."""
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, longest)))


def sql_hmacs(warehouse: WarehouseResource, pairs: list[tuple[bytes, bytes]]) -> list[str]:
    """meta.hmac_sha256 of every (key, message) pair, in order, in one statement."""
    with warehouse.begin() as conn:
        return conn.execute(
            text(
                "SELECT encode(meta.hmac_sha256(k, m), 'hex')"
                " FROM unnest(CAST(:keys AS bytea[]), CAST(:messages AS bytea[]))"
                " WITH ORDINALITY AS p(k, m, i) ORDER BY i"
            ),
            {"keys": [k for k, _ in pairs], "messages": [m for _, m in pairs]},
        ).scalars().all()


def test_hmac_matches_python_on_random_keys_and_messages(warehouse: WarehouseResource) -> None:
    rng = random.Random(20250701)
    pairs = []
    for length in KEY_LENGTHS:
        for _ in range(30):
            text_key = (random_text(rng, length) + "k" * length).encode("utf-8")[:length]
            pairs.append((text_key, random_text(rng, 200).encode("utf-8")))
            pairs.append((rng.randbytes(length), rng.randbytes(rng.randint(0, 300))))
    pairs += [(b"\xff" * 64, b"x"), (b"\x00" * 65, b""), (b"\x80" * 8, b"\x00")]
    assert sql_hmacs(warehouse, pairs) == [python_hmac(k, m) for k, m in pairs]


def test_applicant_key_is_the_contract_hmac_of_the_utf8_id(warehouse: WarehouseResource) -> None:
    rng = random.Random(7)
    ids = [random_text(rng, 20) or "x" for _ in range(300)] + ["079123456789", "Đ-12 ü", "😀"]
    keys = ["test-pii-hash-key", "khóa bí mật", "k" * 80]
    with warehouse.begin() as conn:
        for key in keys:
            got = conn.execute(
                text("SELECT meta.applicant_key(a, :key)"
                     " FROM unnest(CAST(:ids AS text[])) WITH ORDINALITY AS t(a, i) ORDER BY i"),
                {"ids": ids, "key": key.encode("utf-8")},
            ).scalars().all()
            assert got == [python_hmac(key.encode("utf-8"), value.encode("utf-8")) for value in ids]
        empty = conn.execute(text("SELECT meta.applicant_key('', :k), meta.applicant_key(NULL, :k)"),
                             {"k": b"key"}).one()
    assert tuple(empty) == (None, None)


def test_the_key_pads_are_folded_once_per_statement(warehouse: WarehouseResource) -> None:
    with warehouse.begin() as conn:
        plan = "\n".join(conn.execute(
            text("EXPLAIN (VERBOSE) SELECT meta.applicant_key(a, :key) FROM unnest(ARRAY['1', '2']) AS t(a)"),
            {"key": b"secret"},
        ).scalars())
    assert "meta." not in plan, plan
    assert "::bytea || convert_to(a, 'UTF8'::name)" in plan, plan
