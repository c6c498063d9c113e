"""The warehouse drops a connection: the pipeline's backend is terminated from a second connection in the
middle of a COPY and in the middle of a mart publish. The transaction in flight is rolled back and run again
on a fresh connection; what was committed stays committed, and the published mart is all or nothing."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from resources.publication import Publication
from resources.warehouse import WarehouseResource
from resources.warehouse_retry import in_transaction
from simulator.server import SimulatorServers
from simulator.world import generate_world
from tests.integration.test_landing import assert_raw_matches_world, land, resources_for
from tests.sync_env import PII_KEY
from transform.builds import BuildInputs
from transform.case_universe import CASE_LINK, FACT_CASE, STAGING_CASE
from transform.registry import run_build

pytestmark = pytest.mark.integration
DELETE_SOME = text(
    "DELETE FROM mart.fact_case WHERE case_key IN (SELECT case_key FROM mart.fact_case LIMIT 50)"
)
PIPELINE_BACKENDS = (
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'egov-sync'"
    " AND pid <> pg_backend_pid() AND state = 'active' AND query LIKE %s"
)


def libpq_uri(warehouse: WarehouseResource) -> str:
    """The warehouse URL as psycopg takes it."""
    return warehouse.url.replace("postgresql+psycopg://", "postgresql://", 1)


@contextmanager
def terminator(warehouse: WarehouseResource, query_pattern: str) -> Iterator[list[int]]:
    """A second connection that terminates the first pipeline backend seen running a matching statement."""
    killed: list[int] = []
    stop = threading.Event()

    def watch() -> None:
        uri = libpq_uri(warehouse)
        with psycopg.connect(uri, autocommit=True, application_name="fault-injector") as conn:
            while not stop.is_set() and not killed:
                row = conn.execute(PIPELINE_BACKENDS, (query_pattern,)).fetchone()
                if row and conn.execute("SELECT pg_terminate_backend(%s)", (row[0],)).fetchone()[0]:
                    killed.append(row[0])

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield killed
    finally:
        stop.set()
        thread.join(timeout=10)


@contextmanager
def blocked(warehouse: WarehouseResource, table: str) -> Iterator[None]:
    """Hold an exclusive lock on `table` from a second connection, so the pipeline waits mid-transaction."""
    with psycopg.connect(libpq_uri(warehouse), application_name="fault-injector") as conn:
        conn.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        yield
        conn.rollback()


def test_a_backend_terminated_mid_copy_loses_and_duplicates_nothing(warehouse: WarehouseResource) -> None:
    world = generate_world(scale=4000, seed=11)
    with SimulatorServers(world) as servers:
        resources = resources_for(servers, warehouse)
        with terminator(warehouse, "COPY land_valid%") as killed:
            result = land(resources, raise_on_error=False)
        assert killed, "a COPY of the landing was interrupted"
        assert result.success
        assert_raw_matches_world(warehouse, world)
        again = land(resources)
        assert again.success
    assert_raw_matches_world(warehouse, world)


def staged(warehouse: WarehouseResource) -> None:
    """Land the simulator and build staging, so that `mart.fact_case` can be published."""
    world = generate_world(scale=600, seed=3)
    with SimulatorServers(world) as servers:
        assert land(resources_for(servers, warehouse)).success
    warehouse.transaction(lambda conn: run_build(conn, STAGING_CASE, BuildInputs()))
    warehouse.transaction(lambda conn: run_build(conn, CASE_LINK, BuildInputs()))


def publish_fact_case(conn: Connection) -> Publication:
    """Rebuild `mart.fact_case` in full; what it published."""
    return run_build(conn, FACT_CASE, BuildInputs(full=True, pii_hash_key=PII_KEY)).published


def fact_case_rows(warehouse: WarehouseResource) -> list[tuple]:
    """Every published case row, in key order."""
    with warehouse.begin() as conn:
        return [tuple(row) for row in conn.execute(text("SELECT * FROM mart.fact_case ORDER BY case_key"))]


def test_a_backend_terminated_mid_publish_is_published_again_whole(warehouse: WarehouseResource) -> None:
    staged(warehouse)
    expected = warehouse.transaction(publish_fact_case)
    published = fact_case_rows(warehouse)
    with warehouse.begin() as conn:
        conn.execute(DELETE_SOME)
    with terminator(warehouse, "LOCK TABLE mart.fact_case%") as killed, blocked(warehouse, "mart.fact_case"):
        changes = None

        def publish() -> None:
            nonlocal changes
            changes = warehouse.transaction(publish_fact_case)

        worker = threading.Thread(target=publish)
        worker.start()
        deadline = time.monotonic() + 30
        while not killed and time.monotonic() < deadline:
            time.sleep(0.05)
    worker.join(timeout=60)
    assert killed, "the publish was interrupted while it waited for its lock"
    assert changes is not None and changes.inserted == 50
    assert expected.inserted == len(published)
    assert fact_case_rows(warehouse) == published


def test_an_interrupted_publish_that_is_not_retried_changes_nothing(warehouse: WarehouseResource) -> None:
    staged(warehouse)
    warehouse.transaction(publish_fact_case)
    with warehouse.begin() as conn:
        conn.execute(DELETE_SOME)
    before = fact_case_rows(warehouse)
    with (
        terminator(warehouse, "LOCK TABLE mart.fact_case%") as killed,
        blocked(warehouse, "mart.fact_case"),
        pytest.raises(DBAPIError),
    ):
        in_transaction(warehouse.engine(), publish_fact_case, attempts=1)
    assert killed
    assert fact_case_rows(warehouse) == before
