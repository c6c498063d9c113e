"""A source that saves records again without changing them: the re-run lands the new stamps (and moves the
watermarks) but publishes no change: no change-log entry, no table version, no mart row rewritten."""

from __future__ import annotations

from datetime import datetime

import dagster as dg
import httpx
from sqlalchemy import text

from resources.embedded_postgres import sqlalchemy_url
from resources.scratch_databases import create_database, drop_database
from resources.warehouse import WarehouseResource
from simulator.faults import Faults
from simulator.server import SimulatorServers
from simulator.simtime import to_datetime
from simulator.world import generate_world
from tests.e2e.test_rerun_and_change_feed import APPEND_ONLY, mart_row_versions
from tests.sync_env import run_nightly_job, simulator_environment

RESTAMPED = 25


def bookkeeping(warehouse: WarehouseResource) -> tuple[dict[str, int], int, int, dict[str, datetime]]:
    """Every table's version (the validation history, which each run appends to, aside), the last raw and
    staging change-log ids, and the case watermarks."""
    history = [f"mart.{table}" for table in APPEND_ONLY]
    with warehouse.begin() as conn:
        versions = dict(
            conn.execute(
                text("SELECT table_name, version FROM meta.table_version WHERE table_name <> ALL(:history)"),
                {"history": history},
            ).tuples().all()
        )
        raw_log = conn.execute(text("SELECT coalesce(max(change_id), 0) FROM raw.change_log")).scalar_one()
        staged = conn.execute(text("SELECT coalesce(max(change_id), 0) FROM staging.change_log")).scalar_one()
        marks = dict(
            conn.execute(text("SELECT source, value FROM raw.watermark WHERE entity = 'case'")).tuples().all()
        )
    return versions, raw_log, staged, marks


def landing_metadata(result: dg.ExecuteInProcessResult, entity: str) -> dict[str, object]:
    """The metadata values of one raw asset's materialisation."""
    for event in result.get_asset_materialization_events():
        if event.asset_key.path[-1] == entity:
            return {name: value.value for name, value in event.materialization.metadata.items()}
    raise AssertionError(f"no materialisation of {entity}")


def test_a_rerun_after_records_are_restamped_publishes_no_change(pg_admin_uri: str, template_db: str) -> None:
    name = create_database(pg_admin_uri, template=template_db)
    warehouse = WarehouseResource(url=sqlalchemy_url(pg_admin_uri, name))
    world = generate_world(scale=400, seed=53)
    try:
        with (
            SimulatorServers(world, faults=Faults.none()) as servers,
            simulator_environment(servers, warehouse.url),
        ):
            assert run_nightly_job().success
            versions, raw_log, staged, marks = bookkeeping(warehouse)
            rows = mart_row_versions(warehouse)
            answer = httpx.post(f"{servers.newsys_url}/_sim/restamp", params={"n": RESTAMPED}, timeout=10)
            answer.raise_for_status()
            restamped = answer.json()
            assert (len(restamped["egov"]), len(restamped["newsys"])) == (RESTAMPED, RESTAMPED)
            rerun = run_nightly_job()
            assert rerun.success
        for entity in ("egov_case", "newsys_case"):
            metadata = landing_metadata(rerun, entity)
            assert metadata["rows_restamped"] == RESTAMPED, (entity, metadata)
            assert (metadata["rows_inserted"], metadata["rows_updated"]) == (0, 0), entity
        assert landing_metadata(rerun, "dq_results")["validated_by"].startswith("unchanged since")
        after_versions, after_raw_log, after_staged, after_marks = bookkeeping(warehouse)
        assert after_versions == versions
        assert (after_raw_log, after_staged) == (raw_log, staged)
        assert mart_row_versions(warehouse) == rows
        assert all(after_marks[source] == to_datetime(world.now) > marks[source] for source in marks)
        with warehouse.begin() as conn:
            stamps = conn.execute(
                text("SELECT count(*) FROM raw.newsys_case WHERE case_no = ANY(:keys) AND updated_at = :t"),
                {"keys": restamped["newsys"], "t": to_datetime(world.now)},
            ).scalar_one()
        assert stamps == RESTAMPED
    finally:
        drop_database(pg_admin_uri, name)
