"""Secrets reach the resources through EnvVar and never appear in logs, events or metadata."""

from __future__ import annotations

import logging
import os

import dagster as dg
import pytest

from pipelines.resources_from_env import build_resources
from resources.warehouse import WarehouseResource
from simulator.faults import Faults
from simulator.server import SimulatorServers
from simulator.world import generate_world
from tests.integration.test_landing import RAW_ASSETS

API_KEY = "egov-key-5b1e0c9a7d"
CLIENT_SECRET = "client-secret-93f2aa61c4"
PII_KEY = "pii-key-0d8e6b3f17"


def test_secrets_come_from_env_and_stay_out_of_logs(
    warehouse: WarehouseResource,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    world = generate_world(scale=1000, seed=2)
    faults = Faults.heavy()
    with SimulatorServers(world, egov_api_key=API_KEY, client_secret=CLIENT_SECRET, faults=faults) as servers:
        for name, value in {
            "EGOV_BASE_URL": servers.egov_url,
            "EGOV_API_KEY": API_KEY,
            "NEWSYS_BASE_URL": servers.newsys_url,
            "NEWSYS_CLIENT_ID": "egov-sync",
            "NEWSYS_CLIENT_SECRET": CLIENT_SECRET,
            "WAREHOUSE_URL": warehouse.url,
            "PII_HASH_KEY": PII_KEY,
        }.items():
            monkeypatch.setenv(name, value)
        resources = build_resources()
        assert isinstance(resources["egov"].api_key, dg.EnvVar)
        instance = dg.DagsterInstance.ephemeral()
        result = dg.materialize(RAW_ASSETS, resources=resources, instance=instance)
    assert result.success
    records = instance.all_logs(result.run_id)
    event_text = "\n".join(repr(record) for record in records)
    captured = capfd.readouterr()
    everything = "\n".join([event_text, captured.out, captured.err, caplog.text])
    for secret in (API_KEY, CLIENT_SECRET, PII_KEY):
        assert secret not in everything
    assert os.environ["EGOV_API_KEY"] == API_KEY
