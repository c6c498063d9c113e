"""Landing both source systems through the real clients, over HTTP, from a faulty simulator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import dagster as dg
import pytest
from sqlalchemy import text

from assets.raw import egov_case, newsys_case, newsys_official, newsys_procedure, newsys_unit
from ingest.text import clean
from resources.egov_client import EgovClient
from resources.newsys_client import NewsysClient
from resources.settings import PipelineSettings
from resources.warehouse import WarehouseResource
from simulator.faults import Faults
from simulator.server import SimulatorServers
from simulator.world import World, generate_world
from tests.oracle.expected import quarantine_truth, truth_for_world
from tests.sync_env import AS_OF, CREDENTIALS, PII_KEY

RAW_ASSETS = [newsys_case, newsys_official, newsys_procedure, newsys_unit, egov_case]
RAW_ROW_VERSIONS = {
    "raw.newsys_case": "SELECT case_no AS k, xmin::text AS v FROM raw.newsys_case",
    "raw.egov_case": "SELECT egov_id::text AS k, xmin::text AS v FROM raw.egov_case",
    "raw.newsys_official": "SELECT user_name AS k, xmin::text AS v FROM raw.newsys_official",
    "raw.newsys_procedure": "SELECT procedure_code AS k, xmin::text AS v FROM raw.newsys_procedure",
    "raw.newsys_unit": "SELECT unit_code AS k, xmin::text AS v FROM raw.newsys_unit",
    "raw.quarantine": (
        "SELECT source || '/' || entity || '/' || record_key AS k, xmin::text AS v FROM raw.quarantine"
    ),
}


@pytest.fixture
def world() -> World:
    """A small simulated world of both systems, fresh for each test."""
    return generate_world(scale=1200, seed=5)


@pytest.fixture
def servers(world: World) -> Iterator[SimulatorServers]:
    """Both simulated APIs on loopback, with every kind of fault switched on."""
    with SimulatorServers(world, faults=Faults.heavy()) as running:
        yield running


def resources_for(servers: SimulatorServers, warehouse: WarehouseResource) -> dict[str, Any]:
    """The raw assets' resources pointed at the simulator."""
    return {
        "warehouse": warehouse,
        "egov": EgovClient(base_url=servers.egov_url, api_key=CREDENTIALS["EGOV_API_KEY"], page_size=100),
        "newsys": NewsysClient(
            base_url=servers.newsys_url,
            client_id=CREDENTIALS["NEWSYS_CLIENT_ID"],
            client_secret=CREDENTIALS["NEWSYS_CLIENT_SECRET"],
            page_limit=150,
        ),
        "settings": PipelineSettings(pii_hash_key=PII_KEY),
    }


def land(resources: dict[str, Any], raise_on_error: bool = True) -> dg.ExecuteInProcessResult:
    """One in-process run of the raw landing assets."""
    return dg.materialize(RAW_ASSETS, resources=resources, raise_on_error=raise_on_error)


def land_without_concurrent_updates(
    servers: SimulatorServers, warehouse: WarehouseResource
) -> tuple[dict[str, Any], dict[tuple[str, str], str]]:
    """Switch off concurrent source updates, land once, and return the resources and every row's version."""
    servers.faults.rate_concurrent_update = 0.0
    resources = resources_for(servers, warehouse)
    land(resources)
    return resources, row_versions(warehouse)


def row_versions(warehouse: WarehouseResource) -> dict[tuple[str, str], str]:
    """Every raw row's key with its transaction id of last change (xmin)."""
    versions: dict[tuple[str, str], str] = {}
    with warehouse.begin() as conn:
        for table, statement in RAW_ROW_VERSIONS.items():
            versions.update({(table, row.k): row.v for row in conn.execute(text(statement))})
    return versions


