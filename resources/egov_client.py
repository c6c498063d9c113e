"""Client of the legacy Egov API (`/api/v1/hoso`): API-key auth and offset paging."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import dagster as dg
import httpx
from pydantic import Field

from core.timefmt import format_egov
from resources.http_retry import FetchStats, RetryPolicy, SourceError, json_body, send_with_retries


class EgovClient(dg.ConfigurableResource):
    """Read-only access to Egov (`EGOV_BASE_URL`, `EGOV_API_KEY`)."""

    base_url: str = Field(description="Base URL of the Egov API.")
    api_key: str = Field(description="Egov API key (secret, sent as X-API-Key).")
    page_size: int = Field(default=500, ge=1, le=500)
    timeout_seconds: float = 30.0
    max_attempts: int = 8

    def iter_case_pages(self, updated_from: datetime | None, stats: FetchStats) -> Iterator[list[Any]]:
        """Pages of case records with `ngayCapNhat >= updated_from` (all when None), in id order."""
        policy = RetryPolicy(max_attempts=self.max_attempts)
        with httpx.Client(base_url=self.base_url, timeout=self.timeout_seconds) as client:
            page = 1
            while True:
                params: dict[str, Any] = {"page": page, "pageSize": self.page_size}
                if updated_from is not None:
                    params["capNhatTu"] = format_egov(updated_from)
                response = send_with_retries(
                    client,
                    lambda params=params: client.build_request(
                        "GET", "/api/v1/hoso", params=params, headers={"X-API-Key": self.api_key}
                    ),
                    policy=policy,
                    stats=stats,
                )
                if response.status_code == 401:
                    raise SourceError("Egov rejected the API key (HTTP 401): check EGOV_API_KEY")
                records = _records_of(json_body(response))
                if not records:
                    return
                stats.pages += 1
                yield records
                page += 1


def _records_of(body: Any) -> list[Any]:
    """The `duLieu` list of a page, or a clear error when the page is malformed."""
    if not isinstance(body, dict) or not isinstance(body.get("duLieu"), list):
        raise SourceError("Egov answered a page without a `duLieu` list")
    return body["duLieu"]
