"""Run settings shared by the assets: cutover, pseudonymisation key, data folder, the Data Docs site."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import dagster as dg
from pydantic import Field

DEFAULT_CUTOVER_AT = "2024-12-24T00:00:00+07:00"
DEFAULT_DATA_DOCS_KEEP_DAYS = 30
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """The project's data folder (`EGOV_SYNC_DATA_DIR`, default `.data/` at the project root)."""
    path = Path(os.environ.get("EGOV_SYNC_DATA_DIR") or PROJECT_ROOT / ".data")
    path.mkdir(parents=True, exist_ok=True)
    return path


def reports_dir() -> Path:
    """Where the monthly report is written (`EGOV_SYNC_REPORT_DIR`, default `reports/` in the data folder)."""
    configured = os.environ.get("EGOV_SYNC_REPORT_DIR")
    path = Path(configured) if configured else data_dir() / "reports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_docs_dir() -> Path:
    """Where the Data Docs site is published, the folder a web server serves (`EGOV_SYNC_DATA_DOCS_DIR`,
    default `gx/` in the data folder)."""
    configured = os.environ.get("EGOV_SYNC_DATA_DOCS_DIR")
    return Path(configured) if configured else data_dir() / "gx"


def data_docs_url() -> str | None:
    """The http(s) address that folder is served at (`EGOV_SYNC_DATA_DOCS_URL`), or None when not served."""
    url = os.environ.get("EGOV_SYNC_DATA_DOCS_URL") or None
    if url is not None and urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"EGOV_SYNC_DATA_DOCS_URL must be an http:// or https:// address, not {url!r}")
    return url


def data_docs_keep_days() -> int:
    """Days a validation page is kept (`EGOV_SYNC_DATA_DOCS_KEEP_DAYS`, default 30); each suite's newest
    page stays whatever its age."""
    text = os.environ.get("EGOV_SYNC_DATA_DOCS_KEEP_DAYS") or str(DEFAULT_DATA_DOCS_KEEP_DAYS)
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"EGOV_SYNC_DATA_DOCS_KEEP_DAYS must be a number of days (1 or more), not {text!r}")
    return int(text)


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