def assert_raw_matches_world(warehouse: WarehouseResource, world: World) -> None:
    """Raw tables hold exactly the valid current records, quarantine exactly the bad ones (by the oracle)."""
    truth = truth_for_world(world, as_of=AS_OF, pii_key=PII_KEY)
    bad = quarantine_truth(truth)
    with warehouse.begin() as conn:
        landed_bad = {
            (r.source, r.entity, r.record_key): sorted(r.reasons)
            for r in conn.execute(text("SELECT * FROM raw.quarantine WHERE resolved_at IS NULL"))
        }
        newsys_rows = {
            r.case_no: r.payload for r in conn.execute(text("SELECT case_no, payload FROM raw.newsys_case"))
        }
        egov_rows = {
            r.k: r.payload
            for r in conn.execute(text("SELECT egov_id::text AS k, payload FROM raw.egov_case"))
        }
        counts = conn.execute(text("SELECT count(*) FROM raw.newsys_case")).scalar()
    assert set(landed_bad) == set(bad)
    assert landed_bad == bad
    bad_newsys = {key for source, entity, key in bad if (source, entity) == ("newsys", "case")}
    expected_newsys = {
        clean(r.get("MaHoSo")): r for r in world.newsys_records() if clean(r.get("MaHoSo")) not in bad_newsys
    }
    expected_newsys.pop("", None)
    assert set(newsys_rows) == set(expected_newsys)
    assert counts == len(expected_newsys)
    for key, payload in expected_newsys.items():
        assert newsys_rows[key] == json.loads(json.dumps(payload)), key
    bad_egov = {key for source, entity, key in bad if (source, entity) == ("egov", "case")}
    expected_egov = {str(r["id"]): r for r in world.egov_records() if str(r.get("id")) not in bad_egov}
    expected_egov = {k: r for k, r in expected_egov.items() if isinstance(r.get("id"), int)}
    assert set(egov_rows) == set(expected_egov)


def test_every_record_lands_exactly_once_despite_faults(
    warehouse: WarehouseResource, world: World, servers: SimulatorServers
) -> None:
    result = land(resources_for(servers, warehouse))
    assert result.success
    assert_raw_matches_world(warehouse, world)
    stats = servers.stats
    assert sum(stats.get(kind, 0) for kind in ("429", "5xx", "drops", "token_expiries")) > 0, stats


def test_second_run_without_source_change_changes_no_row(
    warehouse: WarehouseResource, world: World, servers: SimulatorServers
) -> None:
    resources, before = land_without_concurrent_updates(servers, warehouse)
    result = land(resources)
    assert row_versions(warehouse) == before
    for event in result.get_asset_materialization_events():
        metadata = event.materialization.metadata
        assert metadata["rows_inserted"].value == 0 and metadata["rows_updated"].value == 0


def test_next_run_picks_up_exactly_the_changed_records(
    warehouse: WarehouseResource, world: World, servers: SimulatorServers
) -> None:
    resources, before = land_without_concurrent_updates(servers, warehouse)
    summary = world.apply_changes(60, seed=3)
    land(resources)
    after = row_versions(warehouse)
    changed = {key for key, version in after.items() if before.get(key) != version}
    changed_cases = {key for table, key in changed if table == "raw.newsys_case"}
    changed_egov = {int(key) for table, key in changed if table == "raw.egov_case"}
    quarantined = {key.split("/", 2)[2] for table, key in changed if table == "raw.quarantine"}
    assert changed_cases | {k for k in quarantined if k in summary.newsys_keys} == set(summary.newsys_keys)
    assert changed_egov | {int(k) for k in quarantined if k.isdigit()} >= set(summary.egov_ids)
    assert changed_egov <= set(summary.egov_ids)
    assert_raw_matches_world(warehouse, world)


def test_run_killed_midway_loses_and_duplicates_nothing(
    warehouse: WarehouseResource, world: World, servers: SimulatorServers, monkeypatch: pytest.MonkeyPatch
) -> None:
    servers.faults.rate_concurrent_update = 0.0
    original = NewsysClient.iter_case_pages

    def dies_after_three_pages(self: NewsysClient, since: Any, stats: Any) -> Iterator[list[Any]]:
        for number, page in enumerate(original(self, since, stats), start=1):
            yield page
            if number == 3:
                raise RuntimeError("injected failure after 3 pages")

    monkeypatch.setattr(NewsysClient, "iter_case_pages", dies_after_three_pages)
    resources = resources_for(servers, warehouse)
    failed = land(resources, raise_on_error=False)
    assert not failed.success
    with warehouse.begin() as conn:
        partial = conn.execute(text("SELECT count(*) FROM raw.newsys_case")).scalar()
        partial += conn.execute(text("SELECT count(*) FROM raw.quarantine WHERE source = 'newsys'")).scalar()
        watermark = conn.execute(text("SELECT value FROM raw.watermark WHERE source = 'newsys'")).scalar()
    assert partial >= 3 * 150 - 20, "the pages fetched before the failure were committed"
    assert watermark is not None
    monkeypatch.setattr(NewsysClient, "iter_case_pages", original)
    assert land(resources).success
    assert_raw_matches_world(warehouse, world)


def test_concurrent_updates_converge_on_the_next_run(
    warehouse: WarehouseResource, world: World, servers: SimulatorServers
) -> None:
    servers.faults.rate_concurrent_update = 0.2
    resources = resources_for(servers, warehouse)
    land(resources)
    servers.faults.rate_concurrent_update = 0.0
    land(resources)
    assert_raw_matches_world(warehouse, world)
