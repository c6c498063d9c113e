"""End to end: `mart.fact_petition`, `mart.fact_rating`, the two petition indicators and the suite
`petitions` of the synced warehouse equal the oracle's, row by row."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from expectations.rules import PETITIONS, rules_of_suite
from tests.e2e.conftest import SyncedWarehouse
from tests.oracle.expected import (
    expected_fact_petition,
    expected_fact_rating,
    expected_petition_dq_counts,
    expected_petition_dq_offenders,
    expected_petition_indicators,
)

pytestmark = pytest.mark.e2e
PETITION_INDICATORS = ("petition_on_time_rate", "petition_satisfaction_rate")


def published_rows(synced: SyncedWarehouse, table: str, key: str) -> dict[str, dict[str, Any]]:
    """Every row of a mart table, by its key."""
    with synced.warehouse.begin() as conn:
        rows = conn.execute(text(f"SELECT * FROM {table}")).mappings().all()
    return {row[key]: dict(row) for row in rows}


def differences(expected: dict[Any, Any], published: dict[Any, Any]) -> dict[str, list[Any]]:
    """The keys missing, extra and wrong (with both values), a few of each."""
    missing = sorted(set(expected) - set(published))[:10]
    extra = sorted(set(published) - set(expected))[:10]
    wrong = sorted(key for key in set(expected) & set(published) if expected[key] != published[key])[:10]
    return {"missing": missing, "extra": extra,
            "wrong": [(key, expected[key], published[key]) for key in wrong]}  # fmt: skip


def assert_same(expected: dict[Any, Any], published: dict[Any, Any]) -> None:
    """Both hold the same keys with the same values."""
    found = differences(expected, published)
    assert not any(found.values()), found


def test_every_petition_row_equals_the_truth(synced: SyncedWarehouse) -> None:
    expected = expected_fact_petition(synced.truth)
    assert len(expected) > 10
    assert {row["status_code"] for row in expected.values()} == set(range(1, 8))
    assert_same(expected, published_rows(synced, "mart.fact_petition", "petition_key"))


def test_every_rating_row_equals_the_truth(synced: SyncedWarehouse) -> None:
    expected = expected_fact_rating(synced.truth)
    assert any(not row["in_force"] for row in expected.values())
    assert any(row["case_key"] is None for row in expected.values())
    assert_same(expected, published_rows(synced, "mart.fact_rating", "rating_key"))


def test_both_petition_indicators_equal_the_truth(synced: SyncedWarehouse) -> None:
    expected = expected_petition_indicators(synced.truth)
    assert {code for _, _, code in expected} == set(PETITION_INDICATORS)
    with synced.warehouse.begin() as conn:
        rows = conn.execute(
            text("SELECT period_month, unit_code, indicator_code, numerator, denominator, target"
                 " FROM mart.indicator_monthly WHERE indicator_code = ANY (:codes)"),
            {"codes": list(PETITION_INDICATORS)},
        ).all()  # fmt: skip
    assert_same(expected, {(r.period_month, r.unit_code, r.indicator_code): (r.numerator, r.denominator)
                           for r in rows})  # fmt: skip
    assert {float(r.target) for r in rows} == {0.96, 0.92}


def test_the_petitions_suite_equals_the_truth(synced: SyncedWarehouse) -> None:
    expected = expected_petition_dq_counts(synced.truth)
    assert set(expected) == {rule.name for rule in rules_of_suite(PETITIONS)}
    with synced.warehouse.begin() as conn:
        results = conn.execute(
            text("SELECT expectation, suite, success, element_count, unexpected_count FROM mart.dq_results"
                 " WHERE run_at = :run_at AND suite = :suite"),
            {"run_at": synced.as_of, "suite": PETITIONS},
        ).all()  # fmt: skip
        offenders = conn.execute(
            text("SELECT expectation, record_key FROM mart.dq_offender WHERE expectation = ANY (:names)"),
            {"names": list(expected)},
        ).all()
    found = {r.expectation: (r.element_count, r.unexpected_count) for r in results}
    assert found == expected
    assert all(r.success == (r.unexpected_count == 0) for r in results)
    published_offenders = {name: {key for e, key in offenders if e == name} for name in expected}
    truth = expected_petition_dq_offenders(synced.truth)
    assert published_offenders == {name: truth[name] for name in expected}
