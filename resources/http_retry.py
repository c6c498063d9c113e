"""HTTP requests with retries: backoff that honours Retry-After on 429/5xx and dropped connections."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

log = logging.getLogger("egov_sync.http")
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass
class FetchStats:
    """What a read from a source cost: requests, retries by cause, pages, token refreshes."""

    requests: int = 0
    retries: int = 0
    pages: int = 0
    token_refreshes: int = 0
    retry_causes: dict[str, int] = field(default_factory=dict)

    def count_retry(self, cause: str) -> None:
        """Record one retry and its cause (a status code or a transport error name)."""
        self.retries += 1
        self.retry_causes[cause] = self.retry_causes.get(cause, 0) + 1


@dataclass(frozen=True)
class RetryPolicy:
    """How long and how often to retry transient failures."""

    max_attempts: int = 8
    base_delay: float = 0.25
    max_delay: float = 30.0
    max_retry_after: float = 300.0

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter for attempt number `attempt` (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)

    def delay_for(self, response: httpx.Response | None, attempt: int) -> float:
        """The server's Retry-After when it gives one (capped), else the backoff."""
        if response is not None:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if retry_after is not None:
                return min(retry_after, self.max_retry_after)
        return self.backoff(attempt)


class SourceError(RuntimeError):
    """A source answered with an error that retrying will not fix, or kept failing."""


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: an integer or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def send_with_retries(
    client: httpx.Client,
    build: Callable[[], httpx.Request],
    *,
    policy: RetryPolicy,
    stats: FetchStats,
    sleep: Callable[[float], None] = time.sleep,
) -> httpx.Response:
    """Send a request, retrying 429/5xx and transport errors; other answers are returned as they are."""
    for attempt in range(1, policy.max_attempts + 1):
        request = build()
        stats.requests += 1
        try:
            response = client.send(request)
        except httpx.TransportError as error:
            if attempt == policy.max_attempts:
                raise SourceError(f"{request.method} {request.url.path}: {type(error).__name__}") from error
            stats.count_retry(type(error).__name__)
            sleep(policy.backoff(attempt))
            continue
        if response.status_code not in RETRYABLE_STATUSES:
            return response
        if attempt == policy.max_attempts:
            raise SourceError(
                f"{request.method} {request.url.path}: HTTP {response.status_code} after {attempt} tries"
            )
        stats.count_retry(str(response.status_code))
        delay = policy.delay_for(response, attempt)
        log.info("HTTP %s on %s, retrying in %.2fs", response.status_code, request.url.path, delay)
        sleep(delay)
    raise AssertionError("unreachable")


def json_body(response: httpx.Response) -> Any:
    """The JSON body of a successful answer; a clear error otherwise."""
    if response.status_code >= 400:
        raise SourceError(
            f"{response.request.method} {response.request.url.path}: HTTP {response.status_code}"
        )
    try:
        return response.json()
    except ValueError as error:
        raise SourceError(f"{response.request.url.path}: the answer is not JSON") from error
