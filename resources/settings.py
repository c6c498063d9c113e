"""Run settings shared by the assets: cutover, pseudonymisation key, data folder, the Data Docs site."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import dagster as dg
from pydantic import Field

from core.environment import DEFAULT_CUTOVER_AT, read_environment

__all__ = [
    "DEFAULT_CUTOVER_AT", "PipelineSettings", "data_dir", "data_docs_dir", "data_docs_keep_days",
    "data_docs_url", "reports_dir",
]


def data_dir() -> Path:
    """The project's data folder (`EGOV_SYNC_DATA_DIR`, default `.data/` at the project root)."""
    path = read_environment().data_dir
    path.mkdir(parents=True, exist_ok=True)
    return path


def reports_dir() -> Path:
    """Where the monthly report is written (`EGOV_SYNC_REPORT_DIR`, default `reports/` in the data folder)."""
    path = read_environment().report_dir or data_dir() / "reports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_docs_dir() -> Path:
    """Where the Data Docs site is published, the folder a web server serves (`EGOV_SYNC_DATA_DOCS_DIR`,
    default `gx/` in the data folder)."""
    return read_environment().data_docs_dir or data_dir() / "gx"


def data_docs_url() -> str | None:
    """The http(s) address that folder is served at (`EGOV_SYNC_DATA_DOCS_URL`), or None when not served."""
    return read_environment().data_docs_url


def data_docs_keep_days() -> int:
    """Days a validation page is kept (`EGOV_SYNC_DATA_DOCS_KEEP_DAYS`, default 30); each suite's newest
    page stays whatever its age."""
    return read_environment().data_docs_keep_days


class PipelineSettings(dg.ConfigurableResource):
    """Business settings: `CUTOVER_AT` and the secret `PII_HASH_KEY`."""

    cutover_at: str = Field(
        default=DEFAULT_CUTOVER_AT, description="Start of service on the new system (ISO 8601)."
    )
    pii_hash_key: str = Field(description="Secret key of the applicant-id HMAC (never logged).")

    def cutover(self) -> datetime:
        """The cutover instant as an aware datetime."""
        moment = datetime.fromisoformat(self.cutover_at)
        if moment.tzinfo is None:
            raise ValueError("CUTOVER_AT must carry a UTC offset, e.g. 2024-12-24T00:00:00+07:00")
        return moment
