"""The project's resources, configured from the environment (secrets through `EnvVar`, never in code)."""

from __future__ import annotations

import os
from typing import Any

import dagster as dg

from resources.alerting import AlertingResource
from resources.egov_client import EgovClient
from resources.newsys_client import NewsysClient
from resources.settings import DEFAULT_CUTOVER_AT, PipelineSettings
from resources.warehouse import WarehouseResource


def _optional(name: str, default: Any) -> Any:
    """`EnvVar(name)` when the variable is set, else the default."""
    return dg.EnvVar(name) if os.environ.get(name) else default


def build_resources() -> dict[str, Any]:
    """Resources by key, as the assets, checks and sensors expect them."""
    return {
        "warehouse": WarehouseResource(url=dg.EnvVar("WAREHOUSE_URL")),
        "egov": EgovClient(base_url=dg.EnvVar("EGOV_BASE_URL"), api_key=dg.EnvVar("EGOV_API_KEY")),
        "newsys": NewsysClient(
            base_url=dg.EnvVar("NEWSYS_BASE_URL"),
            client_id=dg.EnvVar("NEWSYS_CLIENT_ID"),
            client_secret=dg.EnvVar("NEWSYS_CLIENT_SECRET"),
        ),
        "settings": PipelineSettings(
            cutover_at=_optional("CUTOVER_AT", DEFAULT_CUTOVER_AT), pii_hash_key=dg.EnvVar("PII_HASH_KEY")
        ),
        "alerts": AlertingResource(
            webhook_url=_optional("ALERT_WEBHOOK_URL", None), warehouse_url=dg.EnvVar("WAREHOUSE_URL")
        ),
    }
