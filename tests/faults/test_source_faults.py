"""Ordinary HTTP faults of both sources, over real HTTP into a real PostgreSQL: ridden out, or a clear failure
that a re-run repairs."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import dagster as dg
import pytest
from sqlalchemy import text

from pipelines.failures import failure_lines
from pipelines.sensors import run_failure_alert
from resources.alerting import AlertingResource
from resources.egov_client import EgovClient
from resources.warehouse import WarehouseResource
from simulator.faults import Faults
from simulator.server import SimulatorServers
from simulator.world import World, generate_world
from tests.faults.source_setup import FAST_RETRY, SCALE, fast_resources, land, retry_causes
from tests.integration.test_landing import CASE_ASSETS, assert_raw_matches_world
from tests.sync_env import CREDENTIALS

pytestmark = pytest.mark.integration

RIDDEN_OUT = {
    "html_200": (Faults(rate_html=0.25, seed=1), "html", "InvalidAnswer"),
    "truncated_json_200": (Faults(rate_truncated=0.25, seed=2), "truncated", "InvalidAnswer"),
    "body_cut_mid_stream": (Faults(rate_cut=0.25, seed=3), "cut_bodies", "RemoteProtocolError"),
    "hung_response": (Faults(rate_hang=0.15, hang_seconds=1.0, seed=4), "hangs", "ReadTimeout"),
    "retry_after_http_date": (
        Faults(rate_429=0.25, retry_after=1, retry_after_date=True, seed=5), "429", "429"
    ),
    "dropped_connection": (Faults(rate_drop=0.25, seed=6), "drops", "RemoteProtocolError"),
}


@pytest.fixture
def world() -> World:
    """A small world of both systems, fresh for each test."""
    return generate_world(scale=SCALE, seed=11)


@pytest.fixture
def servers(world: World) -> Iterator[SimulatorServers]:
    """Both simulated APIs on loopback, without faults until a test switches one on."""
    with SimulatorServers(world) as running:
        yield running


def failures(result: dg.ExecuteInProcessResult) -> list[str]:
    """The failure lines the console and the alert show for a run."""
    return failure_lines(event for event in result.all_events if event.is_step_failure)


def failure_of(result: dg.ExecuteInProcessResult, step: str) -> str:
    """The failure line of one step."""
    lines = [line for line in failures(result) if line.startswith(f"failed step {step}: ")]
    assert len(lines) == 1, failures(result)
    return lines[0]


def assert_no_secret(lines: list[str]) -> None:
    """No credential appears in a failure text."""
    for secret in CREDENTIALS.values():
        if secret != CREDENTIALS["NEWSYS_CLIENT_ID"]:
            assert all(secret not in line for line in lines)


def rerun_repairs(servers: SimulatorServers, warehouse: WarehouseResource, world: World) -> None:
    """With the faults gone, a re-run succeeds and the warehouse holds exactly the source data."""
    servers.faults = Faults.none()
    assert land(fast_resources(servers, warehouse)).success
    assert_raw_matches_world(warehouse, world)


@pytest.mark.parametrize("name", list(RIDDEN_OUT))
def test_fault_is_ridden_out_with_exactly_the_source_data(
    name: str, warehouse: WarehouseResource, world: World, servers: SimulatorServers
) -> None:
    faults, stat, cause = RIDDEN_OUT[name]
    servers.faults = faults
    result = land(fast_resources(servers, warehouse))
    assert result.success, failures(result)
    assert_raw_matches_world(warehouse, world)
    assert servers.stats[stat] > 0, servers.stats
    assert retry_causes(result).get(cause, 0) > 0, retry_causes(result)


def test_persistent_5xx_fails_clearly_then_a_rerun_repairs(
    warehouse: WarehouseResource, world: World, servers: SimulatorServers
) -> None:
    servers.faults = Faults(rate_5xx=1.0)
    result = land(fast_resources(servers, warehouse, max_attempts=2))
    assert not result.success
    line = failure_of(result, "raw__egov_case")
    assert line.startswith("failed step raw__egov_case: egov GET /api/v1/hoso (page 1): HTTP 50")
    assert line.endswith(
        "after 2 attempts: Temporary failure, try again later; "
        "0 records of this read were committed before the failure"
    )
    newsys = failure_of(result, "raw__newsys_case")
    request = r"newsys (POST /oauth2/token|GET /api/v2/cases \(first page\))"
    assert re.search(request + r": HTTP 50\d after 2 attempts", newsys), newsys
    assert_no_secret(failures(result))
    rerun_repairs(servers, warehouse, world)


def test_a_source_that_hangs_fails_with_a_read_timeout_then_a_rerun_repairs(
    warehouse: WarehouseResource, world: World, servers: SimulatorServers
) -> None:
    servers.faults = Faults(rate_hang=1.0, hang_seconds=1.0)
    result = land(fast_resources(servers, warehouse, max_attempts=2, timeout_seconds=0.3))
    assert not result.success
    line = failure_of(result, "raw__egov_case")
    assert "egov GET /api/v1/hoso (page 1): ReadTimeout after 2 attempts" in line
    rerun_repairs(servers, warehouse, world)


def test_a_client_error_is_not_retried(
    warehouse: WarehouseResource, world: World, servers: SimulatorServers
) -> None:
    resources = fast_resources(servers, warehouse)
    resources["egov"] = EgovClient(base_url=servers.egov_url, api_key="not-the-key", **FAST_RETRY)
    result = land(resources)
    line = failure_of(result, "raw__egov_case")
    assert line == (
        "failed step raw__egov_case: egov GET /api/v1/hoso (page 1): HTTP 401: Egov rejected the API key: "
        "check EGOV_API_KEY; 0 records of this read were committed before the failure"
    )
    assert "not-the-key" not in line
    with warehouse.begin() as conn:
        row = conn.execute(
            text("SELECT status, retries FROM raw.load_log WHERE source = 'egov' AND run_id = :r"),
            {"r": result.run_id},
        ).one()
    assert (row.status, row.retries) == ("failed", 0)
    assert all(e.step_key == "raw__egov_case" for e in result.all_events if e.is_step_failure)


def test_pages_that_do_not_advance_fail_clearly_keep_what_was_committed_and_a_rerun_repairs(
    warehouse: WarehouseResource, world: World, servers: SimulatorServers
) -> None:
    servers.faults = Faults(rate_repeat_page=1.0)
    result = land(fast_resources(servers, warehouse))
    assert not result.success
    egov = failure_of(result, "raw__egov_case")
    assert egov == (
        "failed step raw__egov_case: egov GET /api/v1/hoso (page 2): PageNotAdvancing: page 2 holds the same "
        "records as page 1; 100 records of this read were committed before the failure"
    )
    cases = failure_of(result, "raw__newsys_case")
    assert cases.startswith("failed step raw__newsys_case: newsys GET /api/v2/cases (cursor ")
    assert "PageNotAdvancing: next_cursor " in cases and "was already followed" in cases
    assert cases.endswith("; 60 records of this read were committed before the failure")
    with warehouse.begin() as conn:
        landed = conn.execute(
            text(
                "SELECT (SELECT count(*) FROM raw.newsys_case) + (SELECT count(*) FROM raw.quarantine "
                "WHERE source = 'newsys' AND entity = 'case')"
            )
        ).scalar()
    assert landed == 60, "the page read before the stuck one stays committed"
    assert servers.stats["repeated_pages"] >= 2
    rerun_repairs(servers, warehouse, world)


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A local endpoint recording the alerts POSTed to it."""
    received: list[dict[str, Any]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/alerts", received
    server.shutdown()


def test_the_run_failure_alert_carries_the_console_text(
    warehouse: WarehouseResource,
    servers: SimulatorServers,
    webhook: tuple[str, list[dict[str, Any]]],
) -> None:
    servers.faults = Faults(rate_repeat_page=1.0)
    instance = dg.DagsterInstance.ephemeral()
    # The case and catalogue assets: their failure lines fit in an alert's message (at most 500 characters).
    result = dg.materialize(
        CASE_ASSETS,
        resources=fast_resources(servers, warehouse),
        raise_on_error=False,
        instance=instance,
    )
    run_failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE)
    context = dg.build_run_status_sensor_context(
        sensor_name="run_failure_alert",
        dagster_event=run_failure,
        dagster_instance=instance,
        dagster_run=instance.get_run_by_id(result.run_id),
    ).for_run_failure()
    url, received = webhook
    run_failure_alert(context, alerts=AlertingResource(webhook_url=url))
    assert len(received) == 1
    assert received[0]["details"]["message"] == "\n".join(failures(result))
    assert "PageNotAdvancing" in received[0]["details"]["message"]
