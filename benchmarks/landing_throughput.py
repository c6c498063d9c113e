"""Landing throughput: both source systems from the simulator over HTTP into PostgreSQL (records per second).

Usage: python -m benchmarks.landing_throughput [--scale 100000] [--faults none|demo|heavy]
Uses WAREHOUSE_URL when set, else a new database on the local server (127.0.0.1:5432), else an embedded one.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import dagster as dg

from assets.raw_egov import egov_case
from assets.raw_newsys import newsys_case, newsys_official, newsys_procedure, newsys_unit
from resources.egov_client import EgovClient
from resources.embedded_postgres import sqlalchemy_url
from resources.newsys_client import NewsysClient
from resources.settings import PipelineSettings
from resources.warehouse import WarehouseResource
from simulator.faults import Faults
from simulator.server import SimulatorServers
from simulator.world import generate_world
from tests.pg import create_database, drop_database, server_uri

RAW_ASSETS = [newsys_case, newsys_official, newsys_procedure, newsys_unit, egov_case]


def main() -> None:
    """Generate, serve, land twice (first load, then a no-change re-run) and print figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--faults", choices=("none", "demo", "heavy"), default="none")
    args = parser.parse_args()
    admin = server_uri(Path(tempfile.mkdtemp()) / "pg")
    database = create_database(admin)
    warehouse = WarehouseResource(url=sqlalchemy_url(admin, database))
    started = time.perf_counter()
    world = generate_world(scale=args.scale, seed=7)
    print(f"generate scale {args.scale}: {time.perf_counter() - started:.1f}s")
    faults = getattr(Faults, args.faults)()
    faults.rate_concurrent_update = 0.0
    try:
        with SimulatorServers(world, faults=faults) as servers:
            resources = {
                "warehouse": warehouse,
                "egov": EgovClient(base_url=servers.egov_url, api_key="demo-egov-key"),
                "newsys": NewsysClient(
                    base_url=servers.newsys_url, client_id="egov-sync", client_secret="demo-secret"
                ),
                "settings": PipelineSettings(pii_hash_key="benchmark"),
            }
            for label in ("first load", "re-run, no change"):
                started = time.perf_counter()
                result = dg.materialize(RAW_ASSETS, resources=resources)
                seconds = time.perf_counter() - started
                fetched = sum(
                    event.materialization.metadata["rows_fetched"].value
                    for event in result.get_asset_materialization_events()
                )
                print(f"{label}: {fetched} records in {seconds:.1f}s = {fetched / seconds:,.0f} records/s")
    finally:
        drop_database(admin, database)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak client memory (simulator included): {peak_mib:,.0f} MiB")


if __name__ == "__main__":
    main()
