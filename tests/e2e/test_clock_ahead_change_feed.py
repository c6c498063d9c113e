"""The change feed with a source clock running ahead: after records stamped far ahead were synced, the runs
the change-feed sensor requests still land every change the events announce."""

from __future__ import annotations

import dagster as dg
from sqlalchemy import text

from pipelines.sensors import newsys_change_feed_sensor
from resources.embedded_postgres import sqlalchemy_url
from resources.newsys_client import NewsysClient
from resources.scratch_databases import create_database, drop_database
from resources.warehouse import WarehouseResource
from simulator.faults import Faults
from simulator.server import SimulatorServers
from simulator.simtime import at
from simulator.world import generate_world
from tests.e2e.test_rerun_and_change_feed import run_change_feed_job
from tests.oracle.expected import expected_fact_case, truth_for_world
from tests.sync_env import AS_OF, CREDENTIALS, PII_KEY, run_nightly_job, simulator_environment


def sensor_tick(servers: SimulatorServers, cursor: str | None) -> dg.SensorResult | dg.SkipReason:
    """One tick of the change-feed sensor against the simulator."""
    client = NewsysClient(
        base_url=servers.newsys_url,
        client_id=CREDENTIALS["NEWSYS_CLIENT_ID"],
        client_secret=CREDENTIALS["NEWSYS_CLIENT_SECRET"],
    )
    context = dg.build_sensor_context(
        cursor=cursor, resources={"newsys": client}, instance=dg.DagsterInstance.ephemeral()
    )
    return newsys_change_feed_sensor(context)


def test_feed_runs_land_every_announced_change_after_records_stamped_ahead(
    pg_admin_uri: str, template_db: str
) -> None:
    name = create_database(pg_admin_uri, template=template_db)
    warehouse = WarehouseResource(url=sqlalchemy_url(pg_admin_uri, name))
    world = generate_world(scale=600, seed=17)
    try:
        with (
            SimulatorServers(world, faults=Faults.none()) as servers,
            simulator_environment(servers, warehouse.url),
        ):
            with servers.lock:
                world.stamp_ahead(2, at(2035, 6, 1))
            first = sensor_tick(servers, None)
            assert isinstance(first, dg.SensorResult)
            assert run_nightly_job().success
            with servers.lock:
                summary = world.apply_changes(40, seed=8)
            announced = sensor_tick(servers, first.cursor)
            assert isinstance(announced, dg.SensorResult) and announced.run_requests
            assert run_change_feed_job().success
        expected = expected_fact_case(truth_for_world(world, as_of=AS_OF, pii_key=PII_KEY))
        with warehouse.begin() as conn:
            rows = conn.execute(text("SELECT case_key, status_code FROM mart.fact_case")).tuples().all()
            landed = dict(rows)
            watermark = conn.execute(
                text("SELECT value FROM raw.watermark WHERE source = 'newsys' AND entity = 'case'")
            ).scalar()
        assert watermark is not None and watermark.year < 2035
        assert summary.newsys_keys
        for key in summary.newsys_keys:
            if key in expected:
                assert landed.get(key) == expected[key]["status_code"], key
            else:
                assert key not in landed, key
    finally:
        drop_database(pg_admin_uri, name)
