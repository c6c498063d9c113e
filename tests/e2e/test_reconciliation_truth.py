"""The synced warehouse against the oracle's ground truth: reconciliation, fact_case and residue."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from core.local_time import local_date
from tests.builders import SELECT_RECONCILIATION, reconciliation_multiset
from tests.e2e.conftest import SyncedWarehouse
from tests.oracle.expected import (
    expected_fact_case,
    expected_outcome_counts,
    expected_reconciliation,
    expected_residue_by_unit,
)

pytestmark = pytest.mark.e2e



def query(synced: SyncedWarehouse, statement: str, **params: Any) -> list[dict[str, Any]]:
    """Rows of a query on the synced warehouse, as dictionaries."""
    with synced.warehouse.begin() as conn:
        return [dict(row) for row in conn.execute(text(statement), params).mappings()]


def test_run_succeeded(synced: SyncedWarehouse) -> None:
    assert synced.result.success


def test_outcome_counts_match_truth(synced: SyncedWarehouse) -> None:
    rows = query(synced, "SELECT outcome, count(*) AS n FROM mart.backlog_reconciliation GROUP BY outcome")
    assert {row["outcome"]: row["n"] for row in rows} == expected_outcome_counts(synced.truth)


def test_reconciliation_rows_match_truth(synced: SyncedWarehouse) -> None:
    with synced.warehouse.begin() as conn:
        published = reconciliation_multiset(conn.execute(SELECT_RECONCILIATION).mappings())
    assert published == reconciliation_multiset(expected_reconciliation(synced.truth))


def test_fact_case_matches_truth(synced: SyncedWarehouse) -> None:
    published = {row["case_key"]: row for row in query(synced, "SELECT * FROM mart.fact_case")}
    expected = expected_fact_case(synced.truth)
    assert published.keys() == expected.keys()
    differing = [key for key, row in expected.items() if published[key] != row]
    assert differing == []


def test_residue_snapshot_matches_truth(synced: SyncedWarehouse) -> None:
    rows = query(
        synced,
        "SELECT unit_code, residue_count FROM mart.backlog_residue_snapshot"
        " WHERE as_of_date = :day AND residue_count > 0 AND unit_code IS NOT NULL",
        day=local_date(synced.as_of),
    )
    assert {row["unit_code"]: row["residue_count"] for row in rows} == expected_residue_by_unit(synced.truth)
    (count,) = query(synced, "SELECT count(*) AS n FROM mart.residue_case")
    assert count["n"] == expected_outcome_counts(synced.truth).get("residue", 0)


def test_reconciliation_checks_passed(synced: SyncedWarehouse) -> None:
    evaluations = {e.check_name: e.passed for e in synced.result.get_asset_check_evaluations()}
    names = [
        "every_backlog_case_has_one_row",
        "every_migrated_record_appears_once",
        "fact_case_keys_are_unique",
        "residue_case_matches_reconciliation",
    ]
    assert {name: evaluations.get(name) for name in names} == dict.fromkeys(names, True)
