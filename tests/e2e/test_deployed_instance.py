"""The deployed instance end to end: `dagster-webserver` and `dagster-daemon` on a PostgreSQL-backed instance
built from `deploy/dagster.yaml`, runs launched through GraphQL and by the change-feed sensor, one at a time,
a change-feed run followed by runs over only the indicator months it changed, a `run_failure` alert for a
failed run by webhook and by e-mail (a local SMTP server), a check's Data Docs page opened over HTTP from the
run's metadata, a project log line in the run's event log, a `freshness` alert for a mart left overdue, and
screenshots of the asset graph and of `mart/fact_case`'s catalogue page."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import httpx
import pytest
from dagster._core.events import DagsterEvent, DagsterEventType, StepMaterializationData
from dagster._core.events.log import EventLogEntry
from sqlalchemy import text

from pipelines.run_tags import full_range_run_tags
from resources.embedded_postgres import sqlalchemy_url
from resources.scratch_databases import create_database, drop_database
from resources.static_site import serving_folder
from resources.warehouse import WarehouseResource
from simulator.faults import Faults
from simulator.server import SimulatorServers
from simulator.world import generate_world
from tests.deployed import DeployedDagster, deployed_dagster, instance_url
from tests.oracle.expected import expected_fact_case, truth_for_world
from tests.smtp import PASSWORD as SMTP_PASSWORD
from tests.smtp import USER as SMTP_USER
from tests.smtp import Mailbox, smtp_server
from tests.sync_env import CREDENTIALS, PII_KEY
from tests.webhook import Webhook, webhook_receiver

SCALE = 500
SENSOR = "newsys_change_feed_sensor"
WRITER_TAG = "egov_sync/writes_warehouse"
CATALOGUE_PAGE = "/assets/mart/fact_case?view=overview"
OVERDUE_MART = dg.AssetKey(["mart", "backlog_residue_snapshot"])
MONTHLY_MARTS = ("mart/indicator_monthly",)


@pytest.fixture
def scratch_databases(pg_admin_uri: str, template_db: str) -> Iterator[tuple[str, WarehouseResource]]:
    """A scratch database for the Dagster instance and a migrated warehouse."""
    instance_db = create_database(pg_admin_uri, prefix="egov_sync_dagster")
    warehouse_db = create_database(pg_admin_uri, template=template_db)
    warehouse = WarehouseResource(url=sqlalchemy_url(pg_admin_uri, warehouse_db))
    yield instance_url(pg_admin_uri, instance_db), warehouse
    drop_database(pg_admin_uri, warehouse_db)
    drop_database(pg_admin_uri, instance_db)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HEADLESS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--virtual-time-budget=20000"]


def screenshot(url: str, target: Path, size: str = "1600,1000") -> Path | None:
    """A headless-Chromium screenshot of a page of the UI, or None without Chromium."""
    if CHROMIUM is None:
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [CHROMIUM, *HEADLESS, f"--screenshot={target}", f"--window-size={size}", url],
        check=True, capture_output=True, timeout=90,
    )
    return target


def rendered_dom(url: str) -> str | None:
    """The page's DOM after its scripts ran in headless Chromium, or None without Chromium."""
    if CHROMIUM is None:
        return None
    shown = subprocess.run([CHROMIUM, *HEADLESS, "--dump-dom", url], check=True, capture_output=True,
                           text=True, timeout=90)
    return shown.stdout


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


def partitions_materialised(instance: dg.DagsterInstance, run_id: str) -> dict[str, list[str | None]]:
    """The partitions of every asset a run's event log holds a materialisation of."""
    found: dict[str, list[str | None]] = {}
    for entry in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION):
        event = entry.dagster_event
        found.setdefault(event.asset_key.to_user_string(), []).append(event.partition)
    return found


