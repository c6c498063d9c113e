"""Client of the new provincial TTHC API (v2): OAuth2 client credentials, cursor paging, change events."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from pydantic import Field

from core.timefmt import format_newsys
from resources.http_retry import (
    Answer,
    AnswerLimits,
    FetchStats,
    InvalidAnswer,
    RetryPolicy,
    SourceError,
    Target,
    final_error,
    send_with_retries,
)
from resources.paging import CursorPaginator, Validator, at_most_asked, item_list, iter_pages
from resources.source_client import SourceClient

TOKEN_PATH = "/oauth2/token"
TICK_POLICY = RetryPolicy(max_attempts=3, base_delay=0.25, max_delay=2.0, max_retry_after=5.0)
TICK_TIMEOUT_SECONDS = 10.0


class EventsGone(SourceError):
    """The events cursor is older than the oldest kept event (HTTP 410)."""


@dataclass
class EventsPage:
    """One answer of `/api/v2/events`."""

    events: list[dict[str, Any]]
    last_seq: int


def events_page(body: Any, params: dict[str, Any]) -> Any:
    """An events answer: an `events` list of at most `limit` events and an integer `last_seq`."""
    if not isinstance(body, dict) or not isinstance(body.get("events"), list):
        raise InvalidAnswer("the answer has no `events` list")
    at_most_asked(body["events"], params, "limit")
    last_seq = body.get("last_seq")
    if last_seq is not None and (not isinstance(last_seq, int) or isinstance(last_seq, bool)):
        raise InvalidAnswer("the answer's `last_seq` is not an integer")
    return body


def token_answer(body: Any, params: dict[str, Any]) -> Any:
    """A token answer: a non-empty `access_token` string."""
    token = body.get("access_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        raise InvalidAnswer("the token answer has no access_token")
    return body


@dataclass
class NewsysSession:
    """An authenticated conversation with the new system; refreshes its token once on a 401."""

    client: httpx.Client
    client_id: str
    client_secret: str = field(repr=False)
    policy: RetryPolicy
    stats: FetchStats
    limits: AnswerLimits = field(default_factory=AnswerLimits)
    token: str | None = field(default=None, init=False, repr=False)

    def get(
        self,
        params: dict[str, Any],
        target: Target,
        validate: Validator,
        *,
        allow: frozenset[int] = frozenset(),
    ) -> Any:
        """GET a validated JSON body; a status in `allow` is returned as its Answer, others are errors."""
        answer = self._get(target, params, validate)
        if answer.status == 401:
            self.stats.token_refreshes += 1
            self.token = None
            answer = self._get(target, params, validate)
            if answer.status == 401:
                raise final_error(target, answer, "HTTP 401 again with a fresh token")
        if answer.status in allow:
            return answer
        if answer.status >= 300:
            raise final_error(target, answer)
        return answer.body

    def _get(self, target: Target, params: dict[str, Any], validate: Validator) -> Answer:
        """One GET with the current token, retried on transient failures."""
        token = self._bearer_token()
        return send_with_retries(
            self.client,
            lambda: self.client.build_request(
                "GET", target.path, params=params, headers={"Authorization": f"Bearer {token}"}
            ),
            target=target,
            policy=self.policy,
            stats=self.stats,
            validate=lambda body: validate(body, params),
            limits=self.limits,
        )

    def _bearer_token(self) -> str:
        """The cached access token, fetched with the client credentials when missing."""
        if self.token is None:
            form = {
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
            }
            target = Target("newsys", "POST", TOKEN_PATH)
            answer = send_with_retries(
                self.client,
                lambda: self.client.build_request("POST", TOKEN_PATH, data=form),
                target=target,
                policy=self.policy,
                stats=self.stats,
                validate=lambda body: token_answer(body, {}),
                limits=self.limits,
            )
            if answer.status in (400, 401):
                hint = "the new system refused the client credentials: check NEWSYS_CLIENT_ID/SECRET"
                raise final_error(target, answer, hint)
            if answer.status >= 300:
                raise final_error(target, answer)
            self.token = answer.body["access_token"]
        return self.token


class NewsysClient(SourceClient):
    """Read-only access to the new system (`NEWSYS_BASE_URL`, `NEWSYS_CLIENT_ID`, `NEWSYS_CLIENT_SECRET`)."""

    client_id: str = Field(description="OAuth2 client id.")
    client_secret: str = Field(description="OAuth2 client secret (secret).")
    page_limit: int = Field(default=1000, ge=1, le=1000)

    @contextmanager
    def session(
        self, stats: FetchStats | None = None, *, short: bool = False
    ) -> Iterator[NewsysSession]:
        """An authenticated session over one HTTP connection pool; `short` retries briefly, to fit in a
        sensor's tick (TICK_POLICY, TICK_TIMEOUT_SECONDS)."""
        policy = TICK_POLICY if short else self.retry_policy()
        timeout = min(self.timeout_seconds, TICK_TIMEOUT_SECONDS) if short else self.timeout_seconds
        with httpx.Client(base_url=self.base_url, timeout=timeout) as client:
            yield NewsysSession(
                client, self.client_id, self.client_secret, policy, stats or FetchStats(),
                self.answer_limits(),
            )

    def iter_case_pages(self, updated_since: datetime | None, stats: FetchStats) -> Iterator[list[Any]]:
        """Pages of the case feed from `updated_since` (inclusive), in (NgayCapNhat, MaHoSo) order."""
        params: dict[str, Any] = {"limit": self.page_limit}
        if updated_since is not None:
            params["updated_since"] = format_newsys(updated_since)
        yield from self._cursor_pages("/api/v2/cases", params, stats)

    def iter_official_pages(self, stats: FetchStats) -> Iterator[list[Any]]:
        """Pages of every official's account."""
        yield from self._cursor_pages("/api/v2/officials", {"limit": self.page_limit}, stats)

    def procedures(self, stats: FetchStats) -> list[Any]:
        """The procedure catalogue (one page)."""
        return self._single_page("/api/v2/procedures", stats)

    def units(self, stats: FetchStats) -> list[Any]:
        """The units with their successors (one page)."""
        return self._single_page("/api/v2/units", stats)

    def events(self, after: int, limit: int = 500) -> EventsPage:
        """Change notifications after `after` (retried briefly: a sensor reads them within its tick); raises
        EventsGone when they are no longer kept."""
        target = Target("newsys", "GET", "/api/v2/events", f"after {after}")
        with self.session(short=True) as session:
            params = {"after": after, "limit": limit}
            answer = session.get(params, target, events_page, allow=frozenset({410}))
        if isinstance(answer, Answer):
            raise EventsGone(target, "HTTP 410", f"events after {after} are no longer kept")
        return EventsPage(events=answer["events"], last_seq=int(answer.get("last_seq") or after))

    def _cursor_pages(self, path: str, params: dict[str, Any], stats: FetchStats) -> Iterator[list[Any]]:
        """Follow `next_cursor` to the end of a feed, one page at a time."""
        with self.session(stats) as session:
            target = Target("newsys", "GET", path)
            yield from iter_pages(session.get, target, params, CursorPaginator(), stats)

    def _single_page(self, path: str, stats: FetchStats) -> list[Any]:
        """A one-page list resource."""
        with self.session(stats) as session:
            body = session.get({}, Target("newsys", "GET", path), item_list)
        stats.pages += 1
        return body["items"]
