"""The change-feed sensor against the simulator's `/api/v2/events`: cursor, 410 fallback, skips."""

import dagster as dg

from pipelines.sensors import newsys_change_feed_sensor
from resources.newsys_client import NewsysClient
from simulator.faults import Faults
from simulator.server import SimulatorServers
from simulator.world import generate_world
from tests.sync_env import CREDENTIALS


def evaluate(client: NewsysClient, cursor: str | None) -> dg.SensorResult | dg.SkipReason:
    """One sensor tick with the given cursor."""
    context = dg.build_sensor_context(
        cursor=cursor, resources={"newsys": client}, instance=dg.DagsterInstance.ephemeral()
    )
    return newsys_change_feed_sensor(context)


def test_sensor_follows_the_feed_and_falls_back_when_events_expired() -> None:
    world = generate_world(scale=1000, seed=9)
    with SimulatorServers(world, faults=Faults.heavy()) as servers:
        client = NewsysClient(
            base_url=servers.newsys_url,
            client_id=CREDENTIALS["NEWSYS_CLIENT_ID"],
            client_secret=CREDENTIALS["NEWSYS_CLIENT_SECRET"],
        )
        first = evaluate(client, None)
        assert isinstance(first, dg.SensorResult)
        assert first.run_requests[0].tags["egov_sync/trigger"] == "events_expired"
        cursor = first.cursor
        idle = evaluate(client, cursor)
        assert isinstance(idle, dg.SkipReason)
        world.apply_changes(20, seed=1)
        changed = evaluate(client, cursor)
        assert isinstance(changed, dg.SensorResult)
        request = changed.run_requests[0]
        assert request.tags["egov_sync/trigger"] == "events"
        assert int(request.tags["egov_sync/events"]) > 0
        assert "egov_sync/as_of" in request.tags
        assert "dagster/asset_partition_range_start" not in request.tags  # its job has no monthly partition
        assert int(changed.cursor) > int(cursor)
        world.expire_events(int(changed.cursor) + 1)
        world.apply_changes(5, seed=2)
        expired = evaluate(client, cursor)
        assert isinstance(expired, dg.SensorResult)
        assert expired.run_requests[0].tags["egov_sync/trigger"] == "events_expired"


def test_no_second_sync_run_is_requested_while_one_is_queued() -> None:
    from dagster._core.storage.dagster_run import DagsterRun, DagsterRunStatus

    world = generate_world(scale=300, seed=9)
    with SimulatorServers(world, faults=Faults.none()) as servers:
        client = NewsysClient(
            base_url=servers.newsys_url,
            client_id=CREDENTIALS["NEWSYS_CLIENT_ID"],
            client_secret=CREDENTIALS["NEWSYS_CLIENT_SECRET"],
        )
        instance = dg.DagsterInstance.ephemeral()
        first = newsys_change_feed_sensor(
            dg.build_sensor_context(cursor=None, resources={"newsys": client}, instance=instance)
        )
        assert isinstance(first, dg.SensorResult) and first.run_requests
        instance.add_run(DagsterRun(job_name="newsys_changes_sync", status=DagsterRunStatus.NOT_STARTED))
        world.apply_changes(20, seed=1)
        held = newsys_change_feed_sensor(
            dg.build_sensor_context(cursor=first.cursor, resources={"newsys": client}, instance=instance)
        )
        assert isinstance(held, dg.SensorResult)
        assert not held.run_requests
        assert "queued" in (held.skip_reason.skip_message or "")
        assert int(held.cursor) > int(first.cursor)


def test_petition_and_rating_events_request_a_sync_naming_their_feeds() -> None:
    world = generate_world(scale=300, seed=9)
    with SimulatorServers(world, faults=Faults.none()) as servers:
        client = NewsysClient(
            base_url=servers.newsys_url,
            client_id=CREDENTIALS["NEWSYS_CLIENT_ID"],
            client_secret=CREDENTIALS["NEWSYS_CLIENT_SECRET"],
        )
        cursor = evaluate(client, None).cursor
        with servers.lock:
            now = world.tick(60)
            world.change_petition(0, now, "pakn.updated", lambda p: setattr(p, "likes", p.likes + 1))
        petitions = evaluate(client, cursor)
        assert isinstance(petitions, dg.SensorResult) and petitions.run_requests
        assert petitions.run_requests[0].tags["egov_sync/feeds"] == "petitions"
        with servers.lock:
            now = world.tick(60)
            world.change_rating(0, now, "danhgia.deleted", lambda r: setattr(r, "deleted", True))
            world.change_petition(1, now, "pakn.deleted", lambda p: setattr(p, "deleted", True))
        both = evaluate(client, petitions.cursor)
        assert isinstance(both, dg.SensorResult) and both.run_requests
        assert both.run_requests[0].tags["egov_sync/feeds"] == "petitions,ratings"
        assert int(both.run_requests[0].tags["egov_sync/events"]) == 2
        assert int(both.cursor) > int(petitions.cursor)
        assert isinstance(evaluate(client, both.cursor), dg.SkipReason)
