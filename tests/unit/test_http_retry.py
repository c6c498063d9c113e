"""Retry behaviour of the HTTP layer, on scripted answers (no network)."""

import email.utils
import gzip
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator

import httpx
import pytest

from resources.http_retry import (
    Answer,
    AnswerLimits,
    FetchStats,
    RetryPolicy,
    SourceError,
    Target,
    parse_retry_after,
    send_with_retries,
)
from resources.paging import CursorPaginator, OffsetPaginator, cursor_page, egov_page, iter_pages

TARGET = Target("egov", "GET", "/x", "page 2")


def scripted(answers: list[Callable[[httpx.Request], httpx.Response]]) -> httpx.Client:
    """A client whose transport plays `answers` in order."""
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        return queue.pop(0)(request)

    return httpx.Client(transport=httpx.MockTransport(handler), base_url="http://source.test")


def status(code: int, headers: dict[str, str] | None = None) -> Callable[[httpx.Request], httpx.Response]:
    """An answer with a status code."""
    return lambda request: httpx.Response(code, headers=headers, json={}, request=request)


def dropped(request: httpx.Request) -> httpx.Response:
    """A connection dropped before any answer."""
    raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)


def body(content: bytes, content_type: str = "application/json") -> Callable[[httpx.Request], httpx.Response]:
    """A 200 answer with the given bytes and content type."""
    return lambda request: httpx.Response(
        200, headers={"Content-Type": content_type}, content=content, request=request
    )


def send(
    client: httpx.Client, sleeps: list[float], attempts: int = 5, stats: FetchStats | None = None
) -> int:
    """One GET through the retry loop, recording the sleeps instead of sleeping; the final status."""
    return send_with_retries(
        client, lambda: client.build_request("GET", "/x"), target=TARGET,
        policy=RetryPolicy(max_attempts=attempts), stats=stats or FetchStats(), sleep=sleeps.append,
    ).status


def test_429_honours_retry_after() -> None:
    sleeps: list[float] = []
    assert send(scripted([status(429, {"Retry-After": "7"}), status(200)]), sleeps) == 200
    assert sleeps == [7.0]


def test_transient_5xx_and_dropped_connections_are_retried() -> None:
    sleeps: list[float] = []
    answers = [status(503), dropped, status(502), status(504), status(200)]
    assert send(scripted(answers), sleeps) == 200
    assert len(sleeps) == 4


@pytest.mark.parametrize("code", [400, 403, 404, 410, 422])
def test_client_errors_are_not_retried(code: int) -> None:
    sleeps: list[float] = []
    assert send(scripted([status(code)]), sleeps) == code
    assert sleeps == []


def test_persistent_failure_is_a_clear_error() -> None:
    with pytest.raises(SourceError) as caught:
        send(scripted([status(503)] * 3), [], attempts=3)
    assert str(caught.value) == "egov GET /x (page 2): HTTP 503 after 3 attempts: Service Unavailable"
    assert caught.value.attempts == 3 and caught.value.cause == "HTTP 503"


def test_invalid_200_answers_are_retried_like_5xx() -> None:
    sleeps: list[float] = []
    stats = FetchStats()
    answers = [
        body(b"<html><body>Bad gateway</body></html>", "text/html"),
        body(b'{"items": [1, 2'),
        body(b"[]", "text/plain"),
        status(200),
    ]
    assert send(scripted(answers), sleeps, stats=stats) == 200
    assert len(sleeps) == 3 and stats.retry_causes == {"InvalidAnswer": 3}


def test_a_page_without_its_fields_is_retried_then_a_clear_error() -> None:
    client = scripted([body(b'{"duLieu": []}')] * 2)
    with pytest.raises(SourceError) as caught:
        send_with_retries(
            client, lambda: client.build_request("GET", "/x"), target=TARGET,
            policy=RetryPolicy(max_attempts=2), stats=FetchStats(), sleep=lambda s: None,
            validate=lambda answer: egov_page(answer, {"page": 2}),
        )
    assert "InvalidAnswer after 2 attempts: the answer has no `tongSo` int" in str(caught.value)


