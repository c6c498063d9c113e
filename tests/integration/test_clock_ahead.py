"""A source clock that runs ahead: records stamped after the pipeline's clock land like any other, but never
carry the watermark past changes not yet read (both sources, both watermark modes)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import text

from resources.warehouse import WarehouseResource
from simulator.faults import Faults
from simulator.server import SimulatorServers
from simulator.world import World, generate_world
from tests.faults.source_setup import fast_resources, land
from tests.integration.test_landing import assert_raw_matches_world

FAR_AHEAD = datetime.fromisoformat("2099-01-01T00:00:00+07:00")


@pytest.fixture
def world() -> World:
    """A small world of both systems."""
    return generate_world(scale=500, seed=13)


@pytest.fixture
def servers(world: World) -> Iterator[SimulatorServers]:
    """Both APIs on loopback, without faults (the clock is the fault here)."""
    with SimulatorServers(world, faults=Faults.none()) as running:
        yield running


def stamp_ahead(servers: SimulatorServers, n: int) -> dict[str, list]:
    """Ask the simulator to stamp `n` records of each system far ahead of every clock (its control API)."""
    answer = httpx.post(f"{servers.newsys_url}/_sim/stamp-ahead", params={"n": n}, timeout=10)
    answer.raise_for_status()
    return answer.json()


def watermarks(warehouse: WarehouseResource) -> dict[str, datetime]:
    """The stored watermark of each case feed."""
    with warehouse.begin() as conn:
        rows = conn.execute(text("SELECT source, value FROM raw.watermark WHERE entity = 'case'")).all()
    return dict(rows)  # type: ignore[arg-type]


def landing_metadata(result: object, entity: str) -> dict[str, object]:
    """The metadata of one raw asset's materialisation, as plain values."""
    for event in result.get_asset_materialization_events():  # type: ignore[attr-defined]
        if event.asset_key.path[-1] == entity:
            return {name: value.value for name, value in event.materialization.metadata.items()}
    raise AssertionError(f"no materialisation of {entity}")


def test_records_stamped_ahead_land_but_leave_the_watermark_behind(
    warehouse: WarehouseResource, world: World, servers: SimulatorServers
) -> None:
    stamped = stamp_ahead(servers, 3)
    resources = fast_resources(servers, warehouse)
    result = land(resources)
    assert result.success
    now = datetime.now(UTC)
    assert all(value <= now for value in watermarks(warehouse).values()), watermarks(warehouse)
    assert set(watermarks(warehouse)) == {"egov", "newsys"}
    for entity in ("egov_case", "newsys_case"):
        metadata = landing_metadata(result, entity)
        assert metadata["rows_ahead_of_clock"] == 3
        assert metadata["newest_ahead_of_clock"].startswith("2035-06-01")
    with warehouse.begin() as conn:
        landed = set(conn.execute(text("SELECT case_no FROM raw.newsys_case")).scalars())
    assert set(stamped["newsys"]) <= landed

    summary = world.apply_changes(40, seed=4)
    assert summary.newsys_keys and summary.egov_ids
    assert land(resources).success
    assert_raw_matches_world(warehouse, world)


def test_a_watermark_already_carried_ahead_is_set_back_and_the_skipped_changes_land(
    warehouse: WarehouseResource, world: World, servers: SimulatorServers
) -> None:
    resources = fast_resources(servers, warehouse)
    assert land(resources).success
    with warehouse.begin() as conn:
        conn.execute(text("UPDATE raw.watermark SET value = :ahead"), {"ahead": FAR_AHEAD})
    world.apply_changes(40, seed=5)
    result = land(resources)
    assert result.success
    for entity in ("egov_case", "newsys_case"):
        assert landing_metadata(result, entity)["watermark_set_back_from"].startswith("2099-01-01")
    assert all(value <= datetime.now(UTC) for value in watermarks(warehouse).values())
    assert_raw_matches_world(warehouse, world)
