"""The demo never touches a real deployment: with a production environment in the shell it lands into its
own embedded warehouse, under its own key, instance and folders, and sends nothing anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from resources.embedded_postgres import sqlalchemy_url
from resources.scratch_databases import create_database, drop_database
from tests.foreign_host import recorders

ROOT = Path(__file__).resolve().parent.parent.parent
PRODUCTION_KEY = "production-pii-key-that-the-demo-must-never-use"


@pytest.fixture
def production_database(pg_admin_uri: str) -> Iterator[str]:
    """An empty database standing for a production warehouse (no schema yet: any write would create one)."""
    name = create_database(pg_admin_uri, prefix="egov_sync_production")
    yield sqlalchemy_url(pg_admin_uri, name)
    drop_database(pg_admin_uri, name)


def schemas_of(url: str) -> set[str]:
    """The schemas of a database, apart from PostgreSQL's own."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            names = conn.execute(text("SELECT nspname FROM pg_namespace")).scalars()
            return {name for name in names if not name.startswith("pg_") and name != "information_schema"}
    finally:
        engine.dispose()


def test_demo_keeps_away_from_the_production_environment_in_the_shell(
    production_database: str, tmp_path: Path
) -> None:
    production_home = tmp_path / "production-dagster"
    production_home.mkdir()
    with recorders(1) as (webhook,):
        shell = os.environ | {
            "WAREHOUSE_URL": production_database,
            "PII_HASH_KEY": PRODUCTION_KEY,
            "ALERT_WEBHOOK_URL": f"http://127.0.0.1:{webhook.port}/alerts",
            "DAGSTER_HOME": str(production_home),
            "EGOV_SYNC_REPORT_DIR": str(tmp_path / "production-reports"),
            "EGOV_SYNC_DATA_DIR": str(tmp_path / "demo-data"),
        }
        done = subprocess.run(
            [str(Path(sys.executable).with_name("egov-sync")), "demo", "--scale", "300", "--faults", "none"],
            cwd=ROOT, env=shell, capture_output=True, text=True, timeout=600,
        )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    assert "not using WAREHOUSE_URL, ALERT_WEBHOOK_URL, DAGSTER_HOME" in output
    assert "embedded PostgreSQL" in output
    assert schemas_of(production_database) <= {"public"}
    assert webhook.connections == 0
    assert list(production_home.iterdir()) == []
    assert not (tmp_path / "production-reports").exists()
    assert (tmp_path / "demo-data" / "reports").is_dir()
    assert PRODUCTION_KEY not in output
