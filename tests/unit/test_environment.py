"""The environment is validated when the code location loads: a bad variable stops it with its name, and the
pseudonymisation key must be strong (the demo's public key serves the demo only)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.environment import DEMO_PII_KEY, SettingsError, read_environment

ROOT = Path(__file__).resolve().parents[2]


def load_code_location(env: dict[str, str]) -> subprocess.CompletedProcess:
    """Import the Definitions in a fresh interpreter, as the webserver and the daemon do."""
    clean = {name: value for name, value in os.environ.items() if not name.startswith(("EGOV_SYNC_", "PII_"))}
    return subprocess.run(
        [sys.executable, "-c", "import pipelines.definitions"], cwd=ROOT, env=clean | env,
        capture_output=True, text=True, timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"PII_HASH_KEY": "short-key"}, "PII_HASH_KEY must be at least 32 bytes long"),
        ({"PII_HASH_KEY": DEMO_PII_KEY}, "PII_HASH_KEY is the demo's public key"),
        ({"EGOV_SYNC_SENSOR_INTERVAL_SECONDS": "often"}, "EGOV_SYNC_SENSOR_INTERVAL_SECONDS"),
        ({"WAREHOUSE_URL": "mysql://db/warehouse"}, "WAREHOUSE_URL: must be a SQLAlchemy URL"),
        ({"CUTOVER_AT": "2024-12-24T00:00:00"}, "CUTOVER_AT: must carry a UTC offset"),
    ],
)
def test_a_bad_variable_stops_the_code_location_naming_it(env: dict[str, str], named: str) -> None:
    loaded = load_code_location(env)
    assert loaded.returncode != 0
    assert named in loaded.stderr
    for value in env.values():
        if value != "often":
            assert f"input_value='{value}'" not in loaded.stderr


def test_the_demo_key_serves_the_demo_and_a_strong_key_anywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PII_HASH_KEY", DEMO_PII_KEY)
    with pytest.raises(SettingsError):
        read_environment()
    monkeypatch.setenv("EGOV_SYNC_DEMO", "1")
    assert read_environment().demo
    monkeypatch.delenv("EGOV_SYNC_DEMO")
    monkeypatch.setenv("PII_HASH_KEY", "k" * 32)
    assert read_environment().pii_hash_key == "k" * 32


def test_messages_never_repeat_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PII_HASH_KEY", "secret-but-short")
    with pytest.raises(SettingsError) as raised:
        read_environment()
    assert "secret-but-short" not in str(raised.value)
