"""Quiet event logs: after a small change batch (POST /_sim/changes), the change-feed run materialises no
monthly partition, `changed_months_sensor` requests one run per contiguous range of the months the changes
touched, and the instance's event log holds a materialisation of exactly those partitions; the marts then
equal a full rebuild, and so they do after the next nightly run (which counts those months again)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import dagster as dg
import httpx
from psycopg import sql as pgsql

from core import asset_keys as keys
from pipelines.jobs import MONTHLY_MARTS
from pipelines.run_tags import PARTITION_RANGE_END_TAG, PARTITION_RANGE_START_TAG, as_of_run_tags
from pipelines.sensors import changed_months_sensor
from resources.embedded_postgres import sqlalchemy_url
from resources.scratch_databases import create_database, drop_database
from resources.warehouse import WarehouseResource, driver_connection
from simulator.faults import Faults
from simulator.server import SimulatorServers
from simulator.world import generate_world
from tests.e2e.test_incremental_builds import published, run_downstream
from tests.sync_env import AS_OF, run_nightly_job, simulator_environment

MONTHLY_TABLES = {keys.INDICATOR_MONTHLY: "indicator_monthly"}


def materialised(instance: dg.DagsterInstance, run_id: str) -> dict[dg.AssetKey, list[str | None]]:
    """The partitions (None: unpartitioned) of every asset a run's event log holds a materialisation of."""
    found: dict[dg.AssetKey, list[str | None]] = {}
    for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION):
        event = entry.dagster_event
        assert event is not None and event.asset_key is not None
        found.setdefault(event.asset_key, []).append(event.partition)
    return found


def rows_by_month(warehouse: WarehouseResource) -> dict[str, Counter]:
    """The rows of each monthly mart, per partition key of their month."""
    months: dict[str, Counter] = {}
    with warehouse.begin() as conn:
        cursor = driver_connection(conn).cursor()
        for key, table in MONTHLY_TABLES.items():
            query = pgsql.SQL("SELECT period_month, t.* FROM {} AS t").format(pgsql.Identifier("mart", table))
            for row in cursor.execute(query):
                months.setdefault(f"{key.to_user_string()}@{row[0].isoformat()}", Counter())[tuple(row)] += 1
    return months


def feed_then_months(
    instance: dg.DagsterInstance, warehouse: WarehouseResource, as_of: datetime
) -> tuple[list[dg.RunRequest], set[str]]:
    """A change-feed run at `as_of`, the sensor's plan after it and its month-range runs, each checked to have
    materialised exactly its months; returns the requests and every month recomputed."""
    from assets.indicators import MONTHLY_PARTITIONS
    from pipelines.definitions import defs

    feed = defs.resolve_job_def("newsys_changes_sync").execute_in_process(
        instance=instance, tags=as_of_run_tags(as_of) | {"egov_sync/trigger": "events"}
    )
    assert feed.success
    assert not set(materialised(instance, feed.run_id)) & set(MONTHLY_MARTS)
    resources = {"warehouse": warehouse}
    planned = changed_months_sensor(dg.build_sensor_context(instance=instance, resources=resources))
    assert isinstance(planned, dg.SensorResult) and planned.run_requests, planned
    again = changed_months_sensor(
        dg.build_sensor_context(instance=instance, cursor=planned.cursor, resources=resources)
    )
    assert isinstance(again, dg.SkipReason), "a second tick planned the same run again"
    partitions = MONTHLY_PARTITIONS.get_partition_keys(current_time=as_of)
    months_job = defs.resolve_job_def("changed_months_sync")
    recomputed: set[str] = set()
    for request in planned.run_requests:
        start, end = request.tags[PARTITION_RANGE_START_TAG], request.tags[PARTITION_RANGE_END_TAG]
        assert request.tags["egov_sync/as_of"] == as_of.isoformat()
        months = [key for key in partitions if start <= key <= end]
        assert not recomputed & set(months), "two runs recounted the same month"
        recomputed |= set(months)
        run = months_job.execute_in_process(
            instance=instance, tags=request.tags, asset_selection=request.asset_selection
        )
        assert run.success
        events = materialised(instance, run.run_id)
        for key in MONTHLY_MARTS:
            assert sorted(events[key]) == months, (key, start, end)
    assert 0 < len(recomputed) < len(partitions), sorted(recomputed)
    starts = [request.tags[PARTITION_RANGE_START_TAG] for request in planned.run_requests]
    assert starts == sorted(starts)
    assert keys.MONTHLY_REPORT in (planned.run_requests[-1].asset_selection or [])
    return list(planned.run_requests), recomputed


def test_a_change_feed_run_materialises_only_the_months_it_recomputed(
    pg_admin_uri: str, template_db: str
) -> None:
    name = create_database(pg_admin_uri, template=template_db)
    warehouse = WarehouseResource(url=sqlalchemy_url(pg_admin_uri, name))
    world = generate_world(scale=400, seed=23)
    instance = dg.DagsterInstance.ephemeral()
    as_of = AS_OF + timedelta(hours=1)
    try:
        with (
            SimulatorServers(world, faults=Faults.none()) as servers,
            simulator_environment(servers, warehouse.url),
        ):
            assert run_nightly_job(AS_OF, instance).success
            before = rows_by_month(warehouse)
            summary = httpx.post(f"{servers.newsys_url}/_sim/changes", params={"n": 12}, timeout=30).json()
            assert summary["newsys_keys"]
            _, recomputed = feed_then_months(instance, warehouse, as_of)
            after = rows_by_month(warehouse)
            changed = {label for label in before | after if before.get(label) != after.get(label)}
            assert {label.rsplit("@", 1)[1] for label in changed} <= recomputed, sorted(changed)
            after_changes = published(warehouse, as_of)
            assert run_downstream(as_of, full=True).success
            assert published(warehouse, as_of) == after_changes
            assert run_downstream(as_of, full=False).success  # so that the next runs are incremental

            httpx.post(f"{servers.newsys_url}/_sim/changes", params={"n": 12}, timeout=30).raise_for_status()
            as_of += timedelta(hours=1)
            feed_then_months(instance, warehouse, as_of)
            with servers.lock:
                world.apply_changes(20, seed=3)
            as_of += timedelta(hours=2)
            nightly = run_nightly_job(as_of, instance)
            assert nightly.success
            after_nightly = published(warehouse, as_of)
            assert run_downstream(as_of, full=True).success
            assert published(warehouse, as_of) == after_nightly
    finally:
        drop_database(pg_admin_uri, name)
