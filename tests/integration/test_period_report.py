"""The periodic TTHC report mart on hand-made cases: a quarter, a half and a year, checks, re-runs."""

from __future__ import annotations

from datetime import date

import dagster as dg
import pytest
from sqlalchemy import text

from assets.period_report_mart import (
    PERIOD_REPORT_SQL,
    period_report_agrees_with_on_time_rate,
    period_report_balances,
    tthc_period_report,
)
from core.build_mode import FULL_REBUILD_TAG
from core.run_clock import AS_OF_TAG
from core.sql_files import sql
from resources.warehouse import WarehouseResource
from tests.period_report_data import AS_OF, install_period_cases

Counts = tuple[int, int, int, int, int, int, int, int, int, int, int]
F1_2025_Q2: Counts = (3, 1, 2, 0, 2, 2, 0, 0, 1, 1, 0)
# Per (unit, field): received, carried over, online, offline, resolved, early, on time, late, pending,
# within due, overdue — computed by hand from CASES (G has status 1 and H status 3: never counted).
EXPECTED_2025_Q2: dict[tuple[str, str], Counts] = {
    # A carried over from Q1 and finished early in Q2, B online and early, E online (unit U2 merged into U1)
    # pending at the quarter's end and within due.
    ("U1", "F1"): F1_2025_Q2,
    ("U1", "ALL"): F1_2025_Q2,
    ("ALL", "F1"): F1_2025_Q2,
    # C postal, on time on its due day; D late.
    ("U3", "F2"): (2, 0, 0, 2, 2, 0, 1, 1, 0, 0, 0),
    ("ALL", "F2"): (2, 0, 0, 2, 2, 0, 1, 1, 0, 0, 0),
    # F's procedure is not in the catalogue; pending and overdue at the quarter's end.
    ("U3", ""): (1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1),
    ("ALL", ""): (1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1),
    ("U3", "ALL"): (3, 0, 0, 3, 2, 0, 1, 1, 1, 0, 1),
    ("ALL", "ALL"): (6, 1, 2, 3, 4, 2, 1, 1, 2, 1, 1),
}
EXPECTED_2025_H1: dict[tuple[str, str], Counts] = {
    # L carried over from 2024; I online and late in January.
    ("U1", "F1"): (4, 1, 2, 1, 3, 3, 0, 0, 1, 1, 0),
    ("U1", "ALL"): (4, 1, 2, 1, 3, 3, 0, 0, 1, 1, 0),
    ("ALL", "F1"): (4, 1, 2, 1, 3, 3, 0, 0, 1, 1, 0),
    ("U3", "F2"): (3, 0, 1, 2, 3, 0, 1, 2, 0, 0, 0),
    ("ALL", "F2"): (3, 0, 1, 2, 3, 0, 1, 2, 0, 0, 0),
    ("U3", ""): (1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1),
    ("ALL", ""): (1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1),
    ("U3", "ALL"): (4, 0, 1, 3, 3, 0, 1, 2, 1, 0, 1),
    ("ALL", "ALL"): (8, 1, 3, 4, 6, 3, 1, 2, 2, 1, 1),
}
EXPECTED_2025_YEAR: dict[tuple[str, str], Counts] = {
    # E finished early in July; J online, late by an hour on its due day.
    ("U1", "F1"): (4, 1, 2, 1, 4, 4, 0, 0, 0, 0, 0),
    ("U1", "F2"): (1, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0),
    ("U1", "ALL"): (5, 1, 3, 1, 5, 4, 0, 1, 0, 0, 0),
    ("U3", "F2"): (3, 0, 1, 2, 3, 0, 1, 2, 0, 0, 0),
    ("U3", ""): (1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1),
    ("U3", "ALL"): (4, 0, 1, 3, 3, 0, 1, 2, 1, 0, 1),
    ("ALL", "F1"): (4, 1, 2, 1, 4, 4, 0, 0, 0, 0, 0),
    ("ALL", "F2"): (4, 0, 2, 2, 4, 0, 1, 3, 0, 0, 0),
    ("ALL", ""): (1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1),
    ("ALL", "ALL"): (9, 1, 4, 4, 8, 4, 1, 3, 1, 0, 1),
}
ASSETS = [tthc_period_report, period_report_balances, period_report_agrees_with_on_time_rate]