def months_follow_the_change_feed(
    dagster: DeployedDagster, instance: dg.DagsterInstance, feed_run_id: str
) -> None:
    """The change-feed run materialised no monthly partition; `changed_months_sensor` launched runs over the
    months it changed, each materialising exactly the partitions of its range."""
    from assets.indicators import MONTHLY_PARTITIONS

    assert not set(partitions_materialised(instance, feed_run_id)) & set(MONTHLY_MARTS)
    months = dagster.wait_for(
        lambda: dagster.runs(tags=[{"key": "egov_sync/after_run", "value": feed_run_id}]), 120, "month runs"
    )
    partitions = MONTHLY_PARTITIONS.get_partition_keys()
    for month_run in months:
        finished = dagster.wait_for_run(month_run["runId"], timeout=300)
        assert (finished["status"], finished["jobName"]) == ("SUCCESS", "changed_months_sync"), dagster.logs()
        start, end = (month_run["tags"][f"dagster/asset_partition_range_{edge}"] for edge in ("start", "end"))
        expected = [key for key in partitions if start <= key <= end]
        assert 0 < len(expected) < len(partitions)
        materialised = partitions_materialised(instance, month_run["runId"])
        assert all(sorted(materialised[key]) == expected for key in MONTHLY_MARTS), (start, end, materialised)


def catalogue_shows_the_columns(dagster: DeployedDagster, shots: Path) -> None:
    """The catalogue page of `mart/fact_case` shows its table, its columns with their comments and its
    owners (in the rendered page, and in a screenshot to look at)."""
    page = f"{dagster.url}{CATALOGUE_PAGE}"
    picture = screenshot(page, shots / "fact-case-catalogue.png", size="1600,2400")
    if picture is None:
        return
    assert picture.stat().st_size > 10_000
    shown = rendered_dom(page) or ""
    for expected in ("mart.fact_case", "applicant_key", "HMAC-SHA-256", "egov_sync_reporting"):
        assert expected in shown, expected


def mail_environment(mailbox: Mailbox) -> dict[str, str]:
    """The alert e-mail settings pointing at the test's SMTP server."""
    return {
        "ALERT_SMTP_HOST": mailbox.host, "ALERT_SMTP_PORT": str(mailbox.port), "ALERT_SMTP_USER": SMTP_USER,
        "ALERT_SMTP_PASSWORD": SMTP_PASSWORD, "ALERT_SMTP_CA_FILE": mailbox.ca_file,
        "ALERT_EMAIL_TO": "truc-ban@soyte.example.vn",
    }


def mails_of(mailbox: Mailbox, subject_part: str) -> list:
    """The e-mails the SMTP server received whose subject contains `subject_part`."""
    return [message for message in mailbox.messages if subject_part in message["Subject"]]


@contextmanager
def instance_of(home: Path, environment: dict[str, str]) -> Iterator[dg.DagsterInstance]:
    """The deployed instance, opened from this process as another machine would."""
    with pytest.MonkeyPatch.context() as patch:
        for name in ("DAGSTER_PG_URL", "DAGSTER_COMPUTE_LOG_DIR"):
            patch.setenv(name, environment[name])
        with dg.DagsterInstance.from_config(str(home)) as instance:
            yield instance


def data_docs_page_opens(instance: dg.DagsterInstance, run_id: str, docs_url: str) -> None:
    """A check of the run links its Data Docs page over HTTP, and the page opens."""
    evaluations = instance.all_logs(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION)
    links = [
        entry.dagster_event.event_specific_data.metadata["data_docs_url"].url
        for entry in evaluations
        if "data_docs_url" in entry.dagster_event.event_specific_data.metadata
    ]
    assert links and all(link.startswith(docs_url) for link in links)
    page = httpx.get(links[0], timeout=30)
    assert page.status_code == 200 and "Great Expectations" in page.text


def project_log_line_in_event_log(instance: dg.DagsterInstance, run_id: str) -> None:
    """A line of a project logger (egov_sync.*, at INFO) is in the run's event log."""
    messages = [entry.user_message for entry in instance.all_logs(run_id) if not entry.is_dagster_event]
    assert any("Data Docs of" in message and "published" in message for message in messages), messages[:20]


def leave_overdue(instance: dg.DagsterInstance, key: dg.AssetKey) -> None:
    """Make `key`'s latest materialisation three days old, as if every run since had failed before it."""
    three_days_ago = time.time() - 3 * 86_400
    event = DagsterEvent(
        event_type_value=DagsterEventType.ASSET_MATERIALIZATION.value,
        job_name="__ASSET_JOB",
        event_specific_data=StepMaterializationData(dg.AssetMaterialization(asset_key=key)),
    )
    instance.store_event(EventLogEntry(
        error_info=None, level=logging.INFO, user_message="", run_id="", timestamp=three_days_ago,
        dagster_event=event,
    ))


