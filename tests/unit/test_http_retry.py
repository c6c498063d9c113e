"""Retry behaviour of the HTTP layer, on scripted answers (no network)."""

import email.utils
import time
from collections.abc import Callable

import httpx
import pytest

from resources.http_retry import (
    FetchStats,
    RetryPolicy,
    SourceError,
    Target,
    parse_retry_after,
    send_with_retries,
)
from resources.paging import CursorPaginator, OffsetPaginator, egov_page, iter_pages

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
