"""`egov-sync simulate` and `egov-sync ui` stop every process they started on SIGTERM, also during a run."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psutil
import pytest

from pipelines.run_tags import full_range_run_tags
from resources.embedded_postgres import sqlalchemy_url
from resources.scratch_databases import create_database, drop_database
from tests.deployed import DeployedDagster, free_port, wait_until_serving

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def scratch_warehouse_url(pg_admin_uri: str, template_db: str) -> Iterator[str]:
    """The URL of a scratch warehouse, given with --warehouse-url so the command starts no embedded server."""
    name = create_database(pg_admin_uri, template=template_db)
    yield sqlalchemy_url(pg_admin_uri, name)
    drop_database(pg_admin_uri, name)


def egov_sync(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start the console command as a person would, in its own session."""
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("egov-sync")), *args], cwd=ROOT, env=os.environ | env,
        stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )


def listening(port: int) -> bool:
    """True when something accepts connections on the loopback port."""
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_for(predicate: object, timeout: float, what: str, log: Path) -> None:
    """Poll until `predicate()` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.5)
    raise AssertionError(f"{what} not within {timeout}s:\n{log.read_text(errors='replace')[-3000:]}")


def descendants(pid: int) -> list[psutil.Process]:
    """Every process under `pid`."""
    return psutil.Process(pid).children(recursive=True)


def gone(processes: list[psutil.Process]) -> list[psutil.Process]:
    """Those of `processes` still running (zombies count as gone)."""
    alive = []
    for process in processes:
        try:
            if process.status() != psutil.STATUS_ZOMBIE:
                alive.append(process)
        except psutil.NoSuchProcess:
            continue
    return alive


def test_simulate_stops_its_servers_on_sigterm(scratch_warehouse_url: str, tmp_path: Path) -> None:
    egov_port, newsys_port = free_port(), free_port()
    log = tmp_path / "simulate.log"
    command = egov_sync(
        ["simulate", "--scale", "200", "--egov-port", str(egov_port), "--newsys-port", str(newsys_port),
         "--warehouse-url", scratch_warehouse_url],
        {"EGOV_SYNC_DATA_DIR": str(tmp_path / "data")}, log,
    )
    try:
        wait_for(lambda: listening(egov_port) and listening(newsys_port), 60, "simulators serving", log)
        children = descendants(command.pid)
        command.send_signal(signal.SIGTERM)
        assert command.wait(timeout=20) == 0
        assert not listening(egov_port) and not listening(newsys_port)
        assert gone(children) == []
        assert "stopped" in log.read_text()
    finally:
        if command.poll() is None:
            command.kill()


def test_ui_stops_dagster_and_its_run_on_sigterm_during_a_run(
    scratch_warehouse_url: str, tmp_path: Path
) -> None:
    port = free_port()
    log = tmp_path / "ui.log"
    command = egov_sync(
        ["ui", "--scale", "500", "--port", str(port), "--egov-port", str(free_port()),
         "--newsys-port", str(free_port()), "--warehouse-url", scratch_warehouse_url],
        {"EGOV_SYNC_DATA_DIR": str(tmp_path / "data")},
        log,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_serving(url, command, timeout=120)
        dagster = DeployedDagster(url=url, log_dir=tmp_path)
        run_id = dagster.launch("nightly_sync", full_range_run_tags(datetime.now(UTC)))
        dagster.wait_for(lambda: dagster.run(run_id)["status"] == "STARTED", 60, "the run started")
        family = descendants(command.pid)
        assert any("execute_run" in " ".join(p.cmdline()) or "api" in p.cmdline() for p in family), family
        command.send_signal(signal.SIGTERM)
        assert command.wait(timeout=60) == 0
        assert gone(family) == [], [p.cmdline() for p in gone(family)]
        assert not listening(port)
    finally:
        if command.poll() is None:
            command.kill()
