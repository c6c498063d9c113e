"""The cost of keying applicants in SQL when `mart.fact_case` is built (`meta.applicant_key`, HMAC-SHA-256
over the built-in sha256()), against the same HMAC in Python and against reading the same IDs unhashed.

Usage: `python -m benchmarks.applicant_key_sql [--rows N] [--admin-uri URI]` (default 1,000,000 rows).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import time

from sqlalchemy import text

from resources.scratch_databases import LOCAL_SERVER_URI, scratch_warehouse
from resources.warehouse import WarehouseResource

KEY = "benchmark-pii-hash-key"
IDS = (
    "SELECT lpad((g::bigint * 7919 % 1000000000000)::text, 12, '0') AS applicant_id"
    " FROM generate_series(1, :rows) AS g"
)


def parse_args() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--admin-uri", default=LOCAL_SERVER_URI)
    return parser.parse_args()


def seconds_of(warehouse: WarehouseResource, query: str, rows: int) -> float:
    """Wall time of one aggregate query over the generated IDs."""
    with warehouse.begin() as conn:
        started = time.perf_counter()
        conn.execute(text(query), {"rows": rows, "key": KEY.encode("utf-8")}).scalar()
        return time.perf_counter() - started


def python_seconds(rows: int) -> float:
    """Wall time of the same HMACs in Python."""
    key = KEY.encode("utf-8")
    started = time.perf_counter()
    for g in range(1, rows + 1):
        hmac.new(key, str(g * 7919 % 10**12).zfill(12).encode("utf-8"), hashlib.sha256).hexdigest()
    return time.perf_counter() - started


def main() -> None:
    """Time the three ways over a throw-away warehouse and print them per million rows."""
    args = parse_args()
    with scratch_warehouse(args.admin_uri) as warehouse:
        baseline = seconds_of(warehouse, f"SELECT count(applicant_id) FROM ({IDS}) AS i", args.rows)
        keyed = seconds_of(
            warehouse, f"SELECT count(meta.applicant_key(applicant_id, :key)) FROM ({IDS}) AS i", args.rows
        )
        in_python = python_seconds(args.rows)
    per_million = 1_000_000 / args.rows
    print(f"{args.rows:,} applicant IDs")
    print(f"  read only (SQL)              {baseline * per_million:6.2f} s per million")
    print(f"  meta.applicant_key (SQL)     {keyed * per_million:6.2f} s per million")
    print(f"  hmac in Python               {in_python * per_million:6.2f} s per million")
    print(f"  cost of keying in SQL        {(keyed - baseline) * per_million:6.2f} s per million")


if __name__ == "__main__":
    main()
