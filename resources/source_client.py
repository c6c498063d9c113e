"""What every source client is configured with: where the API is, and how long and how often to try."""

from __future__ import annotations

import dagster as dg
from pydantic import Field

from resources.http_retry import MIB, AnswerLimits, RetryPolicy


class SourceClient(dg.ConfigurableResource):
    """The base URL, timeout, retries and answer size limits shared by the Egov and new-system clients."""

    base_url: str = Field(description="Base URL of the API.")
    timeout_seconds: float = Field(default=30.0, description="Connect and read timeout of one request.")
    max_attempts: int = Field(default=8, ge=1, description="Tries of one request before it fails the read.")
    backoff_seconds: float = Field(default=0.25, ge=0, description="First retry delay; doubles each retry.")
    max_backoff_seconds: float = Field(default=30.0, ge=0, description="Longest retry delay.")
    max_answer_bytes: int = Field(
        default=32 * MIB, ge=1024,
        description="Largest answer read, decoded (after gzip or deflate); a larger one fails the read at "
        "once. A page of 1,000 simulated cases is about 1.5 MB.",
    )  # fmt: skip
    max_transfer_bytes: int = Field(
        default=32 * MIB, ge=1024,
        description="Largest answer read as transferred (before decompression); a larger one fails the read.",
    )  # fmt: skip

    def retry_policy(self) -> RetryPolicy:
        """The retry policy these fields configure."""
        return RetryPolicy(self.max_attempts, self.backoff_seconds, self.max_backoff_seconds)

    def answer_limits(self) -> AnswerLimits:
        """The largest answer these fields allow, as transferred and decoded."""
        return AnswerLimits(self.max_transfer_bytes, self.max_answer_bytes)
