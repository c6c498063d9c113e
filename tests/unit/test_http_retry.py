"""Retry behaviour of the HTTP layer, on scripted answers (no network)."""

from collections.abc import Callable

import httpx
import pytest

from resources.http_retry import FetchStats, RetryPolicy, SourceError, parse_retry_after, send_with_retries


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


def send(client: httpx.Client, sleeps: list[float], attempts: int = 5) -> httpx.Response:
    """One GET through the retry loop, recording the sleeps instead of sleeping."""
    return send_with_retries(
        client, lambda: client.build_request("GET", "/x"), policy=RetryPolicy(max_attempts=attempts),
        stats=FetchStats(), sleep=sleeps.append,
    )


def test_429_honours_retry_after() -> None:
    sleeps: list[float] = []
    response = send(scripted([status(429, {"Retry-After": "7"}), status(200)]), sleeps)
    assert response.status_code == 200
    assert sleeps == [7.0]


def test_transient_5xx_and_dropped_connections_are_retried() -> None:
    sleeps: list[float] = []
    answers = [status(503), dropped, status(502), status(504), status(200)]
    assert send(scripted(answers), sleeps).status_code == 200
    assert len(sleeps) == 4


@pytest.mark.parametrize("code", [400, 403, 404, 410, 422])
def test_client_errors_are_not_retried(code: int) -> None:
    sleeps: list[float] = []
    assert send(scripted([status(code)]), sleeps).status_code == code
    assert sleeps == []


def test_persistent_failure_is_a_clear_error() -> None:
    with pytest.raises(SourceError, match="HTTP 503 after 3 tries"):
        send(scripted([status(503)] * 3), [], attempts=3)


def test_retry_after_forms() -> None:
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
