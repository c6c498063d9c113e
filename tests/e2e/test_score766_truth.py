"""End to end: every row of `mart.score766_monthly` equals the oracle's scorecard, the Dagster metadata shows
the Department's scores, and the "points lost" lists of the report hold exactly the items outside each
numerator."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import text

from core.asset_keys import SCORE766_MONTHLY
from reports.score766_section import load_scorecards
from tests.e2e.conftest import SyncedWarehouse
from tests.oracle.expected import expected_score766

pytestmark = pytest.mark.e2e
TOLERANCE = 1e-6


def published_scorecard(synced: SyncedWarehouse) -> dict[tuple[date, str, str], dict[str, Any]]:
    """(period_month, unit_code, metric_code) -> the row's other columns, numbers as floats."""
    with synced.warehouse.begin() as conn:
        rows = conn.execute(text("SELECT * FROM mart.score766_monthly")).mappings().all()
    return {
        (row["period_month"], row["unit_code"], row["metric_code"]): {
            "group_code": row["group_code"], "numerator": row["numerator"], "denominator": row["denominator"],
            "ratio": None if row["ratio"] is None else float(row["ratio"]),
            "score": None if row["score"] is None else float(row["score"]),
            "max_score": int(row["max_score"]),
        }
        for row in rows
    }  # fmt: skip


def same(expected: dict[str, Any], published: dict[str, Any]) -> bool:
    """Equal, the ratio and score within the contract's tolerance."""
    for name, value in expected.items():
        found = published[name]
        if name in ("ratio", "score") and value is not None and found is not None:
            if abs(value - found) > TOLERANCE:
                return False
        elif value != found:
            return False
    return True


def test_every_scorecard_row_equals_the_truth(synced: SyncedWarehouse) -> None:
    assert synced.result.success
    expected = expected_score766(synced.truth)
    published = published_scorecard(synced)
    assert len(expected) > 100
    missing = sorted(set(expected) - set(published))[:10]
    extra = sorted(set(published) - set(expected))[:10]
    wrong = sorted(key for key in set(expected) & set(published) if not same(expected[key], published[key]))
    assert not (missing or extra or wrong), {
        "missing": missing, "extra": extra, "wrong": [(k, expected[k], published[k]) for k in wrong[:10]],
    }  # fmt: skip
    scores = [row["score"] for row in expected.values()]
    assert any(score is None for score in scores) and any(score == 0 for score in scores)


def test_the_metadata_shows_the_department_scores(synced: SyncedWarehouse) -> None:
    [event] = [e for e in synced.result.get_asset_materialization_events() if e.asset_key == SCORE766_MONTHLY]
    shown = event.materialization.metadata
    metadata = {name: getattr(value, "value", value) for name, value in shown.items()}
    for label in ("as_of_month", "last_complete_month"):
        assert {f"{label}/{group}" for group in (
            "transparency", "progress", "online_service", "online_payment", "digitisation", "satisfaction",
        )} | {f"{label}/total", f"{label}/month"} <= set(metadata)  # fmt: skip
    assert metadata["last_complete_month/total"].endswith("(of 100)")


def test_the_points_lost_are_the_items_outside_each_numerator(synced: SyncedWarehouse) -> None:
    with synced.warehouse.begin() as conn:
        months = conn.execute(
            text("SELECT DISTINCT period_month FROM mart.score766_monthly ORDER BY period_month DESC LIMIT 4")
        ).scalars().all()
        checked = 0
        for month in months:
            for card in load_scorecards(conn, month, synced.as_of, None):
                lines = {line.metric.code: line for group in card.groups for line in group.lines}
                for lost in card.lost:
                    line = lines[lost.code]
                    assert lost.total == len(lost.items) == line.denominator - line.numerator, (
                        month, card.unit_code, lost.code,
                    )  # fmt: skip
                    assert lost.points_lost > 0
                    checked += 1
    assert checked > 10
