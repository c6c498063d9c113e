"""Secrets reach the resources through EnvVar and appear nowhere the runs write: not in the Dagster event log,
stdout or stderr, logs, metadata, exception messages, alerts, files, nor the warehouse itself.

One nightly run succeeds; three runs of a part of it fail: Egov's cases with a wrong API key (401), and
`mart.fact_case` with an unreachable warehouse whose URL carries a password, and in the very statement that
carries PII_HASH_KEY as a parameter.
"""

from __future__ import annotations

import json
import logging
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import dagster as dg
import psycopg
import pytest
from psycopg import sql as pgsql
from sqlalchemy.engine import make_url

from core import asset_keys as keys
from pipelines.resources_from_env import build_resources
from pipelines.run_tags import full_range_run_tags
from resources.alerting import AlertingResource
from resources.warehouse import WarehouseResource
from simulator.faults import Faults
from simulator.server import SimulatorServers
from simulator.world import generate_world
from tests.sync_env import AS_OF

API_KEY = "egov-key-5b1e0c9a7d"
WRONG_API_KEY = "wrong-egov-key-c3a19e52"
CLIENT_SECRET = "client-secret-93f2aa61c4"
PII_KEY = "pii-key-0d8e6b3f17-a5c94e2b7d10f368"
DB_PASSWORD = "warehouse-pw-7e4d29b1"
SCANNED_SCHEMAS = ("raw", "staging", "mart", "meta")


@contextmanager
def alert_receiver() -> Iterator[tuple[str, list[bytes]]]:
    """A local HTTP endpoint that keeps the raw bodies POSTed to it."""
    received: list[bytes] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/alerts", received
    finally:
        server.shutdown()


def with_password(url: str, **changes: object) -> str:
    """The warehouse URL with a password (ignored by trust authentication) and other changes."""
    return make_url(url).set(password=DB_PASSWORD, **changes).render_as_string(hide_password=False)


def nightly_run(
    instance: dg.DagsterInstance, only: list[dg.AssetKey] | None = None
) -> dg.ExecuteInProcessResult:
    """The nightly job (or `only` some of its assets), its resources read from the environment now."""
    from pipelines.definitions import ALL_ASSETS, ALL_CHECKS
    from pipelines.jobs import nightly_sync_job

    defs = dg.Definitions(
        assets=ALL_ASSETS, asset_checks=ALL_CHECKS, jobs=[nightly_sync_job], resources=build_resources()
    )
    return defs.resolve_job_def("nightly_sync").execute_in_process(
        instance=instance, tags=full_range_run_tags(AS_OF), raise_on_error=False, asset_selection=only
    )


def raise_failure_alert(
    instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult, webhook: str
) -> None:
    """Evaluate the project's run-failure sensor on a failed run, as the daemon would."""
    from pipelines.sensors import run_failure_alert

    failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE)
    context = dg.build_run_status_sensor_context(
        sensor_name="run_failure_alert",
        dagster_event=failure,
        dagster_instance=instance,
        dagster_run=instance.get_run_by_id(result.run_id),
        resources={"alerts": AlertingResource(webhook_url=webhook)},
    ).for_run_failure()
    run_failure_alert(context)


def run_texts(instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult) -> list[str]:
    """Every event record of a run, and the message of every event and error it raised."""
    texts = [repr(record) for record in instance.all_logs(result.run_id)]
    for event in result.all_events:
        texts.append(event.message or "")
        error = getattr(event.event_specific_data, "error", None)
        while error is not None:
            texts.append(error.to_string())
            error = error.cause
    return texts


