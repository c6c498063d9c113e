"""The Dagster code location loads, validates and uses no deprecated API."""

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg

from pipelines.definitions import defs

ROOT = Path(__file__).resolve().parents[2]
# Names are assembled from parts so that this file does not itself match a search for them.
DEPRECATED_NAMES = [
    "load_" + "defs(", "compute_" + "kind=", "AutoMaterialize" + "Policy", "Source" + "Asset(",
    "Expectation" + "Result", "fs_io_" + "manager", "dagster_" + "ge", "LegacyFreshness" + "Policy",
    "dagster.preview." + "freshness", "get_" + "validator(", "data_context." + "DataContext",
]
DEPRECATED = re.compile("|".join(re.escape(name) for name in DEPRECATED_NAMES))
RAW_KEYS = {
    "raw/newsys_case",
    "raw/newsys_official",
    "raw/newsys_procedure",
    "raw/newsys_unit",
    "raw/egov_case",
    "raw/newsys_petition",
    "raw/newsys_rating",
}


def test_definitions_load_and_validate() -> None:
    dg.Definitions.validate_loadable(defs)
    keys = {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}
    assert keys >= RAW_KEYS


def test_jobs_schedule_and_sensors_are_declared() -> None:
    assert defs.resolve_job_def("nightly_sync") is not None
    assert defs.resolve_job_def("newsys_changes_sync") is not None
    schedule = defs.resolve_schedule_def("nightly_sync_schedule")
    assert schedule.cron_schedule == "0 1 * * *" and schedule.execution_timezone == "Asia/Ho_Chi_Minh"
    assert defs.resolve_sensor_def("newsys_change_feed_sensor") is not None
    assert defs.resolve_sensor_def("run_failure_alert") is not None
    freshness = defs.resolve_sensor_def("freshness_alert")
    assert freshness.default_status == dg.DefaultSensorStatus.RUNNING


def test_no_deprecated_dagster_or_gx_api_in_project_code() -> None:
    offenders = []
    for folder in ("pipelines", "assets", "resources", "expectations", "ingest", "simulator", "benchmarks"):
        for path in (ROOT / folder).rglob("*.py"):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if DEPRECATED.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == []


def test_the_nightly_schedule_keys_its_run_requests_by_tick() -> None:
    schedule = defs.resolve_schedule_def("nightly_sync_schedule")
    tick = datetime(2026, 11, 15, 1, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    with dg.build_schedule_context(scheduled_execution_time=tick) as context:
        (request,) = schedule.evaluate_tick(context).run_requests
    assert request.run_key == "nightly-2026-11-15T01:00:00+07:00"
    assert request.tags["egov_sync/as_of"] == tick.isoformat()


def test_every_asset_and_check_is_in_the_warehouse_pool() -> None:
    from core.asset_keys import WAREHOUSE_POOL

    job = defs.resolve_implicit_global_asset_job_def()
    pools = {node.name: node.definition.pool for node in job.graph.node_dict.values()}
    assert pools and all(pool == WAREHOUSE_POOL for pool in pools.values()), pools


def test_every_run_uses_the_project_executor() -> None:
    from pipelines.executors import egov_sync_executor

    for job in (
        defs.resolve_job_def("nightly_sync"),
        defs.resolve_job_def("newsys_changes_sync"),
        defs.resolve_implicit_global_asset_job_def(),
    ):
        assert job.executor_def is egov_sync_executor, job.name


def test_the_change_feed_job_lands_every_feed_the_events_announce() -> None:
    job = defs.resolve_job_def("newsys_changes_sync")
    selected = {key.to_user_string() for key in job.asset_layer.selected_asset_keys}
    assert selected >= {"raw/newsys_case", "raw/newsys_official", "raw/newsys_petition", "raw/newsys_rating"}
    assert not selected & {"raw/egov_case", "raw/newsys_procedure", "raw/newsys_unit"}


def test_change_events_name_the_feeds_they_announce() -> None:
    from pipelines.sensors import changed_feeds

    events = [{"type": "pakn.created"}, {"type": "danhgia.updated"}, {"type": "hoso.deleted"},
              {"type": "canbo.updated"}, {"type": "pakn.deleted"}]  # fmt: skip
    assert changed_feeds(events) == ["cases", "officials", "petitions", "ratings"]
    assert changed_feeds([{"type": "lichhen.created"}, {}]) == ["other"]
