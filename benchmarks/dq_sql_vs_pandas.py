"""Data quality at scale: the suites run inside PostgreSQL (GX SQL data source) vs read into pandas.

Builds a throw-away warehouse with N synthetic cases (default 1,000,000; generated in SQL), then times
1. `sql`: the project's way — rule subject built in SQL, GX metrics computed by PostgreSQL;
2. `pandas`: the tables read into pandas, the same subject computed there, the same suites run by GX's
   pandas engine.
Both must find the same counts. Usage: `python -m benchmarks.dq_sql_vs_pandas [--cases N] [--admin-uri URI]`.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any, TypeVar

import great_expectations as gx
import pandas as pd
from great_expectations.data_context.types.base import ProgressBarsConfig
from sqlalchemy import Engine

from core.sql_files import sql
from expectations.rules import FACT_CASE_INTEGRITY, SUITES
from expectations.run import run_data_quality
from expectations.suites import build_suite
from resources.embedded_postgres import sqlalchemy_url
from resources.scratch_databases import LOCAL_SERVER_URI, create_database, drop_database
from resources.settings import DEFAULT_CUTOVER_AT
from resources.warehouse import WarehouseResource, engine_for

QUERIES = str(Path(__file__).parent / "sql" / "dq_sql_vs_pandas.sql")
SYNTHETIC_STEPS = (
    "synthetic_procedures",
    "synthetic_officials",
    "synthetic_fact_case",
    "synthetic_staging_case",
    "synthetic_newsys_case",
    "synthetic_egov_case",
    "synthetic_quarantine",
    "analyze",
)
T = TypeVar("T")


def timed(label: str, action: Callable[[], T]) -> tuple[T, float]:
    """Run `action`, print and return its wall time."""
    start = time.perf_counter()
    value = action()
    seconds = time.perf_counter() - start
    print(f"  {label:<38} {seconds:8.2f} s")
    return value, seconds


def build_synthetic_warehouse(engine: Engine, cases: int) -> None:
    """Fill a migrated warehouse with `cases` synthetic cases and their neighbours."""
    with engine.begin() as conn:
        for step in SYNTHETIC_STEPS:
            conn.execute(sql(QUERIES, step), {"cases": cases})


def read_frames(engine: Engine) -> dict[str, pd.DataFrame]:
    """Every table the rules read, as pandas frames."""
    names = ("fact_case", "staging_case", "procedures", "officials", "egov_case", "newsys_keys")
    names += ("open_quarantine",)
    with engine.connect() as conn:
        return {name: pd.read_sql(sql(QUERIES, f"read_{name}"), conn) for name in names}


def _rows(expectation: str, frame: pd.DataFrame, key: str, passed: pd.Series) -> pd.DataFrame:
    """Subject rows of one rule."""
    columns = {"expectation": expectation, "record_key": frame[key].values, "passed": passed.values}
    return pd.DataFrame(columns)


def case_subject(frames: dict[str, pd.DataFrame]) -> list[pd.DataFrame]:
    """The six `fact_case` rules, computed in pandas (nulls as pandas NA: never unexpected)."""
    staged = frames["staging_case"][["source_system", "case_key", "stop_reason"]]
    cases = frames["fact_case"].merge(staged, how="left", on=["source_system", "case_key"])
    closed = cases[cases["status_code"].isin([9, 10])]
    late = closed[closed["finished_at"] > closed["due_at"]]
    stopped = cases[cases["status_code"] == 8]
    newsys = cases[cases["source_system"] == "newsys"]
    early_due = cases["due_at"] < cases["received_at"]
    early_end = cases["finished_at"] < cases["received_at"]
    in_order = (~(early_due | early_end)).astype("boolean")
    in_order[~early_due & ~early_end & (cases["due_at"].isna() | cases["finished_at"].isna())] = pd.NA
    synced = newsys["synced_national"].astype("boolean")
    in_catalog = cases["procedure_code"].isin(frames["procedures"]["procedure_code"]).astype("boolean")
    in_catalog[cases["procedure_code"].isna()] = pd.NA
    reason = stopped["stop_reason"].fillna("").str.strip() != ""
    return [
        _rows("closed_case_has_result", closed, "case_key", closed["has_result"]),
        _rows("late_case_has_apology", late, "case_key", late["has_apology"]),
        _rows("stopped_case_has_reason", stopped, "case_key", reason),
        _rows("case_dates_in_order", cases, "case_key", in_order),
        _rows("case_synced_to_national_portal", newsys, "case_key", synced),
        _rows("case_procedure_in_catalog", cases, "case_key", in_catalog),
    ]


def other_subject(frames: dict[str, pd.DataFrame], cutover_at: datetime) -> list[pd.DataFrame]:
    """The official, Egov and quarantine rules, computed in pandas."""
    staged = frames["staging_case"]
    newsys_keys = frames["fact_case"].loc[frames["fact_case"]["source_system"] == "newsys", "case_key"]
    handled = staged[(staged["source_system"] == "newsys") & staged["case_key"].isin(newsys_keys)]
    handlers = set(handled["handlers"].explode().dropna())
    officials = frames["officials"]
    scope = officials[officials["is_active"] & officials["user_name"].isin(handlers)]
    egov = frames["egov_case"].assign(record_key=lambda f: "EGOV:" + f["case_no"])
    quarantine = frames["open_quarantine"]
    parts = [
        _rows("official_account_vneid", scope, "user_name", scope["account_type"] == "VNEID"),
        _rows("egov_no_receipt_after_cutover", egov, "record_key", ~(egov["received_at"] >= cutover_at)),
    ]
    landed = {"newsys": frames["newsys_keys"]["case_no"], "egov": frames["egov_case"]["egov_id"].astype(str)}
    for source, keys in landed.items():
        bad = quarantine.loc[quarantine["source"] == source, "record_key"]
        frame = pd.DataFrame({"record_key": pd.concat([keys, bad], ignore_index=True)})
        passed = pd.Series([True] * len(keys) + [False] * len(bad))
        parts.append(_rows(f"{source}_case_quarantine_rate", frame, "record_key", passed))
    return parts


def pandas_outcomes(frames: dict[str, pd.DataFrame], cutover_at: datetime) -> dict[str, tuple[int, int]]:
    """Run the project's suites with GX's pandas engine; (element_count, unexpected_count) by expectation."""
    subject = pd.concat(case_subject(frames) + other_subject(frames, cutover_at), ignore_index=True)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("frames")
    batches = {
        name: (source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("all"), frame)
        for name, frame in (("subject", subject), ("fact_case", frames["fact_case"]))
    }
    counts: dict[str, tuple[int, int]] = {}
    for suite_name in SUITES:
        batch, frame = batches["fact_case" if suite_name == FACT_CASE_INTEGRITY else "subject"]
        suite = context.suites.add(build_suite(suite_name))
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=suite_name, data=batch, suite=suite)
        )
        result = definition.run(batch_parameters={"dataframe": frame}, result_format="SUMMARY")
        for item in result.results:
            detail: dict[str, Any] = item.result
            counts[item.expectation_config.meta["name"]] = (
                int(detail.get("element_count") or 0), int(detail.get("unexpected_count") or 0)
            )
    return counts


def sql_outcomes(engine: Engine, cutover_at: datetime) -> dict[str, tuple[int, int]]:
    """Run the project's validation inside PostgreSQL; (element_count, unexpected_count) by expectation."""
    with TemporaryDirectory() as docs:
        run = run_data_quality(engine, cutover_at, datetime.now().astimezone(), Path(docs))
    return {o.rule.name: (o.element_count, o.unexpected_count) for o in run.outcomes}


