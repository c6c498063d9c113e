"""What every source client is configured with: where the API is, and how long and how often to try."""

from __future__ import annotations

import dagster as dg
from pydantic import Field

from resources.http_retry import RetryPolicy


class SourceClient(dg.ConfigurableResource):
    """The base URL, timeout and retry settings shared by the Egov and new-system clients."""

    base_url: str = Field(description="Base URL of the API.")
    timeout_seconds: float = Field(default=30.0, description="Connect and read timeout of one request.")
    max_attempts: int = Field(default=8, ge=1, description="Tries of one request before it fails the read.")
    backoff_seconds: float = Field(default=0.25, ge=0, description="First retry delay; doubles each retry.")
    max_backoff_seconds: float = Field(default=30.0, ge=0, description="Longest retry delay.")

    def retry_policy(self) -> RetryPolicy:
        """The retry policy these fields configure."""
        return RetryPolicy(self.max_attempts, self.backoff_seconds, self.max_backoff_seconds)
