"""Client of the new provincial TTHC API (v2): OAuth2 client credentials, cursor paging, change events."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import dagster as dg
import httpx
from pydantic import Field

from core.timefmt import format_newsys
from resources.http_retry import FetchStats, RetryPolicy, SourceError, json_body, send_with_retries


class EventsGone(SourceError):
    """The events cursor is older than the oldest kept event (HTTP 410)."""


@dataclass
class EventsPage:
    """One answer of `/api/v2/events`."""

    events: list[dict[str, Any]]
    last_seq: int


class NewsysSession:
    """An authenticated conversation with the new system; refreshes its token once on a 401."""

    def __init__(
        self, client: httpx.Client, client_id: str, client_secret: str, policy: RetryPolicy, stats: FetchStats
    ) -> None:
        self._client = client
        self._client_id = client_id
        self._client_secret = client_secret
        self._policy = policy
        self.stats = stats
        self._token: str | None = None

    def get_json(self, path: str, params: dict[str, Any], *, allow: frozenset[int] = frozenset()) -> Any:
        """GET a JSON resource; statuses in `allow` are returned as `httpx.Response` instead."""
        response = self._get(path, params)
        if response.status_code == 401:
            self.stats.token_refreshes += 1
            self._token = None
            response = self._get(path, params)
            if response.status_code == 401:
                raise SourceError(f"GET {path}: HTTP 401 again with a fresh token")
        if response.status_code in allow:
            return response
        return json_body(response)

    def _get(self, path: str, params: dict[str, Any]) -> httpx.Response:
        """One GET with the current token, retried on transient failures."""
        token = self._bearer_token()
        return send_with_retries(
            self._client,
            lambda: self._client.build_request(
                "GET", path, params=params, headers={"Authorization": f"Bearer {token}"}
            ),
            policy=self._policy,
            stats=self.stats,
        )

    def _bearer_token(self) -> str:
        """The cached access token, fetched with the client credentials when missing."""
        if self._token is None:
            form = {
                "grant_type": "client_credentials",
                "client_id": self._client_id,
                "client_secret": self._client_secret,
            }
            response = send_with_retries(
                self._client,
                lambda: self._client.build_request("POST", "/oauth2/token", data=form),
                policy=self._policy,
                stats=self.stats,
            )
            if response.status_code in (400, 401):
                raise SourceError(
                    "the new system refused the client credentials: check NEWSYS_CLIENT_ID/SECRET"
                )
            body = json_body(response)
            if not isinstance(body, dict) or not body.get("access_token"):
                raise SourceError("the token endpoint answered without an access_token")
            self._token = str(body["access_token"])
        return self._token


class NewsysClient(dg.ConfigurableResource):
    """Read-only access to the new system (`NEWSYS_BASE_URL`, `NEWSYS_CLIENT_ID`, `NEWSYS_CLIENT_SECRET`)."""

    base_url: str = Field(description="Base URL of the new system's API.")
    client_id: str = Field(description="OAuth2 client id.")
    client_secret: str = Field(description="OAuth2 client secret (secret).")
    page_limit: int = Field(default=1000, ge=1, le=1000)
    timeout_seconds: float = 30.0
    max_attempts: int = 8

    @contextmanager
    def session(self, stats: FetchStats | None = None) -> Iterator[NewsysSession]:
        """An authenticated session over one HTTP connection pool."""
        policy = RetryPolicy(max_attempts=self.max_attempts)
        with httpx.Client(base_url=self.base_url, timeout=self.timeout_seconds) as client:
            yield NewsysSession(client, self.client_id, self.client_secret, policy, stats or FetchStats())

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
        """Change notifications after `after`; raises EventsGone when they are no longer kept."""
        with self.session() as session:
            answer = session.get_json(
                "/api/v2/events", {"after": after, "limit": limit}, allow=frozenset({410})
            )
        if isinstance(answer, httpx.Response):
            raise EventsGone(f"events after {after} are no longer kept (HTTP 410)")
        if not isinstance(answer, dict) or not isinstance(answer.get("events"), list):
            raise SourceError("the events answer has no `events` list")
        return EventsPage(events=answer["events"], last_seq=int(answer.get("last_seq") or after))

    def _cursor_pages(self, path: str, params: dict[str, Any], stats: FetchStats) -> Iterator[list[Any]]:
        """Follow `next_cursor` to the end of a feed, one page at a time."""
        with self.session(stats) as session:
            cursor: str | None = None
            while True:
                page_params = dict(params, cursor=cursor) if cursor else dict(params)
                body = session.get_json(path, page_params)
                if not isinstance(body, dict) or not isinstance(body.get("items"), list):
                    raise SourceError(f"{path} answered a page without an `items` list")
                stats.pages += 1
                if body["items"]:
                    yield body["items"]
                cursor = body.get("next_cursor")
                if not cursor:
                    return

    def _single_page(self, path: str, stats: FetchStats) -> list[Any]:
        """A one-page list resource."""
        with self.session(stats) as session:
            body = session.get_json(path, {})
        if not isinstance(body, dict) or not isinstance(body.get("items"), list):
            raise SourceError(f"{path} answered without an `items` list")
        stats.pages += 1
        return body["items"]
