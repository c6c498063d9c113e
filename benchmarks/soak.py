"""Soak: land both sources from a simulator that faults 5% of requests, then compare counts with its truth.

Usage: python -m benchmarks.soak [--scale 1000000]
The simulator runs in its own process with the `soak` faults (429, 5xx, dropped connections, HTML and
truncated 200s, bodies cut mid-stream, hung answers, expired tokens). Prints wall time, retries by cause,
the simulator's fault counts and the pipeline's peak memory; exits non-zero when a count differs.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import dagster as dg
import httpx
from sqlalchemy import text

from benchmarks.landing_throughput import RAW_ASSETS, simulator_process
from resources.egov_client import EgovClient
from resources.embedded_postgres import sqlalchemy_url
from resources.http_retry import FetchStats
from resources.newsys_client import NewsysClient
from resources.scratch_databases import create_database, drop_database, server_uri
from resources.settings import PipelineSettings
from resources.warehouse import WarehouseResource

CLIENT_FIELDS = {"timeout_seconds": 10.0, "backoff_seconds": 0.05, "max_backoff_seconds": 1.0}
LANDED = {
    ("egov", "case"): "raw.egov_case",
    ("newsys", "case"): "raw.newsys_case",
    ("newsys", "official"): "raw.newsys_official",
    ("newsys", "procedure"): "raw.newsys_procedure",
    ("newsys", "unit"): "raw.newsys_unit",
}


def source_truth(newsys_url: str, newsys: NewsysClient) -> dict[tuple[str, str], int]:
    """How many records each entity holds at the source (cases from the simulator's status)."""
    status = httpx.get(newsys_url + "/_sim/status", timeout=30).json()
    stats = FetchStats()
    return {
        ("egov", "case"): status["egov_records"],
        ("newsys", "case"): status["newsys_records"],
        ("newsys", "official"): sum(len(page) for page in newsys.iter_official_pages(stats)),
        ("newsys", "procedure"): len(newsys.procedures(stats)),
        ("newsys", "unit"): len(newsys.units(stats)),
    }


def warehouse_counts(warehouse: WarehouseResource) -> dict[tuple[str, str], int]:
    """Landed plus open quarantined records per entity."""
    counts = {}
    with warehouse.begin() as conn:
        for (source, entity), table in LANDED.items():
            landed = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            bad = conn.execute(
                text(
                    "SELECT count(*) FROM raw.quarantine "
                    "WHERE source = :s AND entity = :e AND resolved_at IS NULL"
                ),
                {"s": source, "e": entity},
            ).scalar_one()
            counts[(source, entity)] = landed + bad
    return counts


def main() -> int:
    """Generate, serve with faults, land once, compare; print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=1_000_000)
    args = parser.parse_args()
    admin = server_uri(Path(tempfile.mkdtemp()) / "pg")
    database = create_database(admin)
    warehouse = WarehouseResource(url=sqlalchemy_url(admin, database))
    try:
        with simulator_process(args.scale, "soak") as (egov_url, newsys_url):
            egov = EgovClient(base_url=egov_url, api_key="demo-egov-key", **CLIENT_FIELDS)
            newsys = NewsysClient(
                base_url=newsys_url, client_id="egov-sync", client_secret="demo-secret", **CLIENT_FIELDS
            )
            resources = {
                "warehouse": warehouse,
                "egov": egov,
                "newsys": newsys,
                "settings": PipelineSettings(pii_hash_key="soak"),
            }
            started = time.perf_counter()
            result = dg.materialize(RAW_ASSETS, resources=resources, raise_on_error=False)
            seconds = time.perf_counter() - started
            causes: dict[str, int] = {}
            requests = 0
            for event in result.get_asset_materialization_events():
                metadata = event.materialization.metadata
                requests += metadata["requests"].value
                for cause, n in metadata["retry_causes"].value.items():
                    causes[cause] = causes.get(cause, 0) + n
            injected = httpx.get(newsys_url + "/_sim/status", timeout=30).json()["stats"]
            truth = source_truth(newsys_url, newsys)
        counts = warehouse_counts(warehouse)
    finally:
        drop_database(admin, database)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"run {'succeeded' if result.success else 'FAILED'}; landing wall time {seconds:.1f}s")
    print(f"requests {requests}, retries {sum(causes.values())} by cause: {dict(sorted(causes.items()))}")
    print(f"simulator injected: {injected}")
    exact = True
    for key, expected in truth.items():
        got = counts[key]
        exact &= got == expected
        print(f"{key[0]}/{key[1]:10} source {expected:>9}  landed+quarantined {got:>9}  "
              f"{'ok' if got == expected else 'DIFFERENT'}")
    print(f"peak pipeline process memory: {peak_mib:,.0f} MiB")
    return 0 if result.success and exact else 1


if __name__ == "__main__":
    sys.exit(main())