def test_bytes_that_are_not_utf8_reach_the_parsers_as_surrogates() -> None:
    client = scripted([body(b'{"items": ["ok \xff"]}')])
    answer = send_with_retries(
        client, lambda: client.build_request("GET", "/x"), target=TARGET,
        policy=RetryPolicy(max_attempts=1), stats=FetchStats(),
    )
    assert answer.body == {"items": ["ok \udcff"]}


def egov_pages(pages: list[list[int]], total: int) -> Callable[..., object]:
    """A page getter answering Egov pages from a list, the same last page when asked past its end."""

    def get_page(params: dict, target: Target, validate: Callable) -> object:
        records = pages[min(params["page"], len(pages)) - 1]
        return {"tongSo": total, "trang": params["page"], "soBanGhi": len(records), "duLieu": records}

    return get_page


def test_a_repeated_egov_page_is_a_clear_error() -> None:
    get_page = egov_pages([[1, 2], [3, 4]], total=10)
    with pytest.raises(SourceError, match=r"egov GET /x \(page 3\): PageNotAdvancing: page 3 holds the same"):
        list(iter_pages(get_page, TARGET, {}, OffsetPaginator(2), FetchStats()))


def test_records_past_tongso_are_a_clear_error() -> None:
    get_page = egov_pages([[1, 2], [3, 4], [5]], total=4)
    with pytest.raises(SourceError, match="page 3 starts at offset 4, past tongSo 4"):
        list(iter_pages(get_page, TARGET, {}, OffsetPaginator(2), FetchStats()))


def test_a_repeating_cursor_is_a_clear_error() -> None:
    cursors = iter(["a", "b", "a"])

    def get_page(params: dict, target: Target, validate: Callable) -> object:
        return {"items": [params.get("cursor", "-")], "next_cursor": next(cursors)}

    target = Target("newsys", "GET", "/api/v2/cases")
    pages = iter_pages(get_page, target, {}, CursorPaginator(), FetchStats())
    assert next(pages) == ["-"] and next(pages) == ["a"]
    with pytest.raises(SourceError, match=r"/api/v2/cases \(cursor b\): PageNotAdvancing: next_cursor a"):
        next(pages)


def test_retry_after_forms() -> None:
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert 55 < parse_retry_after(email.utils.formatdate(time.time() + 60, usegmt=True)) <= 60


