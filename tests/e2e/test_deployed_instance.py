"""The deployed instance end to end: `dagster-webserver` and `dagster-daemon` on a PostgreSQL-backed instance
built from `deploy/dagster.yaml`, runs launched through GraphQL and by the change-feed sensor, one at a time,
a `run_failure` alert for a failed run, and a screenshot of the asset graph."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from pipelines.run_tags import full_range_run_tags
from resources.embedded_postgres import sqlalchemy_url
from resources.scratch_databases import create_database, drop_database
from resources.warehouse import WarehouseResource
from simulator.faults import Faults
from simulator.server import SimulatorServers
from simulator.world import generate_world
from tests.deployed import DeployedDagster, deployed_dagster, instance_url
from tests.oracle.expected import expected_fact_case, truth_for_world
from tests.sync_env import CREDENTIALS, PII_KEY
from tests.webhook import Webhook, webhook_receiver

SCALE = 500
SENSOR = "newsys_change_feed_sensor"
WRITER_TAG = "egov_sync/writes_warehouse"


@pytest.fixture
def scratch_databases(pg_admin_uri: str, template_db: str) -> Iterator[tuple[str, WarehouseResource]]:
    """A scratch database for the Dagster instance and a migrated warehouse."""
    instance_db = create_database(pg_admin_uri, prefix="egov_sync_dagster")
    warehouse_db = create_database(pg_admin_uri, template=template_db)
    warehouse = WarehouseResource(url=sqlalchemy_url(pg_admin_uri, warehouse_db))
    yield instance_url(pg_admin_uri, instance_db), warehouse
    drop_database(pg_admin_uri, warehouse_db)
    drop_database(pg_admin_uri, instance_db)


def screenshot(url: str, target: Path) -> Path | None:
    """A headless-Chromium screenshot of a page of the UI, or None without Chromium."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--virtual-time-budget=20000", f"--screenshot={target}", "--window-size=1600,1000", url],
        check=True, capture_output=True, timeout=90,
    )
    return target


def changed_cases_landed(warehouse: WarehouseResource, world: object, keys: list[str]) -> None:
    """Every changed new-system case is in `mart.fact_case` as the simulator's truth has it (or absent)."""
    expected = expected_fact_case(truth_for_world(world, as_of=datetime.now(UTC), pii_key=PII_KEY))
    with warehouse.begin() as conn:
        landed = dict(conn.execute(text("SELECT case_key, status_code FROM mart.fact_case")).all())
    assert keys
    for key in keys:
        if key in expected:
            assert landed.get(key) == expected[key]["status_code"], key
        else:
            assert key not in landed, key


def sensor_run(dagster: DeployedDagster, trigger: str) -> dict | None:
    """The newest run the change-feed sensor launched with this trigger."""
    runs = dagster.runs(tags=[{"key": "egov_sync/trigger", "value": trigger}])
    return runs[0] if runs else None


def run_failure_alerts(hook: Webhook) -> list[dict]:
    """The run_failure alerts the webhook accepted."""
    return hook.of_kind("run_failure")


def test_deployed_instance_runs_queues_alerts_and_shows_the_asset_graph(
    scratch_databases: tuple[str, WarehouseResource], tmp_path: Path
) -> None:
    instance_db_url, warehouse = scratch_databases
    world = generate_world(scale=SCALE, seed=41)
    with SimulatorServers(world, faults=Faults.none()) as servers, webhook_receiver() as hook:
        environment = CREDENTIALS | {
            "DAGSTER_PG_URL": instance_db_url,
            "WAREHOUSE_URL": warehouse.url,
            "EGOV_BASE_URL": servers.egov_url,
            "NEWSYS_BASE_URL": servers.newsys_url,
            "PII_HASH_KEY": PII_KEY,
            "ALERT_WEBHOOK_URL": hook.url,
            "EGOV_SYNC_SENSOR_INTERVAL_SECONDS": "3",
            "EGOV_SYNC_DATA_DIR": str(tmp_path / "data"),
        }
        with deployed_dagster(tmp_path / "dagster_home", environment) as dagster:
            nightly_id = dagster.launch("nightly_sync", full_range_run_tags(datetime.now(UTC)))
            dagster.start_sensor(SENSOR)
            nightly = dagster.wait_for_run(nightly_id, timeout=420)
            assert nightly["status"] == "SUCCESS", dagster.logs()
            assert nightly["tags"][WRITER_TAG] == "true"

            first = dagster.wait_for(lambda: sensor_run(dagster, "events_expired"), 60, "first sensor run")
            first = dagster.wait_for_run(first["runId"], timeout=300)
            assert first["status"] == "SUCCESS", dagster.logs()
            assert first["startTime"] >= nightly["endTime"], "the sensor run did not wait for the nightly run"

            summary = httpx.post(f"{servers.newsys_url}/_sim/changes", params={"n": 20}, timeout=30).json()
            changed = dagster.wait_for(lambda: sensor_run(dagster, "events"), 120, "sensor run after changes")
            changed = dagster.wait_for_run(changed["runId"], timeout=300)
            assert changed["status"] == "SUCCESS", dagster.logs()
            assert changed["jobName"] == "newsys_changes_sync"
            changed_cases_landed(warehouse, world, summary["newsys_keys"])

            servers.faults.rate_5xx = 1.0
            newsys_config = {
                "max_attempts": 2, "base_url": {"env": "NEWSYS_BASE_URL"},
                "client_id": {"env": "NEWSYS_CLIENT_ID"}, "client_secret": {"env": "NEWSYS_CLIENT_SECRET"},
            }
            failing_config = {"resources": {"newsys": {"config": newsys_config}}}
            failed_id = dagster.launch("newsys_changes_sync", {"egov_sync/trigger": "test"}, failing_config)
            failed = dagster.wait_for_run(failed_id, timeout=300)
            servers.faults.rate_5xx = 0.0
            assert failed["status"] == "FAILURE"
            dagster.wait_for(lambda: run_failure_alerts(hook), 60, "run_failure alert")
            time.sleep(8)
            (alert,) = run_failure_alerts(hook)
            details = alert["details"]
            assert (details["job"], details["run_id"]) == ("newsys_changes_sync", failed_id)
            assert details["step"] and details["error_class"] and details["message"]
            assert alert["title_vi"].startswith("Lần chạy newsys_changes_sync thất bại")
            assert CREDENTIALS["NEWSYS_CLIENT_SECRET"] not in str(alert)

            dagster.graphql("mutation { setNuxSeen }")
            shots = Path(os.environ.get("EGOV_SYNC_SCREENSHOT_DIR") or tmp_path)
            pages = {
                "asset-graph.png": "/asset-groups",
                "mart-group.png": "/locations/egov_sync/asset-groups/mart/lineage",
            }
            for name, page in pages.items():
                picture = screenshot(f"{dagster.url}{page}", shots / name)
                if picture is not None:
                    assert picture.stat().st_size > 10_000
        with warehouse.begin() as conn:
            logged = conn.execute(
                text("SELECT count(*) FROM meta.alert_log WHERE kind = 'run_failure' AND run_id = :run_id"),
                {"run_id": failed_id},
            ).scalar_one()
        assert logged == 1
