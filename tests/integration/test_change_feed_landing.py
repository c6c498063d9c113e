"""A `pakn.*` or `danhgia.*` event leads the change-feed sensor to a run of its job that lands the changed
petition and rating: the run the sensor requests, executed with the request's tags, against the simulator."""

from __future__ import annotations

from typing import Any

import dagster as dg
from sqlalchemy import text

from assets.raw import newsys_petition, newsys_rating
from core import asset_keys as keys
from pipelines.sensors import newsys_change_feed_sensor
from resources.newsys_client import NewsysClient
from resources.settings import PipelineSettings
from resources.warehouse import WarehouseResource
from simulator.faults import Faults
from simulator.server import SimulatorServers
from simulator.world import generate_world
from tests.sync_env import CREDENTIALS, PII_KEY, simulator_environment

FEEDBACK = [keys.RAW_NEWSYS_PETITION, keys.RAW_NEWSYS_RATING]


def live_keys(warehouse: WarehouseResource, table: str, key: str) -> set[str]:
    """The keys of the live (not deleted) rows of a raw feedback table."""
    with warehouse.begin() as conn:
        found = conn.execute(text(f"SELECT {key} FROM raw.{table} WHERE NOT is_deleted"))
        return set(found.scalars())


def landed_index(warehouse: WarehouseResource, table: str, key: str, records: list[Any]) -> int:
    """The index of the first record whose key has a live row in the raw table."""
    landed = live_keys(warehouse, table, key)
    return next(index for index, record in enumerate(records) if record.key in landed)


def test_petition_and_rating_events_lead_to_a_run_that_lands_them(warehouse: WarehouseResource) -> None:
    from pipelines.definitions import defs

    world = generate_world(scale=600, seed=12)
    with (
        SimulatorServers(world, faults=Faults.none()) as servers,
        simulator_environment(servers, warehouse.url),
    ):
        client = NewsysClient(base_url=servers.newsys_url, client_id=CREDENTIALS["NEWSYS_CLIENT_ID"],
                              client_secret=CREDENTIALS["NEWSYS_CLIENT_SECRET"])  # fmt: skip
        settings = PipelineSettings(pii_hash_key=PII_KEY)
        resources = {"warehouse": warehouse, "newsys": client, "settings": settings}
        assert dg.materialize([newsys_petition, newsys_rating], resources=resources).success
        instance = dg.DagsterInstance.ephemeral()
        first = newsys_change_feed_sensor(
            dg.build_sensor_context(cursor=None, resources={"newsys": client}, instance=instance)
        )
        petitions = [world.petition(index) for index in range(world.petition_count())]
        ratings = [world.rating(index) for index in range(world.rating_count())]
        petition = landed_index(warehouse, "newsys_petition", "petition_key", petitions)
        rating = landed_index(warehouse, "newsys_rating", "rating_key", ratings)
        petition_key, rating_key = world.petition(petition).key, world.rating(rating).key
        likes = world.petition(petition).likes
        with servers.lock:
            now = world.tick(120)
            world.change_petition(petition, now, "pakn.updated", lambda p: setattr(p, "likes", p.likes + 7))
            world.change_rating(rating, now, "danhgia.deleted", lambda r: setattr(r, "deleted", True))
        tick = newsys_change_feed_sensor(
            dg.build_sensor_context(cursor=first.cursor, resources={"newsys": client}, instance=instance)
        )
        assert isinstance(tick, dg.SensorResult)
        (request,) = tick.run_requests
        assert request.tags["egov_sync/feeds"] == "petitions,ratings"
        job = defs.resolve_job_def(newsys_change_feed_sensor.job_name)
        assert set(FEEDBACK) <= set(job.asset_layer.executable_asset_keys)
        run = job.execute_in_process(instance=instance, tags=request.tags, asset_selection=FEEDBACK)
    assert run.success
    assert {event.asset_key for event in run.get_asset_materialization_events()} == set(FEEDBACK)
    with warehouse.begin() as conn:
        landed_likes = conn.execute(text("SELECT likes FROM raw.newsys_petition WHERE petition_key = :k"),
                                    {"k": petition_key}).scalar_one()  # fmt: skip
        deleted = conn.execute(text("SELECT is_deleted FROM raw.newsys_rating WHERE rating_key = :k"),
                               {"k": rating_key}).scalar_one()  # fmt: skip
        logged = conn.execute(
            text("SELECT entity, fetched FROM raw.load_log WHERE run_id = :r ORDER BY entity"),
            {"r": run.run_id},
        ).all()
    assert (landed_likes, deleted) == (likes + 7, True)
    assert [row.entity for row in logged] == ["petition", "rating"]
    assert all(row.fetched >= 1 for row in logged)