def file_texts(root: Path) -> list[str]:
    """The bytes of every file under `root` (members of zip files such as spreadsheets unpacked), as text."""
    texts = []
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                texts.extend(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
        else:
            texts.append(path.read_bytes().decode("utf-8", "replace"))
    return texts


def warehouse_texts(warehouse: WarehouseResource) -> list[str]:
    """Every row of every table of the warehouse's schemas, and the source of its functions, as text."""
    url = make_url(warehouse.url)
    params = {"dbname": url.database, "user": url.username, "host": url.host, "port": url.port, **url.query}
    with psycopg.connect(**{k: v for k, v in params.items() if v}) as conn:
        tables = conn.execute(
            "SELECT n.nspname, c.relname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace"
            " WHERE n.nspname = ANY(%s) AND c.relkind IN ('r', 'p', 'm')",
            (list(SCANNED_SCHEMAS),),
        ).fetchall()
        texts = [
            row[0]
            for schema, table in tables
            for row in conn.execute(
                pgsql.SQL("SELECT t::text FROM {} AS t").format(pgsql.Identifier(schema, table))
            )
        ]
        texts += [row[0] for row in conn.execute(
            "SELECT p.prosrc FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace"
            " WHERE n.nspname = ANY(%s)", (list(SCANNED_SCHEMAS),)
        )]
    return texts


def leaks(texts: list[str], secrets: list[str]) -> list[str]:
    """The secrets (or their hex form, as bytea prints it) found in any of the texts."""
    corpus = "\n".join(texts)
    return [s for s in secrets if s in corpus or s.encode("utf-8").hex() in corpus]


def test_secrets_come_from_env_and_nothing_a_run_writes_holds_them(
    warehouse: WarehouseResource,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    faults = Faults(rate_429=0.05, rate_5xx=0.02, rate_token_expiry=0.2, retry_after=0)
    servers = SimulatorServers(
        generate_world(scale=300, seed=5), egov_api_key=API_KEY, client_secret=CLIENT_SECRET, faults=faults
    )
    tokens: list[str] = []
    issue = servers.tokens.issue
    monkeypatch.setattr(servers.tokens, "issue", lambda: tokens.append(issue()) or tokens[-1])
    monkeypatch.setenv("EGOV_SYNC_DATA_DIR", str(tmp_path / "data"))
    (tmp_path / "dagster").mkdir()
    instance = dg.DagsterInstance.local_temp(tempdir=str(tmp_path / "dagster"))
    texts: list[str] = []
    with servers, alert_receiver() as (webhook, alerts):
        for name, value in {
            "EGOV_BASE_URL": servers.egov_url,
            "EGOV_API_KEY": API_KEY,
            "NEWSYS_BASE_URL": servers.newsys_url,
            "NEWSYS_CLIENT_ID": "egov-sync",
            "NEWSYS_CLIENT_SECRET": CLIENT_SECRET,
            "WAREHOUSE_URL": with_password(warehouse.url),
            "PII_HASH_KEY": PII_KEY,
            "ALERT_WEBHOOK_URL": webhook,
        }.items():
            monkeypatch.setenv(name, value)
        configured = build_resources()
        assert isinstance(configured["egov"].api_key, dg.EnvVar)
        assert isinstance(configured["settings"].pii_hash_key, dg.EnvVar)
        succeeded = nightly_run(instance)
        assert succeeded.success
        texts += run_texts(instance, succeeded)

        monkeypatch.setenv("EGOV_API_KEY", WRONG_API_KEY)
        rejected = nightly_run(instance, only=[keys.RAW_EGOV_CASE])
        monkeypatch.setenv("EGOV_API_KEY", API_KEY)
        unreachable_url = with_password(warehouse.url, host="127.0.0.1", port=1, query={})
        monkeypatch.setenv("WAREHOUSE_URL", unreachable_url)
        unreachable = nightly_run(instance, only=[keys.FACT_CASE])
        monkeypatch.setenv("WAREHOUSE_URL", with_password(warehouse.url))
        with warehouse.begin() as conn:
            conn.exec_driver_sql(
                "CREATE OR REPLACE FUNCTION meta.applicant_key(applicant_id text, key bytea) RETURNS text"
                " LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'damaged key function'; END $$"
            )
        damaged = nightly_run(instance, only=[keys.FACT_CASE])
        expected_errors = ((rejected, "401"), (unreachable, "connection"), (damaged, "damaged key function"))
        for failed, why in expected_errors:
            assert not failed.success
            failed_texts = run_texts(instance, failed)
            assert why in "\n".join(failed_texts)
            texts += failed_texts
            raise_failure_alert(instance, failed, webhook)

    kinds = [json.loads(body)["kind"] for body in alerts]
    assert kinds.count("run_failure") == 3 and "data_quality" in kinds
    assert tokens
    captured = capfd.readouterr()
    texts += [captured.out, captured.err, caplog.text]
    texts += [body.decode("utf-8") for body in alerts]
    texts += file_texts(tmp_path)
    texts += warehouse_texts(warehouse)
    secrets = [API_KEY, WRONG_API_KEY, CLIENT_SECRET, PII_KEY, DB_PASSWORD, *tokens]
    assert leaks(texts, secrets) == []
