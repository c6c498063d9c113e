"""Benchmark: the set-based SQL reconciliation against a plain pandas merge, on 1M legacy x 1M new records.

Usage: python -m benchmarks.reconciliation_1m [--url postgresql://postgres@127.0.0.1:5432/postgres] [--rows N]
(or BENCH_PG_URI). A fresh database is created on that server, filled with generate_series, and dropped.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from core.local_time import LOCAL_TZ_NAME
from core.sql_files import sql, sql_text
from resources.scratch_databases import scratch_warehouse
from resources.settings import DEFAULT_CUTOVER_AT
from resources.warehouse import WarehouseResource, driver_connection, engine_for
from transform.builds import BuildInputs
from transform.case_universe import CASE_LINK, STAGING_CASE, normalised_case_no
from transform.reconciliation import RECONCILIATION, outcome_counts
from transform.registry import run_build

BENCH_SQL = str(Path(__file__).parent / "sql" / "reconciliation_1m.sql")
CUTOVER = pd.Timestamp(DEFAULT_CUTOVER_AT)


def parse_args() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url", default=os.environ.get("BENCH_PG_URI", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="records per source system")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    return parser.parse_args()


def max_rss_mib() -> float:
    """Peak resident memory of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def backend_memory(conn: Connection) -> dict[str, float]:
    """Peak and current memory of the server process behind `conn`, in MiB (local server only)."""
    pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    status = Path(f"/proc/{pid}/status")
    if not status.exists():
        return {}
    fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
    return {
        name: int(fields[name].split()[0]) / 1024 for name in ("VmHWM", "VmRSS", "RssAnon") if name in fields
    }


@contextmanager
def stopwatch(label: str, timings: dict[str, float]) -> Iterator[None]:
    """Record the wall time of a block under `label`."""
    start = time.perf_counter()
    yield
    timings[label] = time.perf_counter() - start
    print(f"  {label:<32} {timings[label]:8.2f} s", flush=True)


def generate(warehouse: WarehouseResource, rows: int) -> None:
    """Fill the raw tables with synthetic units, Egov cases and new-system cases."""
    timings: dict[str, float] = {}
    with warehouse.begin() as conn:
        for name in ("generate_units", "generate_egov", "generate_newsys", "analyze_raw"):
            with stopwatch(name, timings):
                conn.execute(sql(BENCH_SQL, name), {"rows": rows})


def run_sql(warehouse: WarehouseResource, cutover: datetime) -> dict[str, Any]:
    """Time the SQL reconciliation (staging, links, publication), first run and an unchanged re-run."""
    timings: dict[str, float] = {}
    inputs = BuildInputs(cutover=cutover, full=True)
    tracemalloc.start()
    with warehouse.engine().connect() as conn:
        temp_before = conn.execute(sql(BENCH_SQL, "temp_bytes")).one()
        conn.commit()
        for attempt in ("first", "rerun"):
            with conn.begin():
                with stopwatch(f"sql {attempt}: staging.case", timings):
                    run_build(conn, STAGING_CASE, inputs)
                with stopwatch(f"sql {attempt}: case_link", timings):
                    run_build(conn, CASE_LINK, inputs)
                with stopwatch(f"sql {attempt}: reconciliation", timings):
                    built = run_build(conn, RECONCILIATION, inputs)
                    outcomes = outcome_counts(conn)
            print(f"  {attempt}: {built.published.as_metadata()}")
        memory = backend_memory(conn)
        temp_after = conn.execute(sql(BENCH_SQL, "temp_bytes")).one()
    _, client_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "timings": timings,
        "outcomes": outcomes,
        "server": memory,
        "temp_mib": (temp_after[0] - temp_before[0]) / 2**20,
        "client_peak_mib": client_peak / 2**20,
    }


def current_units(units: pd.DataFrame) -> Callable[[pd.Series], pd.Series]:
    """A mapper from unit codes to current units (codes not in the mapping stay)."""
    mapping = dict(zip(units["unit_code"], units["current_unit_code"], strict=True))
    return lambda codes: codes.map(lambda code: mapping.get(code, code))


