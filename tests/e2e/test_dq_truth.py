"""The data-quality results of the synced warehouse against the oracle's ground truth."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from expectations.rules import CONTRACT_EXPECTATIONS, RULES
from tests.e2e.conftest import SyncedWarehouse
from tests.oracle.expected import expected_dq_counts

pytestmark = pytest.mark.e2e


def run_results(synced: SyncedWarehouse) -> dict[str, tuple[bool, int, int]]:
    """`mart.dq_results` of the synced run: (success, element_count, unexpected_count) by expectation."""
    with synced.warehouse.begin() as conn:
        rows = conn.execute(
            text(
                "SELECT expectation, success, element_count, unexpected_count FROM mart.dq_results"
                " WHERE run_at = :run_at"
            ),
            {"run_at": synced.as_of},
        ).all()
    return {name: (success, elements, unexpected) for name, success, elements, unexpected in rows}


def test_run_succeeds_despite_findings(synced: SyncedWarehouse) -> None:
    assert synced.result.success


def test_one_row_per_expectation_of_the_run(synced: SyncedWarehouse) -> None:
    assert set(run_results(synced)) == {rule.name for rule in RULES}


def test_named_expectations_match_the_truth(synced: SyncedWarehouse) -> None:
    expected = expected_dq_counts(synced.truth)
    found = run_results(synced)
    assert set(expected) == set(CONTRACT_EXPECTATIONS)
    for name, (elements, unexpected) in expected.items():
        success, got_elements, got_unexpected = found[name]
        assert (got_elements, got_unexpected) == (elements, unexpected), name
        assert success == (unexpected == 0), name


def test_checks_report_the_same_figures(synced: SyncedWarehouse) -> None:
    evaluations = {e.check_name: e for e in synced.result.get_asset_check_evaluations()}
    for name, (success, elements, unexpected) in run_results(synced).items():
        evaluation = evaluations[name]
        assert evaluation.passed == success, name
        assert evaluation.metadata["element_count"].value == elements, name
        assert evaluation.metadata["unexpected_count"].value == unexpected, name
