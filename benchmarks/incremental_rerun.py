"""Re-runs of the nightly job: with nothing changed, and after about 1% of the cases changed (wall seconds).

Usage: python -m benchmarks.incremental_rerun [--scale 100000] [--changed 0.01]
The simulator serves from threads of this process (the change batch is applied to its world between runs);
the warehouse is a new database on the local server. Prints the wall time of each run and, per asset, the
build mode and the rows read and written that its metadata shows.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import dagster as dg

from resources.embedded_postgres import sqlalchemy_url
from resources.scratch_databases import create_database, drop_database, server_uri
from resources.warehouse import WarehouseResource
from simulator.faults import Faults
from simulator.server import SimulatorServers
from simulator.world import generate_world
from tests.sync_env import AS_OF, run_nightly_job, simulator_environment

SHOWN = (
    "build_mode", "rows_read", "rows_written", "months_recomputed", "months_by_difference",
    "periods_recomputed", "periods_by_difference",
)  # fmt: skip


def step_summary(result: dg.ExecuteInProcessResult) -> list[str]:
    """One line per materialised asset: its build mode and rows read and written, when it reports them."""
    lines = []
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization  # type: ignore[union-attr]
        values = {key: getattr(value, "value", value) for key, value in materialization.metadata.items()}
        shown = "  ".join(f"{key}={values[key]}" for key in SHOWN if key in values)
        line = f"    {materialization.asset_key.to_user_string():34} {shown}"
        if line not in lines:
            lines.append(line)
    return lines


def timed_run(label: str, as_of_offset: timedelta) -> None:
    """One nightly run; print its wall time and per-asset figures."""
    started = time.perf_counter()
    result = run_nightly_job(AS_OF + as_of_offset)
    seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.1f} s (success={result.success})")
    for line in step_summary(result):
        print(line)


def main() -> None:
    """Generate, run once, re-run unchanged, change ~1% of the cases, re-run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--changed", type=float, default=0.01)
    args = parser.parse_args()
    admin = server_uri(Path(tempfile.mkdtemp(prefix="egov-bench-pg-")))
    name = create_database(admin, prefix="egov_sync_bench")
    warehouse = WarehouseResource(url=sqlalchemy_url(admin, name))
    world = generate_world(scale=args.scale, seed=7)
    try:
        with (
            SimulatorServers(world, faults=Faults.none()) as servers,
            simulator_environment(servers, warehouse.url),
        ):
            timed_run("first run", timedelta(0))
            timed_run("re-run, nothing changed", timedelta(0))
            with servers.lock:
                summary = world.apply_changes(round(args.scale * args.changed), seed=11)
            changed = len(summary.egov_ids) + len(summary.newsys_keys)
            print(f"applied a change batch: {changed} cases changed")
            timed_run("re-run after the change batch", timedelta(hours=1))
    finally:
        drop_database(admin, name)


if __name__ == "__main__":
    main()
