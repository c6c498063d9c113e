"""Landing throughput: both source systems from the simulator over HTTP into PostgreSQL (records per second).

Usage: python -m benchmarks.landing_throughput [--scale 100000] [--faults none|demo|heavy]
The simulator runs in its own process (as a real source would); the warehouse is a new database on the local
server (127.0.0.1:5432) when it answers, else an embedded one.
"""

from __future__ import annotations

import argparse
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import httpx

from assets.raw import egov_case, newsys_case, newsys_official, newsys_procedure, newsys_unit
from resources.egov_client import EgovClient
from resources.embedded_postgres import sqlalchemy_url
from resources.newsys_client import NewsysClient
from resources.scratch_databases import create_database, drop_database, server_uri
from resources.settings import PipelineSettings
from resources.warehouse import WarehouseResource

RAW_ASSETS = [newsys_case, newsys_official, newsys_procedure, newsys_unit, egov_case]
WORLD_NOW = "2026-11-01"


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def simulator_process(scale: int, faults: str) -> Iterator[tuple[str, str]]:
    """`python -m simulator` (its world ending at WORLD_NOW) in a child process; yields both base URLs."""
    egov_port, newsys_port = free_port(), free_port()
    command = [
        sys.executable,
        "-m",
        "simulator",
        "--scale",
        str(scale),
        "--faults",
        faults,
        "--now",
        WORLD_NOW,
        "--egov-port",
        str(egov_port),
        "--newsys-port",
        str(newsys_port),
    ]
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    urls = (f"http://127.0.0.1:{egov_port}", f"http://127.0.0.1:{newsys_port}")
    try:
        while True:
            if child.poll() is not None:
                raise RuntimeError("the simulator exited before serving")
            try:
                httpx.get(urls[1] + "/api/v2/units", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        print(f"simulator scale {scale} generated and serving in {time.perf_counter() - started:.1f}s")
        yield urls
    finally:
        child.terminate()
        child.wait(timeout=10)


def main() -> None:
    """Generate, serve, land twice (first load, then a no-change re-run) and print figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--faults", choices=("none", "demo", "heavy"), default="none")
    args = parser.parse_args()
    admin = server_uri(Path(tempfile.mkdtemp()) / "pg")
    database = create_database(admin)
    warehouse = WarehouseResource(url=sqlalchemy_url(admin, database))
    try:
        with simulator_process(args.scale, args.faults) as (egov_url, newsys_url):
            resources = {
                "warehouse": warehouse,
                "egov": EgovClient(base_url=egov_url, api_key="demo-egov-key"),
                "newsys": NewsysClient(
                    base_url=newsys_url, client_id="egov-sync", client_secret="demo-secret"
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
    print(f"peak pipeline process memory: {peak_mib:,.0f} MiB")


if __name__ == "__main__":
    main()