def run_failure_alerts(hook: Webhook) -> list[dict]:
    """The run_failure alerts the webhook accepted."""
    return hook.of_kind("run_failure")


def test_deployed_instance_runs_queues_alerts_and_shows_the_catalogue(
    scratch_databases: tuple[str, WarehouseResource], tmp_path: Path
) -> None:
    instance_db_url, warehouse = scratch_databases
    world = generate_world(scale=SCALE, seed=41)
    docs_dir = tmp_path / "data" / "gx"
    with (
        SimulatorServers(world, faults=Faults.none()) as servers,
        webhook_receiver() as hook,
        smtp_server(tmp_path) as mailbox,
        serving_folder(docs_dir) as docs_url,
    ):
        environment = CREDENTIALS | mail_environment(mailbox) | {
            "EGOV_SYNC_DATA_DOCS_URL": docs_url,
            "EGOV_SYNC_FRESHNESS_INTERVAL_SECONDS": "3",
            "FRESHNESS_DAEMON_INTERVAL_SECONDS": "3",
            "DAGSTER_COMPUTE_LOG_DIR": str(tmp_path / "compute_logs"),
            "DAGSTER_PG_URL": instance_db_url,
            "WAREHOUSE_URL": warehouse.url,
            "EGOV_BASE_URL": servers.egov_url,
            "NEWSYS_BASE_URL": servers.newsys_url,
            "PII_HASH_KEY": PII_KEY,
            "ALERT_WEBHOOK_URL": hook.url,
            "EGOV_SYNC_SENSOR_INTERVAL_SECONDS": "3",
            "EGOV_SYNC_DATA_DIR": str(tmp_path / "data"),
        }
        shots = Path(os.environ.get("EGOV_SYNC_SCREENSHOT_DIR") or tmp_path)
        with deployed_dagster(tmp_path / "dagster_home", environment) as dagster:
            dagster.graphql("mutation { setNuxSeen }")
            nightly_id = dagster.launch("nightly_sync", full_range_run_tags(datetime.now(UTC)))
            dagster.start_sensor(SENSOR)
            nightly = dagster.wait_for_run(nightly_id, timeout=420)
            assert nightly["status"] == "SUCCESS", dagster.logs()
            assert nightly["tags"][WRITER_TAG] == "true"
            with instance_of(tmp_path / "dagster_home", environment) as instance:
                data_docs_page_opens(instance, nightly_id, docs_url)
                project_log_line_in_event_log(instance, nightly_id)

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
            with instance_of(tmp_path / "dagster_home", environment) as instance:
                months_follow_the_change_feed(dagster, instance, changed["runId"])
            catalogue_shows_the_columns(dagster, shots)

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
            mailed = dagster.wait_for(lambda: mails_of(mailbox, "Lần chạy newsys_changes_sync"), 30, "e-mail")
            assert failed_id in mailed[0].get_body(preferencelist=("plain",)).get_content()

            with instance_of(tmp_path / "dagster_home", environment) as instance:
                leave_overdue(instance, OVERDUE_MART)
            freshness = dagster.wait_for(lambda: hook.of_kind("freshness"), 120, "freshness alert")
            assert [item["asset"] for item in freshness[0]["details"]["overdue"]] == [
                OVERDUE_MART.to_user_string()
            ]
            assert dagster.wait_for(lambda: mails_of(mailbox, "trước hạn 06:00"), 30, "freshness e-mail")

            pages = {
                "asset-graph.png": "/asset-groups",
                "mart-group.png": "/locations/egov_sync/asset-groups/mart/lineage",
            }
            for name, page in pages.items():
                picture = screenshot(f"{dagster.url}{page}", shots / name)
                if picture is not None:
                    assert picture.stat().st_size > 10_000
        with warehouse.begin() as conn:
            logged = dict(conn.execute(
                text("SELECT channel, count(*) FROM meta.alert_log"
                     " WHERE kind = 'run_failure' AND run_id = :run_id GROUP BY channel"),
                {"run_id": failed_id},
            ).all())
        assert logged == {"webhook": 1, "email": 1}