def materialize(warehouse: WarehouseResource, *, full: bool = False) -> dg.ExecuteInProcessResult:
    """One in-process run of the mart and its checks at the fixed `as_of` (rebuilt in full when asked)."""
    result = dg.materialize(
        ASSETS,
        resources={"warehouse": warehouse},
        tags={AS_OF_TAG: AS_OF.isoformat()} | ({FULL_REBUILD_TAG: "true"} if full else {}),
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    return result


def report_rows(warehouse: WarehouseResource) -> dict[tuple, tuple]:
    """(kind, start, unit, field) -> (period_end, the eleven counts..., xmin)."""
    with warehouse.begin() as conn:
        found = conn.execute(
            text(
                "SELECT period_kind, period_start, unit_code, field_code, period_end, received_total,"
                " carried_over, received_online, received_offline, resolved_total, resolved_early,"
                " resolved_on_time, resolved_late, pending_total, pending_within_due, pending_overdue,"
                " xmin::text FROM mart.tthc_period_report"
            )
        ).all()
    return {tuple(row[:4]): tuple(row[4:]) for row in found}


def period(rows: dict[tuple, tuple], kind: str, start: date) -> dict[tuple[str, str], Counts]:
    """The counts of one period by (unit, field)."""
    return {
        (unit, field): values[1:12] for (k, s, unit, field), values in rows.items() if (k, s) == (kind, start)
    }


@pytest.fixture
def reported(warehouse: WarehouseResource) -> WarehouseResource:
    """A warehouse with the hand-made cases and the mart published once."""
    install_period_cases(warehouse)
    materialize(warehouse)
    return warehouse


def test_quarter_half_and_year_match_hand_computed_rows(reported: WarehouseResource) -> None:
    rows = report_rows(reported)
    assert period(rows, "quarter", date(2025, 4, 1)) == EXPECTED_2025_Q2
    assert period(rows, "half", date(2025, 1, 1)) == EXPECTED_2025_H1
    assert period(rows, "year", date(2025, 1, 1)) == EXPECTED_2025_YEAR
    assert rows[("quarter", date(2025, 4, 1), "ALL", "ALL")][0] == date(2025, 7, 1)
    assert rows[("half", date(2025, 1, 1), "ALL", "ALL")][0] == date(2025, 7, 1)
    assert rows[("year", date(2025, 1, 1), "ALL", "ALL")][0] == date(2026, 1, 1)
    assert not any(unit == "U2" for _, _, unit, _ in rows), "a merged unit reports under its successor"


def test_periods_run_from_the_first_received_case_to_the_period_of_as_of(reported: WarehouseResource) -> None:
    starts = {(kind, start) for kind, start, unit, field in report_rows(reported) if unit == field == "ALL"}
    quarters = {date(2024, 10, 1), date(2025, 1, 1), date(2025, 4, 1), date(2025, 7, 1), date(2025, 10, 1),
                date(2026, 1, 1)}  # fmt: skip
    halves = {date(2024, 7, 1), date(2025, 1, 1), date(2025, 7, 1), date(2026, 1, 1)}
    years = {date(2024, 1, 1), date(2025, 1, 1), date(2026, 1, 1)}
    assert starts == (
        {("quarter", q) for q in quarters} | {("half", h) for h in halves} | {("year", y) for y in years}
    )
    # The current quarter judges pending cases at as_of: K within due, F overdue.
    current = period(report_rows(reported), "quarter", date(2026, 1, 1))
    assert current[("ALL", "ALL")] == (2, 1, 0, 1, 0, 0, 0, 0, 2, 1, 1)


def test_rerun_changes_no_row_and_a_change_updates_only_its_periods(reported: WarehouseResource) -> None:
    before = report_rows(reported)
    materialize(reported)
    assert report_rows(reported) == before
    with reported.begin() as conn:
        conn.execute(
            text(
                "UPDATE mart.fact_case SET finished_at = received_at + interval '1 day' WHERE case_key = 'J'"
            )
        )
    # fact_case was changed outside its build, so no change was logged: only a full rebuild sees it
    materialize(reported, full=True)
    after = report_rows(reported)
    changed = {key for key in after if after[key] != before[key]}
    assert changed and all(start in (date(2025, 7, 1), date(2025, 1, 1)) for _, start, _, _ in changed)
    assert after[("year", date(2025, 1, 1), "U1", "F2")][1:12] == (1, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0)


def test_checks_pass_and_the_on_time_check_agrees_for_any_quarter(reported: WarehouseResource) -> None:
    result = materialize(reported)
    evaluations = result.get_asset_check_evaluations()
    assert {e.check_name for e in evaluations} == {
        "period_report_balances",
        "period_report_agrees_with_on_time_rate",
    }
    assert all(e.passed for e in evaluations)
    [agreement] = [e for e in evaluations if e.check_name == "period_report_agrees_with_on_time_rate"]
    assert agreement.metadata["quarter"].value == "2025-10-01"
    with reported.begin() as conn:
        for start in (date(2025, 1, 1), date(2025, 4, 1), date(2025, 7, 1)):
            differences = conn.execute(
                sql(PERIOD_REPORT_SQL, "check_period_report_on_time"), {"as_of": AS_OF, "period_start": start}
            ).all()
            assert differences == []


def test_balance_check_fails_on_an_unbalanced_row(reported: WarehouseResource) -> None:
    with reported.begin() as conn:
        conn.execute(
            text(
                "UPDATE mart.tthc_period_report SET resolved_late = resolved_late + 1"
                " WHERE period_kind = 'year' AND unit_code = 'ALL' AND field_code = 'ALL'"
                " AND period_start = DATE '2025-01-01'"
            )
        )
    result = dg.materialize(
        [period_report_balances], resources={"warehouse": reported}, instance=dg.DagsterInstance.ephemeral(),
        selection=dg.AssetSelection.checks(period_report_balances),
    )  # fmt: skip
    [evaluation] = result.get_asset_check_evaluations()
    assert not evaluation.passed
    assert evaluation.metadata["unbalanced_rows"].value == 1