def main() -> None:
    """Build the synthetic warehouse, time both ways, print the figures and compare the counts."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--admin-uri", default=LOCAL_SERVER_URI)
    args = parser.parse_args()
    cutover_at = datetime.fromisoformat(DEFAULT_CUTOVER_AT)
    name = create_database(args.admin_uri)
    url = sqlalchemy_url(args.admin_uri, name)
    try:
        warehouse = WarehouseResource(url=url)
        warehouse.migrate()
        engine = engine_for(url)
        print(f"synthetic warehouse: {args.cases:,} cases")
        timed("build (SQL generate_series)", lambda: build_synthetic_warehouse(engine, args.cases))
        print("sql: GX SQL data source, metrics computed by PostgreSQL")
        sql_counts, sql_total = timed("total", lambda: sql_outcomes(engine, cutover_at))
        print("pandas: tables read into pandas, GX pandas engine")
        frames, read_seconds = timed("read tables into pandas", lambda: read_frames(engine))
        pandas_counts, check_seconds = timed(
            "subject + GX pandas validation", lambda: pandas_outcomes(frames, cutover_at)
        )
        print(f"  {'total':<38} {read_seconds + check_seconds:8.2f} s")
        print(f"\n{'expectation':<34} {'in scope':>10} {'unexpected':>10}  same in pandas")
        for rule_name, (elements, unexpected) in sql_counts.items():
            same = pandas_counts.get(rule_name) == (elements, unexpected)
            print(f"{rule_name:<34} {elements:>10,} {unexpected:>10,}  {same}")
        faster = "sql" if sql_total < read_seconds + check_seconds else "pandas"
        print(f"\nfaster: {faster} ({sql_total:.2f} s vs {read_seconds + check_seconds:.2f} s)")
    finally:
        drop_database(args.admin_uri, name)


if __name__ == "__main__":
    main()
