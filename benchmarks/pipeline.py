"""The whole first run, stage by stage, beside its baselines, then the re-runs: one table per scale.

Usage: python -m benchmarks.pipeline [--scales 20000] [--landing-only] (e.g. --scales 100000,300000,1000000)

For each scale the simulator generates its world and serves both APIs from its own process; the pipeline
lands each source (Egov cases, then the new system's cases, petitions and ratings) into an empty warehouse
(a new database on the local server when it answers, else an embedded one), then materialises every
downstream asset of `pipelines.definitions` in one in-process run over every indicator month, each asset
timed from its step events. Beside the landing stages run their baselines: fetch-only (the same pages read
and decoded with orjson, the decoder ours uses, then discarded) and a bare psycopg binary COPY of the same
rows. Then the nightly selection is re-run with nothing changed, again with nothing new but RESTAMPED
records of each system saved again unchanged (`POST /_sim/restamp`: a newer stamp, the same content), again
after the simulator changed about 1% of the cases (and petitions and ratings at their own rates), and the
change-feed selection after a batch of 100 changes: wall seconds and the rows that the downstream assets'
metadata says they read and wrote. Peak RSS is that of this (the pipeline's) process after the stage.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

import dagster as dg
import httpx
import orjson
import psycopg
from psycopg import sql as pgsql

from assets.raw import (
    egov_case,
    newsys_case,
    newsys_official,
    newsys_petition,
    newsys_procedure,
    newsys_rating,
    newsys_unit,
)
from benchmarks.landing_throughput import WORLD_NOW, simulator_process
from core import asset_keys as keys
from core.local_time import LOCAL_ZONE
from ingest.entities import EGOV_CASE, NEWSYS_CASE, NEWSYS_PETITION, NEWSYS_RATING, EntitySpec
from pipelines.definitions import ALL_ASSETS, ALL_CHECKS
from pipelines.jobs import RAW_NEWSYS_CHANGES
from pipelines.run_tags import full_range_run_tags
from resources.alerting import AlertingResource
from resources.egov_client import CASES_PATH, EgovClient
from resources.embedded_postgres import sqlalchemy_url
from resources.newsys_client import CASES_PATH as NEWSYS_CASES_PATH
from resources.newsys_client import PETITIONS_PATH, RATINGS_PATH, TOKEN_PATH, NewsysClient
from resources.scratch_databases import create_database, drop_database, server_uri
from resources.settings import PipelineSettings
from resources.warehouse import WarehouseResource

EGOV_KEY = "demo-egov-key"
NEWSYS_ID, NEWSYS_SECRET = "egov-sync", "demo-secret"
AS_OF = datetime.fromisoformat(WORLD_NOW).replace(tzinfo=LOCAL_ZONE)
COPY_CHUNK = 5000
SLOWEST_SHOWN = 4
RESTAMPED = 250
BINARY_COPY = pgsql.SQL("COPY copy_baseline ({}) FROM STDIN (FORMAT BINARY)")
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
RAW_KEYS = {keys.RAW_EGOV_CASE, keys.RAW_NEWSYS_CASE, keys.RAW_NEWSYS_OFFICIAL, keys.RAW_NEWSYS_PROCEDURE,
            keys.RAW_NEWSYS_UNIT, keys.RAW_NEWSYS_PETITION, keys.RAW_NEWSYS_RATING}  # fmt: skip


@dataclass
class Stage:
    """One line of the table."""

    name: str
    ours: float
    rows: int | None = None
    baseline: float | None = None
    peak_mib: float = 0.0


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def egov_pages(url: str) -> Iterator[list]:
    """Every Egov case page, read and decoded as plainly as possible."""
    with httpx.Client(base_url=url, timeout=60, headers={"X-API-Key": EGOV_KEY}) as client:
        page = 1
        while True:
            body = orjson.loads(client.get(CASES_PATH, params={"page": page, "pageSize": 500}).content)
            if not body["duLieu"]:
                return
            yield body["duLieu"]
            page += 1


def newsys_pages(url: str, path: str = NEWSYS_CASES_PATH) -> Iterator[list]:
    """Every page of a new-system feed (cases unless `path` names another), read and decoded as plainly as
    possible."""
    with httpx.Client(base_url=url, timeout=60) as client:
        form = {"grant_type": "client_credentials", "client_id": NEWSYS_ID, "client_secret": NEWSYS_SECRET}
        token = client.post(TOKEN_PATH, data=form).json()["access_token"]
        params: dict = {"limit": 1000}
        while True:
            answer = client.get(path, params=params, headers={"Authorization": f"Bearer {token}"})
            body = orjson.loads(answer.content)
            yield body["items"]
            if not body["next_cursor"]:
                return
            params = {"limit": 1000, "cursor": body["next_cursor"]}


def fetch_only(pages: Iterator[list]) -> tuple[float, int]:
    """Seconds to read and decode every page (discarded), and how many records they held."""
    started, records = time.perf_counter(), 0
    for page in pages:
        records += len(page)
    return time.perf_counter() - started, records


def bare_binary_copy(libpq_uri: str, spec: EntitySpec) -> float:
    """Seconds a bare binary COPY takes to write the landed rows of an entity again, in chunks like ours."""
    table = pgsql.SQL(spec.table)
    columns = pgsql.SQL(", ").join(map(pgsql.Identifier, spec.columns))
    with psycopg.connect(libpq_uri) as source, psycopg.connect(libpq_uri) as target:
        types = [
            row[0]
            for row in source.execute(
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
                " WHERE attrelid = %s::regclass AND attname = ANY(%s)"
                " ORDER BY array_position(%s, attname::text)",
                (spec.table, list(spec.columns), list(spec.columns)),
            )
        ]
        target.execute(pgsql.SQL("CREATE TEMP TABLE copy_baseline (LIKE {})").format(table))
        seconds = 0.0
        with source.cursor(name="landed") as rows:
            rows.execute(pgsql.SQL("SELECT {} FROM {}").format(columns, table))
            while chunk := rows.fetchmany(COPY_CHUNK):
                started = time.perf_counter()
                with (
                    target.transaction(),
                    target.cursor() as cursor,
                    cursor.copy(BINARY_COPY.format(columns)) as copy,
                ):
                    copy.set_types(types)
                    for row in chunk:
                        copy.write_row(row)
                seconds += time.perf_counter() - started
    return seconds


def step_seconds(instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult) -> dict[str, float]:
    """Seconds from each step's start to its success, by step key (from the run's event log)."""
    started: dict[str, float] = {}
    seconds: dict[str, float] = {}
    for entry in instance.all_logs(result.run_id):
        event = entry.dagster_event
        if event is None or event.step_key is None:
            continue
        timestamp = entry.timestamp
        if event.event_type_value == "STEP_START":
            started[event.step_key] = timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE") and event.step_key in started:
            seconds[event.step_key] = timestamp - started[event.step_key]
    return seconds


def rows_fetched(result: dg.ExecuteInProcessResult) -> int:
    """Records fetched by the landing assets of a run."""
    return sum(
        event.materialization.metadata["rows_fetched"].value
        for event in result.get_asset_materialization_events()
        if "rows_fetched" in event.materialization.metadata
    )


def run_scale(scale: int, *, downstream_too: bool = True) -> list[Stage]:
    """Every stage of a first run at one scale, with its baselines (only the landing ones if asked)."""
    admin = server_uri(Path(tempfile.mkdtemp()) / "pg")
    database = create_database(admin, prefix="egov_sync_bench")
    warehouse = WarehouseResource(url=sqlalchemy_url(admin, database))
    libpq = admin.rsplit("/", 1)[0] + "/" + database
    stages: list[Stage] = []
    try:
        with simulator_process(scale, "none") as (egov_url, newsys_url):
            resources = {
                "warehouse": warehouse,
                "egov": EgovClient(base_url=egov_url, api_key=EGOV_KEY),
                "newsys": NewsysClient(base_url=newsys_url, client_id=NEWSYS_ID, client_secret=NEWSYS_SECRET),
                "settings": PipelineSettings(pii_hash_key="benchmark"),
                "alerts": AlertingResource(warehouse_url=warehouse.url),
            }
            instance = dg.DagsterInstance.ephemeral()
            for label, asset, pages, spec in (
                ("land egov case", egov_case, egov_pages, EGOV_CASE),
                ("land newsys case", newsys_case, newsys_pages, NEWSYS_CASE),
                ("land newsys petition", newsys_petition, partial(newsys_pages, path=PETITIONS_PATH),
                 NEWSYS_PETITION),
                ("land newsys rating", newsys_rating, partial(newsys_pages, path=RATINGS_PATH),
                 NEWSYS_RATING),
            ):  # fmt: skip
                fetch_seconds, _ = fetch_only(pages(egov_url if spec is EGOV_CASE else newsys_url))
                result = dg.materialize([asset], resources=resources, instance=instance, run_config=QUIET)
                assert result.success, f"{label} failed"
                (seconds,) = step_seconds(instance, result).values()
                rows = rows_fetched(result)
                stages.append(Stage(f"{label} (vs fetch-only)", seconds, rows, fetch_seconds, peak_rss_mib()))
                write = result.get_asset_materialization_events()[0].materialization.metadata["write_seconds"]
                copy_seconds = bare_binary_copy(libpq, spec)
                stages.append(Stage("  write part (vs binary COPY)", write.value, rows, copy_seconds,
                                    peak_rss_mib()))  # fmt: skip
            catalog = dg.materialize(
                [newsys_official, newsys_procedure, newsys_unit], resources=resources, instance=instance,
                run_config=QUIET,
            )
            assert catalog.success, "catalogue landing failed"
            catalog_seconds = sum(step_seconds(instance, catalog).values())
            catalog_rows = rows_fetched(catalog)
            stages.append(Stage("land catalogue", catalog_seconds, catalog_rows, peak_mib=peak_rss_mib()))
            if not downstream_too:
                return stages
            started = time.perf_counter()
            downstream = dg.materialize(
                [*ALL_ASSETS, *ALL_CHECKS],
                selection=dg.AssetSelection.all() - dg.AssetSelection.assets(*RAW_KEYS),
                resources=resources,
                instance=instance,
                run_config=QUIET,
                tags=full_range_run_tags(AS_OF),
                raise_on_error=False,
            )
            total = time.perf_counter() - started
            by_step = step_seconds(instance, downstream)
            for step, seconds in sorted(by_step.items(), key=lambda item: -item[1]):
                stages.append(Stage(step, seconds, peak_mib=peak_rss_mib()))
            stages.append(Stage("downstream run (wall)", total, peak_mib=peak_rss_mib()))
            if not downstream.success:
                print("the downstream run FAILED")
            stages.extend(rerun_stages(scale, newsys_url, resources, instance))
    finally:
        drop_database(admin, database)
    return stages


def rows_touched(result: dg.ExecuteInProcessResult) -> tuple[int, int]:
    """Rows read and written by the run's assets, from their metadata (once per asset: the partitions of a
    multi-partition run carry the same figures)."""
    figures: dict[dg.AssetKey, tuple[int, int]] = {}
    for event in result.get_asset_materialization_events():
        metadata = event.materialization.metadata
        read = int(getattr(metadata.get("rows_read"), "value", 0) or 0)
        written = int(getattr(metadata.get("rows_written"), "value", 0) or 0)
        figures[event.materialization.asset_key] = (read, written)
    return sum(read for read, _ in figures.values()), sum(written for _, written in figures.values())


def timed_sync(
    label: str, selection: dg.AssetSelection, as_of: datetime, resources: dict, instance: dg.DagsterInstance
) -> list[Stage]:
    """One in-process run of a job's selection (landing included): its wall time and the rows it touched,
    then its slowest steps."""
    started = time.perf_counter()
    result = dg.materialize(
        [*ALL_ASSETS, *ALL_CHECKS], selection=selection, resources=resources, instance=instance,
        run_config=QUIET, tags=full_range_run_tags(as_of), raise_on_error=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    read, written = rows_touched(result)
    failed = "" if result.success else " FAILED"
    stages = [Stage(f"{label}{failed}", seconds, peak_mib=peak_rss_mib()),
              Stage(f"  rows read {read:,}, written {written:,} (assets' metadata)", 0.0)]  # fmt: skip
    slowest = sorted(step_seconds(instance, result).items(), key=lambda item: -item[1])[:SLOWEST_SHOWN]
    stages.extend(Stage(f"  {step}", step_time) for step, step_time in slowest)
    return stages


def apply_changes(newsys_url: str, count: int) -> str:
    """Ask the simulator for a batch of about `count` changes (its clock moves an hour); what changed."""
    answer = httpx.post(f"{newsys_url}/_sim/changes", params={"n": count}, timeout=600).json()
    cases = len(answer.get("egov_ids", [])) + len(answer.get("newsys_keys", []))
    petitions, ratings = len(answer.get("petition_keys", [])), len(answer.get("rating_keys", []))
    return f"{cases:,} cases, {petitions:,} petitions, {ratings:,} ratings changed"


def restamp(newsys_url: str, count: int) -> str:
    """Ask the simulator to save `count` records of each system again unchanged (a newer stamp only)."""
    answer = httpx.post(f"{newsys_url}/_sim/restamp", params={"n": count}, timeout=600).json()
    return f"{len(answer['egov']):,} Egov and {len(answer['newsys']):,} new-system cases re-stamped"


def rerun_stages(
    scale: int, newsys_url: str, resources: dict, instance: dg.DagsterInstance
) -> list[Stage]:
    """The nightly job re-run unchanged, then with nothing new but re-stamped records, after about 1% of the
    cases changed, and a change-feed sync."""
    everything = dg.AssetSelection.all()
    label = "nightly re-run, nothing changed"
    stages = timed_sync(label, everything, AS_OF + timedelta(minutes=10), resources, instance)
    label = f"nightly re-run, nothing new: {restamp(newsys_url, RESTAMPED)}"
    stages += timed_sync(label, everything, AS_OF + timedelta(minutes=20), resources, instance)
    changed = apply_changes(newsys_url, max(1, scale // 100))
    label = f"nightly re-run, {changed}"
    stages += timed_sync(label, everything, AS_OF + timedelta(hours=1), resources, instance)
    changed = apply_changes(newsys_url, 100)
    label = f"newsys_changes_sync, {changed}"
    feed = RAW_NEWSYS_CHANGES.downstream()
    stages += timed_sync(label, feed, AS_OF + timedelta(hours=2), resources, instance)
    return stages


def print_table(scale: int, stages: list[Stage]) -> None:
    """One block of the table: every stage at one scale."""
    print(f"\nscale {scale:,}")
    print(f"| {'stage':<62} | ours (s) | baseline (s) | ratio | rows/s | peak RSS (MiB) |")
    print(f"|{'-' * 64}|---------:|-------------:|------:|-------:|---------------:|")
    for stage in stages:
        baseline = f"{stage.baseline:.2f}" if stage.baseline is not None else ""
        ratio = f"{stage.baseline / stage.ours:.2f}" if stage.baseline and stage.ours else ""
        rate = f"{stage.rows / stage.ours:,.0f}" if stage.rows and stage.ours else ""
        ours = f"{stage.ours:.2f}" if stage.ours else ""
        peak = f"{stage.peak_mib:,.0f}" if stage.peak_mib else ""
        print(f"| {stage.name:<62} | {ours:>8} | {baseline:>12} | {ratio:>5} | {rate:>6} | {peak:>14} |")


def main() -> None:
    """Run every scale asked for and print its block."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", default="20000", help="comma-separated simulator scales")
    parser.add_argument("--landing-only", action="store_true", help="stop after the landing stages")
    args = parser.parse_args()
    for scale in (int(part) for part in args.scales.split(",")):
        print_table(scale, run_scale(scale, downstream_too=not args.landing_only))


if __name__ == "__main__":
    main()
