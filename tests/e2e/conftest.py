"""A warehouse synced end to end from the simulator by the real nightly job, and the oracle's answers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import dagster as dg
import pytest

from resources.warehouse import WarehouseResource
from simulator.faults import Faults
from simulator.server import SimulatorServers
from simulator.world import World, generate_world
from tests.oracle.expected import TruthInputs, truth_for_world
from tests.sync_env import AS_OF, PII_KEY, run_nightly_job, simulator_environment

E2E_SCALE = 2000
E2E_SEED = 20241224


@dataclass
class SyncedWarehouse:
    """The outcome of one full nightly run against the simulator."""

    world: World
    warehouse: WarehouseResource
    as_of: datetime
    truth: TruthInputs
    result: dg.ExecuteInProcessResult
    data_dir: Path


@pytest.fixture(scope="session")
def synced(
    pg_admin_uri: str, template_db: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SyncedWarehouse]:
    """Every asset materialised once from a faulty simulator into a fresh warehouse (shared, read-only)."""
    from resources.embedded_postgres import sqlalchemy_url
    from resources.scratch_databases import create_database, drop_database

    name = create_database(pg_admin_uri, template=template_db)
    warehouse = WarehouseResource(url=sqlalchemy_url(pg_admin_uri, name))
    world = generate_world(scale=E2E_SCALE, seed=E2E_SEED)
    faults = Faults.heavy()
    faults.rate_concurrent_update = 0.0
    data_dir = tmp_path_factory.mktemp("e2e-data")
    with (
        SimulatorServers(world, faults=faults) as servers,
        simulator_environment(servers, warehouse.url),
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setenv("EGOV_SYNC_DATA_DIR", str(data_dir))
        result = run_nightly_job()
    truth = truth_for_world(world, as_of=AS_OF, pii_key=PII_KEY)
    yield SyncedWarehouse(world, warehouse, AS_OF, truth, result, data_dir)
    drop_database(pg_admin_uri, name)
