"""Landing both source systems through the real clients, over HTTP, from a faulty simulator."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from typing import Any

import dagster as dg
import pytest
from sqlalchemy import text

from assets.raw import (
    egov_case,
    newsys_case,
    newsys_official,
    newsys_petition,
    newsys_procedure,
    newsys_rating,
    newsys_unit,
)
from ingest.text import clean
from resources.egov_client import EgovClient
from resources.newsys_client import NewsysClient
from resources.settings import PipelineSettings
from resources.warehouse import WarehouseResource
from simulator.faults import Faults
from simulator.server import SimulatorServers
from simulator.world import World, generate_world
from tests.oracle.expected import petition_quarantine_truth, quarantine_truth, truth_for_world
from tests.oracle.petition_records import read_petition, read_rating
from tests.oracle.petitions import latest_versions
from tests.oracle.source_records import Reading
from tests.sync_env import AS_OF, CREDENTIALS, PII_KEY

CASE_ASSETS = [newsys_case, newsys_official, newsys_procedure, newsys_unit, egov_case]
RAW_ASSETS = [*CASE_ASSETS, newsys_petition, newsys_rating]
RAW_ROW_VERSIONS = {
    "raw.newsys_case": "SELECT case_no AS k, xmin::text AS v FROM raw.newsys_case",
    "raw.egov_case": "SELECT egov_id::text AS k, xmin::text AS v FROM raw.egov_case",
    "raw.newsys_official": "SELECT user_name AS k, xmin::text AS v FROM raw.newsys_official",
    "raw.newsys_procedure": "SELECT procedure_code AS k, xmin::text AS v FROM raw.newsys_procedure",
    "raw.newsys_unit": "SELECT unit_code AS k, xmin::text AS v FROM raw.newsys_unit",
    "raw.newsys_petition": "SELECT petition_key AS k, xmin::text AS v FROM raw.newsys_petition",
    "raw.newsys_rating": "SELECT rating_key AS k, xmin::text AS v FROM raw.newsys_rating",
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


def resources_for(
    servers: SimulatorServers, warehouse: WarehouseResource, page_limit: int = 150
) -> dict[str, Any]:
    """The raw assets' resources pointed at the simulator (new-system pages of `page_limit` records)."""
    return {
        "warehouse": warehouse,
        "egov": EgovClient(base_url=servers.egov_url, api_key=CREDENTIALS["EGOV_API_KEY"], page_size=100),
        "newsys": NewsysClient(
            base_url=servers.newsys_url,
            client_id=CREDENTIALS["NEWSYS_CLIENT_ID"],
            client_secret=CREDENTIALS["NEWSYS_CLIENT_SECRET"],
            page_limit=page_limit,
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


# The oracle's reading of a petition or rating, field by field, is a column of the raw table of the same name.
FEEDBACK_FEEDS = {
    "raw.newsys_petition": ("petition_key", World.petition_records, read_petition),
    "raw.newsys_rating": ("rating_key", World.rating_records, read_rating),
}


def oracle_current(payloads: list[dict[str, Any]], reader: Callable[[Any], Reading]) -> dict[str, Any]:
    """Key -> the oracle's reading of the key's current version, for the keys whose version is valid
    (tombstones included: raw keeps them)."""
    readings = latest_versions(payloads, reader)
    return {key: reading.value for key, reading in readings.items() if not reading.reasons}


def assert_feedback_matches_world(warehouse: WarehouseResource, world: World) -> None:
    """The petition and rating tables hold exactly the valid current records, each column as the oracle reads
    it, and the payload as served."""
    for table, (key, records, reader) in FEEDBACK_FEEDS.items():
        payloads = records(world)
        served = {reader(payload).record_key: payload for payload in payloads}
        expected = oracle_current(payloads, reader)
        fields = [field.name for field in dataclasses.fields(next(iter(expected.values())))]
        query = text(f"SELECT {', '.join(fields)}, payload FROM {table}")
        with warehouse.begin() as conn:
            rows = {row[key]: row for row in conn.execute(query).mappings()}
        assert set(rows) == set(expected), table
        for name, value in expected.items():
            landed = {field: rows[name][field] for field in fields}
            assert landed == dataclasses.asdict(value), name
            assert rows[name]["payload"] == json.loads(json.dumps(served[name])), name


def assert_raw_matches_world(warehouse: WarehouseResource, world: World) -> None:
    """Raw tables hold exactly the valid current records, quarantine exactly the bad ones (by the oracle)."""
    truth = truth_for_world(world, as_of=AS_OF, pii_key=PII_KEY)
    bad = quarantine_truth(truth) | petition_quarantine_truth(truth)
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
    assert_feedback_matches_world(warehouse, world)


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
    for table, entity, touched in (
        ("raw.newsys_petition", "petition", summary.petition_keys),
        ("raw.newsys_rating", "rating", summary.rating_keys),
    ):
        assert touched, entity
        rows_changed = {key for changed_table, key in changed if changed_table == table}
        held = {key.split("/", 2)[2] for changed_table, key in changed
                if changed_table == "raw.quarantine" and key.startswith(f"newsys/{entity}/")}  # fmt: skip
        dropped = {key for known_table, key in before if known_table == table and (table, key) not in after}
        assert rows_changed | held == set(touched), entity
        assert dropped <= held, entity
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


@pytest.mark.parametrize(
    ("feed", "entity"), [("iter_petition_pages", "petition"), ("iter_rating_pages", "rating")]
)
def test_a_petition_or_rating_read_killed_midway_loses_and_duplicates_nothing(
    warehouse: WarehouseResource,
    world: World,
    servers: SimulatorServers,
    monkeypatch: pytest.MonkeyPatch,
    feed: str,
    entity: str,
) -> None:
    servers.faults.rate_concurrent_update = 0.0
    original = getattr(NewsysClient, feed)

    def dies_after_two_pages(self: NewsysClient, since: Any, stats: Any) -> Iterator[list[Any]]:
        for number, page in enumerate(original(self, since, stats), start=1):
            yield page
            if number == 2:
                raise RuntimeError("injected failure after 2 pages")

    monkeypatch.setattr(NewsysClient, feed, dies_after_two_pages)
    resources = resources_for(servers, warehouse, page_limit=40)
    failed = land(resources, raise_on_error=False)
    assert not failed.success
    with warehouse.begin() as conn:
        landed = conn.execute(text(f"SELECT count(*) FROM raw.newsys_{entity}")).scalar()
        held = conn.execute(
            text("SELECT count(*) FROM raw.quarantine WHERE source = 'newsys' AND entity = :entity"),
            {"entity": entity},
        ).scalar()
        watermark = conn.execute(
            text("SELECT value FROM raw.watermark WHERE source = 'newsys' AND entity = :entity"),
            {"entity": entity},
        ).scalar()
    assert landed + held >= 2 * 40 - 10, "the pages fetched before the failure were committed"
    assert watermark is not None
    monkeypatch.setattr(NewsysClient, feed, original)
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


def printed_section(printed: str, title: str) -> list[str]:
    """The lines of one `=== title ===` section of the printed summary."""
    return printed.split(f"=== {title} ===", 1)[1].split("\n=== ", 1)[0].splitlines()


def test_the_summary_shows_both_feeds_counts_and_quarantine(
    warehouse: WarehouseResource,
    world: World,
    servers: SimulatorServers,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from pipelines.cli import print_summary

    result = land(resources_for(servers, warehouse))
    monkeypatch.setenv("WAREHOUSE_URL", warehouse.url)
    capsys.readouterr()
    print_summary(result.run_id, 1.0)
    printed = capsys.readouterr().out
    truth = petition_quarantine_truth(truth_for_world(world, as_of=AS_OF, pii_key=PII_KEY))
    feeds = printed_section(printed, "petitions and ratings (raw)")
    landed_now = printed_section(printed, "landed in this run")
    for table, (_, records, reader) in FEEDBACK_FEEDS.items():
        entity = table.removeprefix("raw.newsys_")
        current = oracle_current(records(world), reader).values()
        live = sum(1 for value in current if not value.is_deleted)
        held = [reasons for (_, bad_entity, _), reasons in truth.items() if bad_entity == entity]
        line = next(line for line in feeds if line.startswith(f"newsys/{entity} "))
        assert line.split()[1:] == [str(live), str(len(current) - live), str(len(held))], line
        reasons_line = feeds[feeds.index(line) + 1]
        assert reasons_line.startswith("  quarantine reasons: ") and "missing:Ma" in reasons_line
        assert any(line.startswith(f"newsys/{entity} ") for line in landed_now)
