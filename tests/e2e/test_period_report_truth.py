"""End to end: every row of the published periodic TTHC report equals the independent oracle's."""

import pytest
from sqlalchemy import text

from tests.e2e.conftest import SyncedWarehouse
from tests.oracle.period_report import COUNTS, expected_period_report

pytestmark = pytest.mark.e2e


def published_period_report(synced: SyncedWarehouse) -> dict[tuple, dict]:
    """(period_kind, period_start, unit_code, field_code) -> period_end and the counts of the mart."""
    columns = ", ".join(COUNTS)
    with synced.warehouse.begin() as conn:
        found = conn.execute(
            text(
                "SELECT period_kind, period_start, unit_code, field_code, period_end, "
                + columns
                + " FROM mart.tthc_period_report"
            )
        ).mappings()
        return {
            (row["period_kind"], row["period_start"], row["unit_code"], row["field_code"]): {
                name: row[name] for name in ("period_end", *COUNTS)
            }
            for row in found
        }


def test_period_report_equals_the_oracle(synced: SyncedWarehouse) -> None:
    assert synced.result.success
    expected = expected_period_report(synced.truth)
    published = published_period_report(synced)
    missing = sorted(set(expected) - set(published))[:10]
    extra = sorted(set(published) - set(expected))[:10]
    wrong = sorted(key for key in set(expected) & set(published) if expected[key] != published[key])[:10]
    assert not (missing or extra or wrong), {
        "missing": missing,
        "extra": extra,
        "wrong": [(key, expected[key], published[key]) for key in wrong],
    }
    kinds = {kind for kind, *_ in published}
    assert kinds == {"quarter", "half", "year"}
    assert any(field == "" for *_, field in published), "the world has cases outside the catalogue"


def test_period_report_checks_passed(synced: SyncedWarehouse) -> None:
    evaluations = {
        e.check_name: e.passed
        for e in synced.result.get_asset_check_evaluations()
        if e.asset_key.to_user_string() == "mart/tthc_period_report"
    }
    assert evaluations == {"period_report_balances": True, "period_report_agrees_with_on_time_rate": True}
