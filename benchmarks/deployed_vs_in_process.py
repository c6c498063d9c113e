"""The nightly job launched through the deployed instance (webserver + daemon + queue, `deploy/dagster.yaml`)
vs `egov-sync materialize` (one in-process run), on the same simulated data, each into a fresh warehouse.

    python -m benchmarks.deployed_vs_in_process --scale 100000

Prints the wall time of each, and the ratio. The simulator serves from its own process with no faults, so
both runs read the same records.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.landing_throughput import simulator_process
from pipelines.run_tags import full_range_run_tags
from resources.embedded_postgres import sqlalchemy_url
from resources.scratch_databases import LOCAL_SERVER_URI, create_database, drop_database
from tests.deployed import deployed_dagster, instance_url
from tests.sync_env import CREDENTIALS

PII_KEY = "benchmark-pii-key"


def materialize_seconds(env: dict[str, str]) -> float:
    """Wall time of `egov-sync materialize` (process start to exit)."""
    command = [str(Path(sys.executable).with_name("egov-sync")), "materialize"]
    started = time.perf_counter()
    subprocess.run(command, env=os.environ | env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def deployed_seconds(env: dict[str, str], home: Path) -> tuple[float, float]:
    """Launch-to-success time of a nightly run through the webserver and the daemon; the run's own time."""
    with deployed_dagster(home, env) as dagster:
        started = time.perf_counter()
        run_id = dagster.launch("nightly_sync", full_range_run_tags(datetime.now(UTC)))
        run = dagster.wait_for_run(run_id, timeout=3600)
        elapsed = time.perf_counter() - started
        if run["status"] != "SUCCESS":
            raise RuntimeError(f"the deployed run ended {run['status']}")
        return elapsed, run["endTime"] - run["startTime"]


def main() -> None:
    """Serve the simulator, run both ways, print figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=100_000)
    args = parser.parse_args()
    names = [create_database(LOCAL_SERVER_URI) for _ in range(2)]
    instance_db = create_database(LOCAL_SERVER_URI, prefix="egov_sync_dagster")
    try:
        with (
            simulator_process(args.scale, "none") as (egov_url, newsys_url),
            tempfile.TemporaryDirectory() as tmp,
        ):
            common = CREDENTIALS | {
                "EGOV_BASE_URL": egov_url, "NEWSYS_BASE_URL": newsys_url, "PII_HASH_KEY": PII_KEY,
                "EGOV_SYNC_DATA_DIR": str(Path(tmp) / "data"),
            }
            in_process = materialize_seconds(
                common | {"WAREHOUSE_URL": sqlalchemy_url(LOCAL_SERVER_URI, names[0]),
                          "DAGSTER_HOME": str(Path(tmp) / "materialize_home")}
            )
            print(f"egov-sync materialize: {in_process:.1f}s")
            deployed, run_only = deployed_seconds(
                common | {"WAREHOUSE_URL": sqlalchemy_url(LOCAL_SERVER_URI, names[1]),
                          "DAGSTER_PG_URL": instance_url(LOCAL_SERVER_URI, instance_db)},
                Path(tmp) / "deployed_home",
            )
            print(f"through the daemon: {deployed:.1f}s launch to success (run worker {run_only:.1f}s)")
            print(f"ratio deployed / materialize: {deployed / in_process:.2f}")
    finally:
        for name in [*names, instance_db]:
            drop_database(LOCAL_SERVER_URI, name)


if __name__ == "__main__":
    main()
