"""The run_failure alert names the failing step and the project's own error class and message."""

import dagster as dg
import httpx

from pipelines.sensors import failure_facts
from resources.http_retry import SourceError, Target


@dg.op
def land_cases() -> None:
    """Fails as landing does when a source stays unreachable."""
    try:
        raise httpx.ConnectError("connection refused")
    except httpx.ConnectError as error:
        target = Target("newsys", "GET", "/api/v2/cases")
        raise SourceError(target, "ConnectError", "connection refused") from error


@dg.job
def failing_job() -> None:
    """One failing step."""
    land_cases()


def test_failure_facts_of_a_failed_run() -> None:
    instance = dg.DagsterInstance.ephemeral()
    result = failing_job.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    failure = next(event for event in result.all_events if event.event_type_value == "PIPELINE_FAILURE")
    context = dg.build_run_status_sensor_context(
        sensor_name="run_failure_alert", dagster_event=failure, dagster_instance=instance,
        dagster_run=result.dagster_run,
    ).for_run_failure()
    assert failure_facts(context) == (
        "land_cases", "SourceError", "newsys GET /api/v2/cases: ConnectError: connection refused"
    )
