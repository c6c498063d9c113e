"""A small world served over HTTP with chosen faults, and clients configured to retry quickly."""

from __future__ import annotations

from typing import Any

import dagster as dg

from resources.egov_client import EgovClient
from resources.newsys_client import NewsysClient
from resources.settings import PipelineSettings
from resources.warehouse import WarehouseResource
from simulator.server import SimulatorServers
from tests.integration.test_landing import RAW_ASSETS
from tests.sync_env import CREDENTIALS, PII_KEY

SCALE = 400
FAST_RETRY = {"timeout_seconds": 0.5, "backoff_seconds": 0.01, "max_backoff_seconds": 0.05}


def fast_resources(
    servers: SimulatorServers, warehouse: WarehouseResource, **client_fields: Any
) -> dict[str, Any]:
    """The raw assets' resources pointed at the simulator, with short timeouts and backoff."""
    fields = FAST_RETRY | client_fields
    return {
        "warehouse": warehouse,
        "egov": EgovClient(
            base_url=servers.egov_url, api_key=CREDENTIALS["EGOV_API_KEY"], page_size=100, **fields
        ),
        "newsys": NewsysClient(
            base_url=servers.newsys_url,
            client_id=CREDENTIALS["NEWSYS_CLIENT_ID"],
            client_secret=CREDENTIALS["NEWSYS_CLIENT_SECRET"],
            page_limit=60,
            **fields,
        ),
        "settings": PipelineSettings(pii_hash_key=PII_KEY),
    }


def land(resources: dict[str, Any]) -> dg.ExecuteInProcessResult:
    """One in-process run of every raw landing asset, on an instance that keeps its event log."""
    return dg.materialize(
        RAW_ASSETS, resources=resources, raise_on_error=False, instance=dg.DagsterInstance.ephemeral()
    )


def retry_causes(result: dg.ExecuteInProcessResult) -> dict[str, int]:
    """Retries by cause, summed over every asset the run materialised."""
    causes: dict[str, int] = {}
    for event in result.get_asset_materialization_events():
        for cause, n in event.materialization.metadata["retry_causes"].value.items():
            causes[cause] = causes.get(cause, 0) + n
    return causes
