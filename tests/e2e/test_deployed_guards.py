"""The deployed instance guards the warehouse the way an operator relies on: a run launched from the UI with
re-pointed resources (sources, warehouse, key, webhook, the alert e-mail's server, login and recipients) fails
before it reaches any network, and a materialisation from the asset graph never
overlaps the nightly job's warehouse writes (the `warehouse` pool, one run at a time)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipelines.run_tags import full_range_run_tags
from resources.embedded_postgres import sqlalchemy_url
from resources.scratch_databases import create_database, drop_database
from resources.warehouse import WarehouseResource
from simulator.faults import Faults
from simulator.server import SimulatorServers
from simulator.world import generate_world
from tests.deployed import LOCATION, REPOSITORY, DeployedDagster, deployed_dagster, instance_url
from tests.foreign_host import recorders
from tests.smtp import Mailbox, smtp_server
from tests.sync_env import CREDENTIALS, PII_KEY

PINNED_MESSAGE = "may only be set by the deployment's environment"
MAIL_FIELDS = (
    "smtp_host", "smtp_port", "smtp_starttls", "smtp_username", "smtp_password", "email_recipients",
)  # fmt: skip
RUN_EVENTS = """
query Events($runId: ID!) {
  logsForRun(runId: $runId) {
    __typename
    ... on EventConnection {
      events {
        __typename
        ... on MessageEvent { message }
        ... on ErrorEvent { error { message causes { message } } }
      }
    }
  }
}
"""


@pytest.fixture
def scratch_databases(pg_admin_uri: str, template_db: str) -> Iterator[tuple[str, WarehouseResource]]:
    """A scratch database for the Dagster instance and a migrated warehouse."""
    instance_db = create_database(pg_admin_uri, prefix="egov_sync_dagster")
    warehouse_db = create_database(pg_admin_uri, template=template_db)
    warehouse = WarehouseResource(url=sqlalchemy_url(pg_admin_uri, warehouse_db))
    yield instance_url(pg_admin_uri, instance_db), warehouse
    drop_database(pg_admin_uri, warehouse_db)
    drop_database(pg_admin_uri, instance_db)


def run_text(dagster: DeployedDagster, run_id: str) -> str:
    """Every message and error text of a run's event log."""
    events = dagster.graphql(RUN_EVENTS, runId=run_id)["logsForRun"]["events"]
    parts = []
    for event in events:
        parts.append(event.get("message") or "")
        error = event.get("error") or {}
        parts.append(error.get("message") or "")
        parts.extend(cause.get("message") or "" for cause in error.get("causes") or [])
    return "\n".join(parts)


def launch_assets(dagster: DeployedDagster, *paths: list[str]) -> str:
    """Materialise assets the way the asset graph's "Materialize" button does: no tags, no job of ours."""
    from tests.deployed import LAUNCH_RUN

    params = {
        "selector": {
            "repositoryLocationName": LOCATION, "repositoryName": REPOSITORY, "jobName": "__ASSET_JOB",
            "assetSelection": [{"path": path} for path in paths], "assetCheckSelection": [],
        },
        "runConfigData": {},
        "executionMetadata": {"tags": []},
    }
    result = dagster.graphql(LAUNCH_RUN, params=params)["launchRun"]
    assert result["__typename"] == "LaunchRunSuccess", result
    return result["run"]["runId"]


def mail_hijack(server: Mailbox) -> dict:
    """Run config that sends the alert e-mails, with the deployment's login, to another server and address."""
    config = {
        "smtp_host": "localhost", "smtp_port": server.port, "smtp_starttls": False,
        "smtp_username": {"env": "NEWSYS_CLIENT_ID"}, "smtp_password": {"env": "PII_HASH_KEY"},
        "email_recipients": {"*": ["thu@example.org"]},
    }
    assert set(config) == set(MAIL_FIELDS)
    return {"resources": {"alerts": {"config": config}}}


def test_ui_runs_cannot_repoint_resources_nor_overlap_the_nightly_job(
    scratch_databases: tuple[str, WarehouseResource], tmp_path: Path
) -> None:
    instance_db_url, warehouse = scratch_databases
    world = generate_world(scale=300, seed=43)
    (tmp_path / "smtp").mkdir()
    with (
        SimulatorServers(world, faults=Faults.none()) as servers, recorders(4) as (api, db, hook, other),
        smtp_server(tmp_path / "smtp") as foreign_smtp,
    ):
        environment = CREDENTIALS | {
            "DAGSTER_PG_URL": instance_db_url,
            "WAREHOUSE_URL": warehouse.url,
            "EGOV_BASE_URL": servers.egov_url,
            "NEWSYS_BASE_URL": servers.newsys_url,
            "PII_HASH_KEY": PII_KEY,
            "EGOV_SYNC_DATA_DIR": str(tmp_path / "data"),
        }
        with deployed_dagster(tmp_path / "dagster_home", environment) as dagster:
            hijack = {
                "resources": {
                    "egov": {"config": {"base_url": f"http://127.0.0.1:{api.port}",
                                        "api_key": {"env": "PII_HASH_KEY"}}},
                    "warehouse": {"config": {"url": f"postgresql+psycopg://x@127.0.0.1:{db.port}/stolen"}},
                    "alerts": {"config": {"webhook_url": f"http://127.0.0.1:{hook.port}/alerts"}},
                    "newsys": {"config": {"base_url": f"http://127.0.0.1:{other.port}",
                                          "client_id": {"env": "NEWSYS_CLIENT_ID"},
                                          "client_secret": {"env": "NEWSYS_CLIENT_SECRET"}}},
                    "settings": {"config": {"pii_hash_key": "a-key-that-makes-applicants-linkable!"}},
                }
            }
            hijacked_id = dagster.launch("nightly_sync", full_range_run_tags(datetime.now(UTC)), hijack)
            hijacked = dagster.wait_for_run(hijacked_id, timeout=300)
            assert hijacked["status"] == "FAILURE"
            assert PINNED_MESSAGE in run_text(dagster, hijacked_id), dagster.logs()
            tags = full_range_run_tags(datetime.now(UTC))
            mail_id = dagster.launch("nightly_sync", tags, mail_hijack(foreign_smtp))
            assert dagster.wait_for_run(mail_id, timeout=300)["status"] == "FAILURE"
            refused = run_text(dagster, mail_id)
            assert PINNED_MESSAGE in refused and all(f"`{name}`" in refused for name in MAIL_FIELDS), refused

            nightly_id = dagster.launch("nightly_sync", full_range_run_tags(datetime.now(UTC)))
            asset_id = launch_assets(dagster, ["staging", "case"], ["mart", "residue_case"])
            nightly = dagster.wait_for_run(nightly_id, timeout=420)
            from_graph = dagster.wait_for_run(asset_id, timeout=420)
        assert nightly["status"] == "SUCCESS" and from_graph["status"] == "SUCCESS"
        first, second = sorted((nightly, from_graph), key=lambda run: run["startTime"])
        assert second["startTime"] >= first["endTime"], "a UI run overlapped the nightly job's writes"
        assert [recorder.connections for recorder in (api, db, hook, other)] == [0, 0, 0, 0]
        assert (foreign_smtp.greetings, foreign_smtp.messages) == (0, [])