def whitespace_bomb(decoded_mib: int, tail: bytes = b'{"items": [], "next_cursor": null}') -> bytes:
    """A gzip body that inflates to `decoded_mib` MiB of JSON white space before a valid page."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    spaces = b" " * 2**20
    parts = [packer.compress(spaces) for _ in range(decoded_mib)]
    return b"".join([*parts, packer.compress(tail), packer.flush()])


def encoded(content: bytes, encoding: str) -> Callable[[httpx.Request], httpx.Response]:
    """A 200 JSON answer whose body is sent with a Content-Encoding (as a stream: the mock decodes none)."""
    headers = {"Content-Type": "application/json", "Content-Encoding": encoding}
    return lambda request: httpx.Response(
        200, headers=headers, stream=httpx.ByteStream(content), request=request
    )


def streamed(
    chunks: list[bytes], pulled: list[int], headers: dict[str, str] | None = None
) -> Callable[[httpx.Request], httpx.Response]:
    """A 200 JSON answer streamed chunk by chunk, counting in `pulled` the bytes the client read."""

    class Body(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            for chunk in chunks:
                pulled.append(len(chunk))
                yield chunk

    answer_headers = {"Content-Type": "application/json"} | (headers or {})
    return lambda request: httpx.Response(200, headers=answer_headers, stream=Body(), request=request)


def read_once(client: httpx.Client, **limits: int) -> Answer:
    """One GET through the retry loop (two attempts allowed), with the given answer limits."""
    return send_with_retries(
        client, lambda: client.build_request("GET", "/x"), target=TARGET,
        policy=RetryPolicy(max_attempts=2), stats=FetchStats(), sleep=lambda s: None,
        validate=lambda body: cursor_page(body, {"limit": 3}), limits=AnswerLimits(**limits),
    )  # fmt: skip


def test_a_gzip_bomb_fails_at_once_without_inflating_past_the_limit() -> None:
    bomb = whitespace_bomb(256)
    assert len(bomb) < 2**20
    client = scripted([encoded(bomb, "gzip")] * 2)
    tracemalloc.start()
    try:
        with pytest.raises(SourceError) as caught:
            read_once(client)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.cause == "OversizedAnswer" and caught.value.attempts == 1
    assert "decodes to over the limit of 33554432 bytes" in str(caught.value)
    assert peak < 48 * 2**20, f"{peak} bytes allocated to refuse the answer"


def test_an_answer_longer_than_the_limit_stops_being_read_at_the_limit() -> None:
    pulled: list[int] = []
    chunks = [b'{"items": [' + b" " * 65_536] + [b" " * 65_536] * 1000
    with pytest.raises(SourceError, match="OversizedAnswer: the answer is over the limit of 1048576 bytes"):
        read_once(scripted([streamed(chunks, pulled)]), max_transfer_bytes=2**20)
    assert sum(pulled) <= 2**20 + 65_547


def test_an_answer_declaring_a_length_over_the_limit_is_not_read() -> None:
    pulled: list[int] = []
    answer = streamed([b"{}"], pulled, {"Content-Length": str(2**31)})
    with pytest.raises(SourceError, match="declares 2147483648 bytes, over the limit of 33554432"):
        read_once(scripted([answer]))
    assert pulled == []


def test_a_page_longer_than_the_limit_asked_for_fails_at_once() -> None:
    page = b'{"items": [1, 2, 3, 4], "next_cursor": null}'
    with pytest.raises(SourceError) as caught:
        read_once(scripted([body(page), body(page)]))
    assert caught.value.cause == "OversizedAnswer" and caught.value.attempts == 1
    assert "holds 4 records, more than the limit 3 asked" in str(caught.value)


@pytest.mark.parametrize(
    ("encoding", "pack"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),
        ("identity", lambda data: data),
    ],
)
def test_compressed_answers_within_the_limits_are_decoded(
    encoding: str, pack: Callable[[bytes], bytes]
) -> None:
    page = b'{"items": [1, 2, 3], "next_cursor": "n\xc3\xa0"}'
    answer = read_once(scripted([encoded(pack(page), encoding)]), max_decoded_bytes=len(page))
    assert answer.body == {"items": [1, 2, 3], "next_cursor": "nà"}


def test_a_corrupt_or_cut_compressed_answer_is_retried() -> None:
    page = gzip.compress(b'{"items": [], "next_cursor": null}')
    stats = FetchStats()
    client = scripted([encoded(page[:-12], "gzip"), encoded(b"\x1f\x8b junk", "gzip"), encoded(page, "gzip")])
    answer = send_with_retries(
        client, lambda: client.build_request("GET", "/x"), target=TARGET,
        policy=RetryPolicy(max_attempts=3), stats=stats, sleep=lambda s: None,
    )  # fmt: skip
    assert answer.body == {"items": [], "next_cursor": None}
    assert stats.retry_causes == {"DecodingError": 2}


def test_only_encodings_the_reader_bounds_are_accepted() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Accept-Encoding"])
        return encoded(b"{}", "br")(request)

    with pytest.raises(SourceError, match="InvalidAnswer after 2 attempts: content encoding 'br'"):
        read_once(scripted([answer, answer]))
    assert seen == ["gzip, deflate"] * 2


def test_the_sensor_policy_gives_up_within_a_tick_whatever_retry_after_asks() -> None:
    from resources.newsys_client import TICK_POLICY

    waits: list[float] = []
    client = scripted([status(503, {"Retry-After": "600"})] * TICK_POLICY.max_attempts)
    with pytest.raises(SourceError):
        send_with_retries(
            client, lambda: client.build_request("GET", "/api/v2/events"), target=TARGET,
            policy=TICK_POLICY, stats=FetchStats(), sleep=waits.append,
        )
    assert len(waits) == TICK_POLICY.max_attempts - 1
    assert sum(waits) <= 15
