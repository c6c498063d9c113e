"""Each job runs in process by default; multiprocess and Celery are run-config choices."""

import dagster as dg
import pytest

from pipelines.definitions import defs
from pipelines.executors import celery_broker_url, default_executor
from pipelines.jobs import WRITES_WAREHOUSE_TAG

JOBS = ("nightly_sync", "newsys_changes_sync")
ENVIRONMENT = ("WAREHOUSE_URL", "EGOV_BASE_URL", "EGOV_API_KEY", "NEWSYS_BASE_URL", "NEWSYS_CLIENT_ID",
               "NEWSYS_CLIENT_SECRET", "PII_HASH_KEY")


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Placeholder values for the variables the resources read (run config validation resolves them)."""
    for name in ENVIRONMENT:
        monkeypatch.setenv(name, "http://127.0.0.1:9" if name.endswith("_URL") else "x")


@pytest.mark.parametrize("job_name", JOBS)
@pytest.mark.usefixtures("environment")
def test_jobs_run_in_process_unless_config_says_otherwise(job_name: str) -> None:
    job = defs.resolve_job_def(job_name)
    assert job.executor_def.name == "egov_sync_executor"
    default = dg.validate_run_config(job)["execution"]["egov_sync_executor"]
    assert default == {"in_process": {"retries": {"enabled": {}}}}
    for choice in ({"multiprocess": {"max_concurrent": 2}}, {"celery": {}}):
        processed = dg.validate_run_config(job, {"execution": {"config": choice}})
        assert set(processed["execution"]["egov_sync_executor"]) == set(choice)


@pytest.mark.parametrize("job_name", JOBS)
def test_every_job_tags_its_runs_as_warehouse_writers(job_name: str) -> None:
    assert defs.resolve_job_def(job_name).tags[WRITES_WAREHOUSE_TAG] == "true"


def test_executor_and_broker_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EGOV_SYNC_EXECUTOR", raising=False)
    monkeypatch.delenv("EGOV_SYNC_CELERY_BROKER", raising=False)
    assert (default_executor(), celery_broker_url()) == ("in_process", "pyamqp://guest@127.0.0.1:5672//")
    monkeypatch.setenv("EGOV_SYNC_EXECUTOR", "celery")
    monkeypatch.setenv("EGOV_SYNC_CELERY_BROKER", "pyamqp://sync@broker:5672//")
    assert (default_executor(), celery_broker_url()) == ("celery", "pyamqp://sync@broker:5672//")
    monkeypatch.setenv("EGOV_SYNC_EXECUTOR", "threads")
    with pytest.raises(ValueError, match="EGOV_SYNC_EXECUTOR"):
        default_executor()


def test_published_marts_must_be_fresh_by_six_local() -> None:
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        policy = graph.get(key).freshness_policy
        if key.path[0] in ("mart", "report"):
            assert (policy.deadline_cron, policy.timezone) == ("0 6 * * *", "Asia/Ho_Chi_Minh"), key
        else:
            assert policy is None, key
