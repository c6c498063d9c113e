"""What the loader's integer-range guard costs per record, beside the binary COPY it protects.

Usage: python -m benchmarks.integer_guard [--scale 20000] [--repeat 5]
Parses the simulated Egov and new-system cases, then times, per entity, the guard alone over every row and
the COPY of the same rows into the landing temp table (guard included), on a throw-away warehouse.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from operator import attrgetter
from pathlib import Path

from sqlalchemy import Engine, text

from ingest.egov_case import parse_egov_case
from ingest.entities import EGOV_CASE, NEWSYS_CASE, EntitySpec
from ingest.loader import _copy_valid, check_integers, column_types, integer_columns, payload_text
from ingest.newsys_case import parse_newsys_case
from ingest.reader import Parsed
from resources.scratch_databases import scratch_warehouse, server_uri
from simulator.world import generate_world


def best_of(repeat: int, run: Callable[[], None]) -> float:
    """The shortest of `repeat` timings of `run()`, in seconds."""
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        timings.append(time.perf_counter() - started)
    return min(timings)


def measure(engine: Engine, spec: EntitySpec, valid: list[Parsed], repeat: int) -> tuple[float, float]:
    """Microseconds per record of the guard alone and of the COPY (guard included, one transaction each)."""
    rows = [(parsed, payload_text(parsed)) for parsed in valid]
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(text(spec.statements["create_valid_temp"]))
        types = column_types(conn, "pg_temp.land_valid", spec.columns)
    checks = integer_columns(spec.row_columns, types[: len(spec.row_columns)])
    row_values = attrgetter(*spec.row_columns)
    values = [row_values(parsed.row) for parsed in valid]

    def guard() -> None:
        for row in values:
            check_integers(spec.table, row, checks)

    def copy() -> None:
        with engine.begin() as conn:
            _copy_valid(conn, spec, rows, now, "bench")

    per_record = 1e6 / len(valid)
    return best_of(repeat, guard) * per_record, best_of(repeat, copy) * per_record


def main() -> None:
    """Print the guard's cost per record and its share of the COPY, per entity."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    world = generate_world(scale=args.scale, seed=1)
    entities = (
        (EGOV_CASE, [parse_egov_case(p) for p in world.egov_records()]),
        (NEWSYS_CASE, [parse_newsys_case(p) for p in world.newsys_records()]),
    )
    with tempfile.TemporaryDirectory() as folder, scratch_warehouse(server_uri(Path(folder))) as warehouse:
        for spec, parsed in entities:
            valid = [record for record in parsed if record.valid]
            guard, copy = measure(warehouse.engine(), spec, valid, args.repeat)
            print(
                f"{spec.table}: {len(valid)} records, guard {guard:.3f} µs/record, COPY with guard "
                f"{copy:.2f} µs/record: the guard is {100 * guard / copy:.1f}% of the COPY"
            )


if __name__ == "__main__":
    main()
