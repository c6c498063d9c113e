"""Serve both simulated source systems until interrupted (`python -m simulator --scale 10000`)."""

from __future__ import annotations

import argparse
import signal
import threading
import time
from datetime import datetime
from types import FrameType

from simulator.faults import Faults
from simulator.server import SimulatorServers
from simulator.simtime import now_argument, wall_clock
from simulator.world import generate_world


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """Turn a termination signal into a clean stop."""
    raise KeyboardInterrupt


def serve_forever(scale: int, seed: int, host: str, egov_port: int, newsys_port: int,
                  faults: Faults | str, now: datetime | None = None) -> None:
    """Generate the world ending at `now` (the wall clock when None), serve both APIs until interrupted."""
    chosen = Faults.named(faults) if isinstance(faults, str) else faults
    started = time.monotonic()
    world = generate_world(scale, seed, now or wall_clock())
    elapsed = time.monotonic() - started
    servers = SimulatorServers(world, faults=chosen, host=host, egov_port=egov_port, newsys_port=newsys_port)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
    with servers:
        print(f"World scale={scale} seed={seed}: {world.egov_count()} Egov and {world.new_count()} "
              f"new-system cases, {world.petition_count()} petitions and {world.rating_count()} ratings, "
              f"generated in {elapsed:.1f}s; simulated clock {world.clock.isoformat()}")
        print(f"EGOV_BASE_URL={servers.egov_url}")
        print(f"EGOV_API_KEY={servers.egov_api_key}")
        print(f"NEWSYS_BASE_URL={servers.newsys_url}")
        print(f"NEWSYS_CLIENT_ID={servers.client_id}")
        print(f"NEWSYS_CLIENT_SECRET={servers.client_secret}")
        print(f"Apply a batch of changes: curl -X POST '{servers.newsys_url}/_sim/changes?n=100'")
        print("Serving; press Ctrl+C to stop.", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("Stopping.")


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve."""
    parser = argparse.ArgumentParser(prog="python -m simulator", description=__doc__)
    parser.add_argument("--scale", type=int, default=10_000, help="number of new-system cases")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--egov-port", type=int, default=8701)
    parser.add_argument("--newsys-port", type=int, default=8702)
    parser.add_argument("--faults", choices=("none", "demo", "heavy", "soak"), default="none")
    parser.add_argument("--now", type=now_argument, default=None,
                        help="when the simulated world ends: ISO 8601 date or date-time, local time unless "
                             "it has an offset (default: the wall clock)")
    args = parser.parse_args(argv)
    serve_forever(args.scale, args.seed, args.host, args.egov_port, args.newsys_port, args.faults, args.now)


if __name__ == "__main__":
    main()
