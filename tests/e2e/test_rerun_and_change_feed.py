"""Re-running changes no published row; the change-feed job syncs exactly what the new system changed."""

from __future__ import annotations

from collections import Counter

import dagster as dg
from psycopg import sql as pgsql
from sqlalchemy import text

from pipelines.run_tags import full_range_run_tags
from resources.embedded_postgres import sqlalchemy_url
from resources.scratch_databases import create_database, drop_database
from resources.warehouse import WarehouseResource, driver_connection
from simulator.faults import Faults
from simulator.server import SimulatorServers
from simulator.world import generate_world
from tests.oracle.expected import expected_fact_case, truth_for_world
from tests.sync_env import AS_OF, PII_KEY, run_nightly_job, simulator_environment

APPEND_ONLY = {"dq_results"}


def mart_row_versions(warehouse: WarehouseResource) -> dict[str, Counter]:
    """Per published table (history tables aside), the multiset of its rows' xmin."""
    versions: dict[str, Counter] = {}
    with warehouse.begin() as conn:
        tables = (
            conn.execute(
                text(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'mart' "
                    "AND table_type = 'BASE TABLE'"
                )
            )
            .scalars()
            .all()
        )
        cursor = driver_connection(conn).cursor()
        for table in sorted(set(tables) - APPEND_ONLY):
            query = pgsql.SQL("SELECT xmin::text FROM {}").format(pgsql.Identifier("mart", table))
            versions[table] = Counter(row[0] for row in cursor.execute(query))
    return versions


def run_change_feed_job() -> dg.ExecuteInProcessResult:
    """One in-process run of the job the change-feed sensor requests."""
    from pipelines.definitions import defs

    return defs.resolve_job_def("newsys_changes_sync").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), tags=full_range_run_tags(AS_OF), raise_on_error=False
    )


def test_rerun_is_a_no_op_and_change_feed_sync_follows_the_source(
    pg_admin_uri: str, template_db: str
) -> None:
    name = create_database(pg_admin_uri, template=template_db)
    warehouse = WarehouseResource(url=sqlalchemy_url(pg_admin_uri, name))
    world = generate_world(scale=1000, seed=31)
    try:
        with (
            SimulatorServers(world, faults=Faults.none()) as servers,
            simulator_environment(servers, warehouse.url),
        ):
            assert run_nightly_job().success
            before = mart_row_versions(warehouse)
            assert run_nightly_job().success
            assert mart_row_versions(warehouse) == before
            with servers.lock:
                summary = world.apply_changes(40, seed=4)
            assert run_change_feed_job().success
        expected = expected_fact_case(truth_for_world(world, as_of=AS_OF, pii_key=PII_KEY))
        with warehouse.begin() as conn:
            landed = {
                row.case_key: row.status_code
                for row in conn.execute(text("SELECT case_key, status_code FROM mart.fact_case"))
            }
        for key in summary.newsys_keys:
            if key in expected:
                assert landed.get(key) == expected[key]["status_code"], key
            else:
                assert key not in landed, key
    finally:
        drop_database(pg_admin_uri, name)