def pandas_links(egov: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Link migrated records by unique normalised case number, else by unique fingerprint."""
    egov["norm"] = egov["case_no"].map(normalised_case_no)
    new["norm"] = new["legacy_case_no_raw"].map(normalised_case_no, na_action="ignore")
    fp = ["procedure_code", "applicant_id", "minute"]
    unique_no = egov[~egov["norm"].duplicated(keep=False)][["norm", "egov_id"]]
    with_fp = egov.dropna(subset=fp)
    unique_fp = with_fp[~with_fp.duplicated(subset=fp, keep=False)][[*fp, "egov_id"]]
    by_no = new.merge(unique_no, on="norm", how="left")
    by_no["match_method"] = np.where(by_no["egov_id"].notna(), "case_no", None)
    rest = by_no[by_no["egov_id"].isna()].drop(columns="egov_id")
    by_fp = rest.dropna(subset=fp).merge(unique_fp, on=fp, how="inner")
    by_fp["match_method"] = "fingerprint"
    linked = pd.concat([by_no[by_no["egov_id"].notna()], by_fp], ignore_index=True)
    return new.merge(linked[["case_no", "egov_id", "match_method"]], on="case_no", how="left")


def mismatch(links: pd.DataFrame) -> pd.Series:
    """Comma-separated differing fields of each linked pair."""
    parts = []
    for field, left, right in (
        ("applicant_id", "applicant_id", "e_applicant_id"),
        ("procedure_code", "procedure_code", "e_procedure_code"),
        ("received_at", "minute", "e_minute"),
        ("unit_code", "unit_code", "e_unit_code"),
    ):
        differs = links[left].fillna("\0").astype(str) != links[right].fillna("\0").astype(str)
        parts.append(np.where(differs, field, ""))
    joined = pd.Series([",".join(p for p in row if p) for row in zip(*parts, strict=True)], index=links.index)
    return joined.where(links["egov_id"].notna())


def pandas_reconcile(egov: pd.DataFrame, new: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """The reconciliation rows computed with pandas merges."""
    to_current = current_units(units)
    for frame in (egov, new):
        frame["minute"] = frame["received_at"].dt.tz_convert(LOCAL_TZ_NAME).dt.floor("min")
        frame["unit_code"] = to_current(frame["original_unit_code"])
    egov["is_backlog"] = (egov["received_at"] < CUTOVER) & (
        egov["finished_at"].isna() | (egov["finished_at"] >= CUTOVER)
    )
    links = pandas_links(egov, new)
    e = egov.add_prefix("e_").rename(columns={"e_egov_id": "egov_id"})
    links = links.merge(e, on="egov_id", how="left")
    links["mismatch_fields"] = mismatch(links)
    links["to_backlog"] = links["e_is_backlog"].fillna(False).astype(bool)
    links["key"] = links["case_no"].map(lambda value: value.encode("utf-8"))
    backlog_links = links[links["to_backlog"]].sort_values("key")
    primary = backlog_links.drop_duplicates("egov_id")
    rows = egov[egov["is_backlog"]].merge(
        primary[["egov_id", "case_no", "match_method", "mismatch_fields"]].rename(
            columns={"case_no": "new_case_id"}
        ),
        on="egov_id",
        how="left",
    )
    rows["outcome"] = np.select(
        [
            rows["new_case_id"].isna() & rows["is_terminal"],
            rows["new_case_id"].isna(),
            rows["is_terminal"],
            rows["mismatch_fields"] == "",
        ],
        ["finished_in_egov", "residue", "double_handled", "migrated"],
        "migrated_mismatch",
    )
    extra = links[~links["case_no"].isin(primary["case_no"])].copy()
    extra["outcome"] = np.where(extra["to_backlog"], "duplicate_migrated", "orphan_migrated")
    extra = extra.rename(columns={"case_no": "new_case_id", "e_case_no": "legacy_case_no"})
    rows = rows.rename(columns={"case_no": "legacy_case_no"})
    columns = ["legacy_case_no", "new_case_id", "outcome", "match_method", "mismatch_fields"]
    return pd.concat([rows[columns], extra[columns]], ignore_index=True)


def same_rows(left: pd.DataFrame, right: pd.DataFrame) -> bool:
    """True when two frames hold the same rows (as multisets), whatever their order."""

    def canonical(frame: pd.DataFrame) -> list[tuple]:
        return sorted(
            tuple("" if pd.isna(v) else str(v) for v in row) for row in frame.itertuples(index=False)
        )

    return list(left.columns) == list(right.columns) and canonical(left) == canonical(right)


def write_back(warehouse: WarehouseResource, rows: pd.DataFrame) -> None:
    """COPY the pandas result into a temporary table, as publishing it would need at the least."""
    with warehouse.begin() as conn:
        conn.execute(sql(BENCH_SQL, "create_pandas_result"))
        with (
            driver_connection(conn).cursor() as cursor,
            cursor.copy(sql_text(BENCH_SQL, "copy_pandas_result")) as copy,
        ):
            for record in rows.itertuples(index=False):
                copy.write_row([None if pd.isna(value) else value for value in record])


def run_pandas(warehouse: WarehouseResource) -> dict[str, Any]:
    """Time reading both sources into pandas and reconciling them with merges."""
    timings: dict[str, float] = {}
    rss_before = max_rss_mib()
    with warehouse.engine().connect() as conn:
        with stopwatch("pandas: read", timings):
            egov = pd.read_sql(sql(BENCH_SQL, "read_egov"), conn)
            new = pd.read_sql(sql(BENCH_SQL, "read_newsys"), conn)
            units = pd.read_sql(sql(BENCH_SQL, "read_units"), conn)
        server = backend_memory(conn)
    with stopwatch("pandas: merge", timings):
        rows = pandas_reconcile(egov, new, units)
    with stopwatch("pandas: write back (COPY)", timings):
        write_back(warehouse, rows)
    outcomes = rows["outcome"].value_counts().to_dict()
    peak = max_rss_mib()
    with warehouse.engine().connect() as conn:
        published = pd.read_sql(sql(BENCH_SQL, "read_reconciliation"), conn)
    return {
        "timings": timings,
        "outcomes": outcomes,
        "server": server,
        "rows_agree": same_rows(rows, published),
        "client_peak_mib": peak,
        "rss_before_mib": rss_before,
    }


def main() -> None:
    """Create, fill, measure, compare, print, clean up."""
    args = parse_args()
    with scratch_warehouse(args.url, keep=args.keep) as warehouse:
        print(f"database {warehouse.url}: generating {args.rows:,} Egov x {args.rows:,} new-system records")
        generate(warehouse, args.rows)
        engine_for(warehouse.url).dispose()
        print("SQL reconciliation (PostgreSQL, set-based):")
        sql_result = run_sql(warehouse, CUTOVER.to_pydatetime())
        engine_for(warehouse.url).dispose()
        print("pandas merge:")
        pandas_result = run_pandas(warehouse)
        report(sql_result, pandas_result)


def report(sql_result: dict[str, Any], pandas_result: dict[str, Any]) -> None:
    """Print the figures side by side."""
    sql_first = sum(v for k, v in sql_result["timings"].items() if k.startswith("sql first"))
    sql_rerun = sum(v for k, v in sql_result["timings"].items() if k.startswith("sql rerun"))
    pandas_total = sum(pandas_result["timings"].values())
    print("\nresults")
    print(f"  SQL    first run {sql_first:7.2f} s, unchanged re-run {sql_rerun:7.2f} s")
    linking = sum(
        v for k, v in sql_result["timings"].items() if k.startswith("sql first") and "staging" not in k
    )
    print(f"  SQL    of which links + reconciliation from staging.case {linking:7.2f} s")
    print(f"  SQL    server backend memory MiB {sql_result['server']}")
    print(f"  SQL    server temp files written {sql_result['temp_mib']:.0f} MiB")
    print(f"  SQL    client Python peak (tracemalloc) {sql_result['client_peak_mib']:.1f} MiB")
    print(f"  pandas total     {pandas_total:7.2f} s (read + merge + write back)")
    print(
        f"  pandas client peak RSS {pandas_result['client_peak_mib']:.0f} MiB"
        f" (before: {pandas_result['rss_before_mib']:.0f} MiB); server backend {pandas_result['server']}"
    )
    sql_counts = {k: v for k, v in sql_result["outcomes"].items() if v}
    print(f"  outcomes SQL    {dict(sorted(sql_counts.items()))}")
    print(f"  outcomes pandas {dict(sorted(pandas_result['outcomes'].items()))}")
    print(f"  outcome counts agree: {sql_counts == pandas_result['outcomes']}")
    print(f"  row sets agree: {pandas_result['rows_agree']}")


if __name__ == "__main__":
    main()
