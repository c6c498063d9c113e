"""Any asset materialised alone, with its checks, as the asset graph's "Materialize" does it: after a nightly
run, a run of the implicit asset job selecting one asset and the checks on it, without the nightly's tags (so
without `egov_sync/as_of`), succeeds; a check it evaluates gives the nightly run's verdict, and a row-rule
check (validated only by `mart/dq_results`) is not evaluated rather than reported as a failure. Every
materialisation carries its table's `meta.table_version` as data version, the same for an unchanged source."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest

from core.catalogue import table_of
from expectations.rules import RULES_BY_NAME
from pipelines.definitions import defs
from resources.embedded_postgres import sqlalchemy_url
from resources.scratch_databases import create_database, drop_database
from resources.table_versions import current_version
from resources.warehouse import WarehouseResource
from simulator.faults import Faults
from simulator.server import SimulatorServers
from simulator.world import generate_world
from tests.sync_env import run_nightly_job, simulator_environment

SCALE = 400
DATA_VERSION_TAG = "dagster/data_version"


@pytest.fixture
def scratch_warehouse(pg_admin_uri: str, template_db: str) -> Iterator[WarehouseResource]:
    """A migrated warehouse of its own (the runs below write to it)."""
    name = create_database(pg_admin_uri, template=template_db)
    yield WarehouseResource(url=sqlalchemy_url(pg_admin_uri, name))
    drop_database(pg_admin_uri, name)


def verdicts(result: dg.ExecuteInProcessResult) -> dict[dg.AssetCheckKey, bool]:
    """The checks a run evaluated, with whether each passed."""
    evaluations = result.get_asset_check_evaluations()
    return {evaluation.asset_check_key: evaluation.passed for evaluation in evaluations}


def data_versions(result: dg.ExecuteInProcessResult) -> dict[dg.AssetKey, str | None]:
    """The data version each materialisation of a run carries (the last, for a partitioned asset)."""
    return {
        event.asset_key: event.materialization.tags.get(DATA_VERSION_TAG)
        for event in result.get_asset_materialization_events()
    }


def table_version(warehouse: WarehouseResource, key: dg.AssetKey) -> str | None:
    """The `meta.table_version` of the table an asset publishes, as text; None for a report."""
    table = table_of(key)
    if table is None:
        return None
    with warehouse.begin() as conn:
        return str(current_version(conn, table))


def checks_on(key: dg.AssetKey) -> set[dg.AssetCheckKey]:
    """The checks targeting one asset, which the asset graph runs with it."""
    return {check for check in defs.resolve_asset_graph().asset_check_keys if check.asset_key == key}


def latest_partition(key: dg.AssetKey, instance: dg.DagsterInstance) -> str | None:
    """The newest partition of a partitioned asset (the one a person would pick), else None."""
    partitions = defs.resolve_asset_graph().get(key).partitions_def
    if partitions is None:
        return None
    return partitions.get_partition_keys(dynamic_partitions_store=instance)[-1]


def materialise_alone(key: dg.AssetKey, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    """One run of the implicit asset job with `key` and its checks, tagged with nothing but the partition."""
    job = defs.resolve_implicit_global_asset_job_def().get_subset(
        asset_selection={key}, asset_check_selection=checks_on(key)
    )
    return job.execute_in_process(
        instance=instance, partition_key=latest_partition(key, instance), raise_on_error=False
    )


def test_every_asset_materialised_alone_after_a_nightly_run(
    scratch_warehouse: WarehouseResource, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EGOV_SYNC_DATA_DIR", str(tmp_path / "data"))
    world = generate_world(scale=SCALE, seed=97)
    instance = dg.DagsterInstance.ephemeral()
    with SimulatorServers(world, faults=Faults.none()) as servers, simulator_environment(
        servers, scratch_warehouse.url
    ):
        nightly = run_nightly_job(as_of=datetime.now(UTC), instance=instance)
        assert nightly.success
        in_nightly = verdicts(nightly)
        in_nightly_versions = data_versions(nightly)
        tables = {key for key in in_nightly_versions if table_of(key)}
        assert len(tables) == 19 and all(int(in_nightly_versions[key]) > 0 for key in tables)
        failures = {}
        keys = sorted(defs.resolve_asset_graph().get_all_asset_keys(), key=lambda key: key.to_user_string())
        assert len(keys) == 21
        for key in keys:
            result = materialise_alone(key, instance)
            name = key.to_user_string()
            if not result.success:
                failures[name] = [event.message for event in result.all_events if event.is_step_failure]
                continue
            assert [event.asset_key for event in result.get_asset_materialization_events()] == [key], name
            if table_of(key):
                assert data_versions(result) == {key: table_version(scratch_warehouse, key)}, name
            if key.path[0] == "raw":
                assert data_versions(result)[key] == in_nightly_versions[key], f"{name}: unchanged source"
            evaluated = verdicts(result)
            for check, passed in evaluated.items():
                assert passed == in_nightly[check], f"{name}: {check.name}"
            row_rules = {check for check in checks_on(key)
                         if check.name in RULES_BY_NAME and RULES_BY_NAME[check.name].row_level}
            assert not row_rules & set(evaluated), f"{name}: row rules evaluated without mart/dq_results"
            assert checks_on(key) - row_rules <= set(evaluated), f"{name}: a check was not evaluated"
    assert failures == {}
