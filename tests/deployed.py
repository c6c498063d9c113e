"""A deployed Dagster instance for end-to-end tests: `deploy/dagster.yaml` on a scratch PostgreSQL database,
the real `dagster-webserver` and `dagster-daemon` as processes, and a GraphQL client of the webserver."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import httpx

from pipelines.cli import stop_process_tree

ROOT = Path(__file__).resolve().parent.parent
LOCATION = "egov_sync"
REPOSITORY = "__repository__"
FINISHED = {"SUCCESS", "FAILURE", "CANCELED"}

LAUNCH_RUN = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
    ... on RunConfigValidationInvalid { errors { message } }
    ... on InvalidSubsetError { message }
  }
}
"""
START_SENSOR = """
mutation Start($selector: SensorSelector!) {
  startSensor(sensorSelector: $selector) {
    __typename
    ... on Sensor { sensorState { status } }
    ... on PythonError { message }
  }
}
"""
RUNS = """
query Runs($filter: RunsFilter) {
  runsOrError(filter: $filter) {
    __typename
    ... on Runs { results { runId jobName status startTime endTime tags { key value } } }
  }
}
"""


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def instance_url(admin_uri: str, database: str) -> str:
    """A libpq URL of `database` on the server of `admin_uri` (for DAGSTER_PG_URL)."""
    parsed = urlparse(admin_uri)
    return urlunparse(parsed._replace(path=f"/{database}"))


def write_instance_config(home: Path) -> Path:
    """DAGSTER_HOME with the deployed instance configuration, as the README says to install it."""
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    target.write_text((ROOT / "deploy" / "dagster.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    return target


def bin_path(name: str) -> str:
    """A console script of the running interpreter's environment."""
    return str(Path(sys.executable).with_name(name))


@dataclass
class DeployedDagster:
    """The webserver's address and GraphQL operations against it."""

    url: str
    log_dir: Path

    def graphql(self, query: str, **variables: Any) -> dict[str, Any]:
        """Run one GraphQL operation; its `data`."""
        body = {"query": query, "variables": variables}
        response = httpx.post(f"{self.url}/graphql", json=body, timeout=60)
        response.raise_for_status()
        body = response.json()
        if body.get("errors"):
            raise AssertionError(f"GraphQL errors: {body['errors']}")
        return body["data"]

    def launch(self, job: str, tags: dict[str, str], run_config: dict | None = None) -> str:
        """Launch a run of `job` through the webserver (the queue and the daemon start it); its run id."""
        params = {
            "selector": {"repositoryLocationName": LOCATION, "repositoryName": REPOSITORY, "jobName": job},
            "runConfigData": run_config or {},
            "executionMetadata": {"tags": [{"key": key, "value": value} for key, value in tags.items()]},
        }
        result = self.graphql(LAUNCH_RUN, params=params)["launchRun"]
        if result["__typename"] != "LaunchRunSuccess":
            raise AssertionError(f"launch failed: {result}")
        return result["run"]["runId"]

    def start_sensor(self, name: str) -> None:
        """Switch a sensor on."""
        selector = {"repositoryLocationName": LOCATION, "repositoryName": REPOSITORY, "sensorName": name}
        result = self.graphql(START_SENSOR, selector=selector)["startSensor"]
        assert result["__typename"] == "Sensor", result

    def runs(self, **run_filter: Any) -> list[dict[str, Any]]:
        """Runs matching a `RunsFilter`, newest first, with tags as a dict."""
        results = self.graphql(RUNS, filter=run_filter)["runsOrError"]["results"]
        for run in results:
            run["tags"] = {tag["key"]: tag["value"] for tag in run["tags"]}
        return results

    def run(self, run_id: str) -> dict[str, Any]:
        """One run."""
        (found,) = self.runs(runIds=[run_id])
        return found

    def wait_for_run(self, run_id: str, timeout: float) -> dict[str, Any]:
        """Wait until a run has finished; the run."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run = self.run(run_id)
            if run["status"] in FINISHED:
                return run
            time.sleep(1)
        status = self.run(run_id)["status"]
        raise AssertionError(f"run {run_id} still {status} after {timeout}s; {self.logs()}")

    def wait_for(self, predicate: Any, timeout: float, what: str) -> Any:
        """Poll `predicate()` until it returns something truthy."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(1)
        raise AssertionError(f"{what}: not after {timeout}s; {self.logs()}")

    def logs(self) -> str:
        """The tail of the webserver's and daemon's logs, for a failure message."""
        parts = []
        for path in sorted(self.log_dir.glob("*.log")):
            parts.append(f"--- {path.name}\n" + path.read_text(errors="replace")[-3000:])
        return "\n".join(parts)


def wait_until_serving(url: str, process: subprocess.Popen, timeout: float = 90) -> None:
    """Wait until the webserver answers GraphQL."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the webserver exited with {process.returncode}")
        try:
            if httpx.post(f"{url}/graphql", json={"query": "{ version }"}, timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"the webserver did not answer within {timeout}s")


@contextmanager
def deployed_dagster(home: Path, environment: dict[str, str]) -> Iterator[DeployedDagster]:
    """`dagster-webserver` and `dagster-daemon` against the instance in `home`, stopped (with every process
    they started) on leaving."""
    write_instance_config(home)
    env = os.environ | {"DAGSTER_COMPUTE_LOG_DIR": str(home / "compute_logs")} | environment
    env |= {"DAGSTER_HOME": str(home), "PYTHONPATH": str(ROOT)}
    port = free_port()
    workspace = str(ROOT / "workspace.yaml")
    commands = {
        "webserver": [bin_path("dagster-webserver"), "-w", workspace, "-h", "127.0.0.1", "-p", str(port)],
        "daemon": [bin_path("dagster-daemon"), "run", "-w", workspace],
    }
    processes = []
    try:
        for name, command in commands.items():
            log = (home / f"{name}.log").open("w")
            processes.append(subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            ))
        url = f"http://127.0.0.1:{port}"
        wait_until_serving(url, processes[0])
        yield DeployedDagster(url=url, log_dir=home)
    finally:
        for process in processes:
            stop_process_tree(process, grace=15)
