"""Running the project's real Dagster job against simulator servers, for integration and end-to-end tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg

PII_KEY = "test-pii-hash-key-of-at-least-32-bytes"
AS_OF = datetime(2026, 11, 15, 9, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
CREDENTIALS = {
    "EGOV_API_KEY": "demo-egov-key",
    "NEWSYS_CLIENT_ID": "egov-sync",
    "NEWSYS_CLIENT_SECRET": "demo-secret",
}


@contextmanager
def simulator_environment(servers: object, warehouse_url: str, pii_key: str = PII_KEY) -> Iterator[None]:
    """Point the contract's environment variables at the simulator and a warehouse, restoring them after."""
    values = CREDENTIALS | {
        "EGOV_BASE_URL": servers.egov_url,  # type: ignore[attr-defined]
        "NEWSYS_BASE_URL": servers.newsys_url,  # type: ignore[attr-defined]
        "WAREHOUSE_URL": warehouse_url,
        "PII_HASH_KEY": pii_key,
    }
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_nightly_job(
    as_of: datetime = AS_OF, instance: dg.DagsterInstance | None = None
) -> dg.ExecuteInProcessResult:
    """One in-process run of the nightly job over every indicator month, as `egov-sync materialize` does."""
    from pipelines.definitions import defs
    from pipelines.run_tags import full_range_run_tags

    job = defs.resolve_job_def("nightly_sync")
    return job.execute_in_process(
        instance=instance or dg.DagsterInstance.ephemeral(),
        tags=full_range_run_tags(as_of),
        raise_on_error=False,
    )
