"""End to end: the published indicators equal the oracle's ground truth, and the report is written."""

from pathlib import Path

import pytest
from sqlalchemy import text

from core.asset_keys import MONTHLY_REPORT as REPORT
from tests.e2e.conftest import SyncedWarehouse
from tests.oracle.expected import expected_indicators, expected_petition_indicators

pytestmark = pytest.mark.e2e


def published_indicators(synced: SyncedWarehouse) -> dict[tuple, tuple[int, int]]:
    """(period_month, unit_code, indicator_code) -> (numerator, denominator) of `mart.indicator_monthly`."""
    with synced.warehouse.begin() as conn:
        rows = conn.execute(
            text(
                "SELECT period_month, unit_code, indicator_code, numerator, denominator"
                " FROM mart.indicator_monthly"
            )
        ).all()
    return {(r.period_month, r.unit_code, r.indicator_code): (r.numerator, r.denominator) for r in rows}


def test_indicators_equal_the_truth(synced: SyncedWarehouse) -> None:
    assert synced.result.success
    expected = expected_indicators(synced.truth) | expected_petition_indicators(synced.truth)
    published = published_indicators(synced)
    missing = sorted(set(expected) - set(published))[:10]
    extra = sorted(set(published) - set(expected))[:10]
    wrong = sorted(key for key in set(expected) & set(published) if expected[key] != published[key])[:10]
    assert not (missing or extra or wrong), {
        "missing": missing,
        "extra": extra,
        "wrong": [(key, expected[key], published[key]) for key in wrong],
    }


def test_values_and_targets_are_consistent(synced: SyncedWarehouse) -> None:
    with synced.warehouse.begin() as conn:
        broken = conn.execute(
            text(
                "SELECT count(*) FROM mart.indicator_monthly m"
                " JOIN mart.indicator_targets t USING (indicator_code)"
                " WHERE m.value <> m.numerator::numeric / m.denominator OR m.target <> t.target"
                " OR m.meets_target IS DISTINCT FROM (m.value >= m.target)"
            )
        ).scalar_one()
    assert broken == 0


def test_report_is_written(synced: SyncedWarehouse) -> None:
    [event] = [e for e in synced.result.get_asset_materialization_events() if e.asset_key == REPORT]
    page = Path(event.materialization.metadata["report"].value)
    assert page.is_file()
    assert "Tỷ lệ hồ sơ giải quyết đúng hạn" in page.read_text(encoding="utf-8")
