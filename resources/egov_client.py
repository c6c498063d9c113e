"""Client of the legacy Egov API (`/api/v1/hoso`): API-key auth and offset paging."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
from pydantic import Field

from core.timefmt import format_egov
from resources.http_retry import FetchStats, SourceError, Target, final_error, send_with_retries
from resources.paging import OffsetPaginator, Validator, iter_pages
from resources.source_client import SourceClient

CASES_PATH = "/api/v1/hoso"


class EgovClient(SourceClient):
    """Read-only access to Egov (`EGOV_BASE_URL`, `EGOV_API_KEY`)."""

    api_key: str = Field(description="Egov API key (secret, sent as X-API-Key).")
    page_size: int = Field(default=500, ge=1, le=500)

    def iter_case_pages(self, updated_from: datetime | None, stats: FetchStats) -> Iterator[list[Any]]:
        """Pages of case records with `ngayCapNhat >= updated_from` (all when None), in id order."""
        params: dict[str, Any] = {}
        if updated_from is not None:
            params["capNhatTu"] = format_egov(updated_from)
        policy, limits = self.retry_policy(), self.answer_limits()
        with httpx.Client(base_url=self.base_url, timeout=self.timeout_seconds) as client:

            def get_page(page_params: dict[str, Any], target: Target, validate: Validator) -> Any:
                answer = send_with_retries(
                    client,
                    lambda: client.build_request(
                        "GET", CASES_PATH, params=page_params, headers={"X-API-Key": self.api_key}
                    ),
                    target=target,
                    policy=policy,
                    stats=stats,
                    validate=lambda body: validate(body, page_params),
                    limits=limits,
                )
                if answer.status == 401:
                    raise SourceError(target, "HTTP 401", "Egov rejected the API key: check EGOV_API_KEY")
                if answer.status >= 300:
                    raise final_error(target, answer)
                return answer.body

            yield from iter_pages(
                get_page, Target("egov", "GET", CASES_PATH), params, OffsetPaginator(self.page_size), stats
            )
