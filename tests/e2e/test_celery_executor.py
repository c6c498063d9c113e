"""The nightly job with the Celery executor on two workers (local RabbitMQ) publishes the same `mart` rows as
the in-process run of the same data."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
from psycopg import sql as pgsql
from sqlalchemy import text

from pipelines.cli import stop_process_tree
from pipelines.executors import celery_broker_url
from pipelines.run_tags import full_range_run_tags
from resources.embedded_postgres import sqlalchemy_url
from resources.scratch_databases import create_database, drop_database
from resources.warehouse import WarehouseResource, driver_connection
from simulator.faults import Faults
from simulator.server import SimulatorServers
from simulator.world import generate_world
from tests.celery_job import nightly_sync
from tests.deployed import instance_url, write_instance_config
from tests.sync_env import AS_OF, run_nightly_job, simulator_environment

ROOT = Path(__file__).resolve().parent.parent.parent
WORKERS = ("egov-sync-w1", "egov-sync-w2")


def broker_answers(url: str) -> bool:
    """True when the Celery broker accepts a connection."""
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=3) as connection:
            connection.ensure_connection(max_retries=1)
        return True
    except Exception:
        return False


def mart_rows(warehouse: WarehouseResource) -> dict[str, list[str]]:
    """Every row of every `mart` table as text, sorted, by table."""
    with warehouse.begin() as conn:
        tables = conn.execute(text(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'mart' "
            "AND table_type = 'BASE TABLE' ORDER BY table_name"
        )).scalars().all()
        cursor = driver_connection(conn).cursor()
        rows = {}
        for table in tables:
            query = pgsql.SQL("SELECT t::text FROM {} AS t").format(pgsql.Identifier("mart", table))
            rows[table] = sorted(row[0] for row in cursor.execute(query))
    return rows


@pytest.fixture
def warehouses(pg_admin_uri: str, template_db: str) -> Iterator[tuple[WarehouseResource, WarehouseResource]]:
    """Two fresh warehouses: one for the in-process run, one for the Celery run."""
    names = [create_database(pg_admin_uri, template=template_db) for _ in range(2)]
    yield tuple(WarehouseResource(url=sqlalchemy_url(pg_admin_uri, name)) for name in names)  # type: ignore[misc]
    for name in names:
        drop_database(pg_admin_uri, name)


@pytest.fixture
def instance_database(pg_admin_uri: str) -> Iterator[str]:
    """DAGSTER_PG_URL of a scratch database for the Dagster instance the workers share."""
    name = create_database(pg_admin_uri, prefix="egov_sync_dagster")
    yield instance_url(pg_admin_uri, name)
    drop_database(pg_admin_uri, name)


def start_workers(env: dict[str, str], logs: Path, workers: list[subprocess.Popen]) -> None:
    """Two Celery workers, started as the README says, one step at a time each; back once both are ready."""
    scripts = Path(sys.executable).parent
    env = env | {"PATH": os.pathsep.join([str(scripts), env.get("PATH", "")])}
    for name in WORKERS:
        log = (logs / f"{name}.log").open("w")
        workers.append(subprocess.Popen(
            [str(scripts / "dagster-celery"), "worker", "start", "-A", "dagster_celery.app", "--name", name,
             "--", "--concurrency=1"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        ))
    deadline = time.monotonic() + 120
    for name, worker in zip(WORKERS, workers, strict=True):
        log = logs / f"{name}.log"
        while "ready." not in log.read_text(errors="replace"):
            if worker.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-2000:]
                raise AssertionError(f"worker {name} did not start:\n{tail}")
            time.sleep(0.5)


def test_celery_run_on_two_workers_publishes_the_same_marts(
    warehouses: tuple[WarehouseResource, WarehouseResource], instance_database: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broker = celery_broker_url()
    if not broker_answers(broker):
        pytest.skip(f"no Celery broker answers at {broker.split('@')[-1]} (set EGOV_SYNC_CELERY_BROKER)")
    in_process, on_celery = warehouses
    world = generate_world(scale=500, seed=43)
    home = tmp_path / "dagster_home"
    write_instance_config(home)
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("DAGSTER_PG_URL", instance_database)
    compute_logs = tmp_path / "shared_compute_logs"
    monkeypatch.setenv("DAGSTER_COMPUTE_LOG_DIR", str(compute_logs))
    monkeypatch.setenv("EGOV_SYNC_DATA_DIR", str(tmp_path / "data"))
    with SimulatorServers(world, faults=Faults.none()) as servers:
        with simulator_environment(servers, in_process.url):
            assert run_nightly_job().success
        with simulator_environment(servers, on_celery.url):
            pythonpath = os.pathsep.join([str(ROOT), str(ROOT / "deploy" / "celery")])
            workers: list[subprocess.Popen] = []
            try:
                start_workers(os.environ | {"PYTHONPATH": pythonpath}, tmp_path, workers)
                with dg.DagsterInstance.get() as instance:
                    started = time.monotonic()
                    result = dg.execute_job(
                        dg.reconstructable(nightly_sync), instance=instance, tags=full_range_run_tags(AS_OF),
                        run_config={"execution": {"config": {"celery": {}}}}, raise_on_error=False,
                    )
                    assert result.success, [e.message for e in result.all_events if e.is_failure]
                    assert time.monotonic() - started < 600
            finally:
                for worker in workers:
                    stop_process_tree(worker, grace=10)
    for name in WORKERS:
        log = (tmp_path / f"{name}.log").read_text(errors="replace")
        assert "succeeded in" in log, f"worker {name} ran no step:\n{log[-2000:]}"
    steps = {event.step_key for event in result.all_events if event.is_step_success}
    step_logs = list((compute_logs / result.run_id / "compute_logs").glob("*.err"))
    assert len(step_logs) >= len(steps) > 10, "the workers' step logs are not in the shared folder"
    assert mart_rows(on_celery) == mart_rows(in_process)
