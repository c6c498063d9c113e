"""A demo on a given day: the world ends at that moment, and the report opens on the full month before it."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
from sqlalchemy import text

from core.asset_keys import MONTHLY_REPORT
from resources.warehouse import WarehouseResource
from simulator.server import SimulatorServers
from simulator.world import generate_world
from tests.sync_env import run_nightly_job, simulator_environment

DEMO_NOW = datetime(2026, 7, 3, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
JUNE, MAY = date(2026, 6, 1), date(2026, 5, 1)
PER_RECEIVED_CASE = ("on_time_rate", "online_rate", "digitized_rate", "national_sync_rate")


def indicators_of_all(warehouse: WarehouseResource) -> dict[tuple[date, str], int]:
    """Denominators of the whole Department's indicators by (month, indicator)."""
    with warehouse.begin() as conn:
        rows = conn.execute(
            text("SELECT period_month, indicator_code, denominator FROM mart.indicator_monthly "
                 "WHERE unit_code = 'ALL'")
        ).all()
    return {(row.period_month, row.indicator_code): row.denominator for row in rows}


def report_event(result: dg.ExecuteInProcessResult) -> dg.AssetMaterialization:
    """The monthly report's materialisation of the run."""
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key == MONTHLY_REPORT]
    return event.materialization


def test_a_demo_now_reports_on_the_full_month_before_it(
    warehouse: WarehouseResource, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EGOV_SYNC_DATA_DIR", str(tmp_path))
    world = generate_world(scale=800, seed=11, now=DEMO_NOW)
    with SimulatorServers(world) as servers, simulator_environment(servers, warehouse.url):
        result = run_nightly_job(as_of=world.clock)
    assert result.success
    denominators = indicators_of_all(warehouse)
    for code in PER_RECEIVED_CASE:
        assert denominators.get((JUNE, code), 0) > 0, code
    assert denominators[(JUNE, "online_rate")] >= 0.7 * denominators[(MAY, "online_rate")]
    assert denominators.get((JUNE, "e_result_rate"), 0) > 0
    report = report_event(result)
    assert report.metadata["month"].value == JUNE.isoformat()
    page = Path(report.metadata["report"].value)
    assert page == tmp_path / "reports" / "2026-06" / "bao-cao.html"
    assert "tháng 06/2026</h1>" in page.read_text(encoding="utf-8")
