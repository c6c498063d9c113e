"""Every data-quality expectation passes clean data and catches a planted offender, in real PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from expectations import rules as rules_module
from expectations.rules import FACT_CASE_INTEGRITY, RULES
from expectations.run import ValidationRun, run_data_quality, run_integrity, run_row_rules
from expectations.validation import Outcome
from resources.table_versions import raise_version
from resources.warehouse import WarehouseResource
from tests.integration.dq_rows import (
    CUTOVER,
    T0,
    add_case,
    add_egov_case,
    add_newsys_raw_case,
    add_official,
    add_petition,
    add_procedure,
    add_quarantine,
    add_rating,
)

Plant = Callable[[Connection], None]
FAR_AHEAD = datetime.fromisoformat("2099-01-01T00:00:00+07:00")


@dataclass(frozen=True)
class Scenario:
    """Clean rows, one planted offender, and the (element_count, unexpected_count) before and after."""

    baseline: Plant
    plant: Plant
    clean: tuple[int, int]
    planted: tuple[int, int]
    offender: str | None


def nothing(conn: Connection) -> None:
    """No rows."""


def good_case(conn: Connection) -> None:
    """One finished, well-kept new-system case."""
    add_case(conn, "N-OK")


def without_primary_key(conn: Connection) -> None:
    """Let `mart.fact_case` hold what its primary key forbids, to plant structural offenders."""
    conn.execute(
        text("ALTER TABLE mart.fact_case DROP CONSTRAINT fact_case_pkey, ALTER case_key DROP NOT NULL")
    )


def late_baseline(conn: Connection) -> None:
    """A late case with an apology; an on-time and an undated case without one (out of scope)."""
    add_case(conn, "N-LATE-OK", finished_at=T0 + timedelta(days=20))
    add_case(conn, "N-ONTIME", has_apology=False)
    add_case(conn, "N-NODUE", due_at=None, has_apology=False)


def officials_baseline(conn: Connection) -> None:
    """A VNeID official who handled a case; officials and names outside the scope."""
    add_official(conn, "cb.a")
    add_official(conn, "cb.idle", "NOI_BO")
    add_official(conn, "cb.gone", "NOI_BO", is_active=False)
    add_official(conn, "cb.egov", "NOI_BO")
    add_case(conn, "N1", handlers=("cb.a",))
    add_case(conn, "N2", handlers=("cb.gone", "ghost"))
    add_case(conn, "EGOV:SO-9", source_system="egov", synced_national=None, handlers=("cb.egov",))


def official_offender(conn: Connection) -> None:
    """An active official with a local password account who handled a case."""
    add_official(conn, "cb.b", "NOI_BO")
    add_case(conn, "N3", handlers=("cb.b", "cb.a"))


def quarantine_baseline(source: str) -> Plant:
    """20 landed records of `source`, one open and one resolved quarantine row: under the threshold."""

    def plant(conn: Connection) -> None:
        for number in range(20):
            if source == "newsys":
                add_newsys_raw_case(conn, f"R{number}")
            else:
                add_egov_case(conn, 100 + number, T0 - timedelta(days=200))
        add_quarantine(conn, source, "Q-1")
        add_quarantine(conn, source, "Q-OLD", resolved=True)

    return plant


def quarantine_more(source: str) -> Plant:
    """Two more open quarantine rows of `source`: over the threshold."""

    def plant(conn: Connection) -> None:
        add_quarantine(conn, source, "Q-2")
        add_quarantine(conn, source, "Q-3")

    return plant


def rated_baseline(conn: Connection) -> None:
    """A case rated 1 whose rating in force says 1 (a replaced rating says 3); a case without ratings."""
    good_case(conn)
    add_case(conn, "N-UNRATED", rating=None)
    add_rating(conn, "R-OK", "N-OK", level=1)
    add_rating(conn, "R-OLD", "N-OK", level=3, in_force=False)


def rated_offender(conn: Connection) -> None:
    """A case without DanhGia that has a rating in force."""
    add_case(conn, "N-BAD", rating=None)
    add_rating(conn, "R-BAD", "N-BAD", level=2)


SCENARIOS: dict[str, Scenario] = {
    "closed_case_has_result": Scenario(
        good_case, lambda c: add_case(c, "N-BAD", has_result=False), (1, 0), (2, 1), "N-BAD"
    ),
    "late_case_has_apology": Scenario(
        late_baseline,
        lambda c: add_case(c, "N-LATE-BAD", finished_at=T0 + timedelta(days=11), has_apology=False),
        (1, 0), (2, 1), "N-LATE-BAD",
    ),
    "stopped_case_has_reason": Scenario(
        lambda c: add_case(c, "N-STOP", status_code=8, stop_reason="Thiếu giấy tờ"),
        lambda c: add_case(c, "N-STOP-BAD", status_code=8, stop_reason="   "),
        (1, 0), (2, 1), "N-STOP-BAD",
    ),
    "official_account_vneid": Scenario(officials_baseline, official_offender, (1, 0), (2, 1), "cb.b"),
    "egov_no_receipt_after_cutover": Scenario(
        lambda c: add_egov_case(c, 1, CUTOVER - timedelta(seconds=1)),
        lambda c: add_egov_case(c, 2, CUTOVER),
        (1, 0), (2, 1), "EGOV:SO-2",
    ),
    "case_dates_in_order": Scenario(
        lambda c: (good_case(c), add_case(c, "N-OPEN", status_code=4, due_at=None, finished_at=None)),
        lambda c: add_case(c, "N-BAD", finished_at=T0 - timedelta(hours=1)),
        (2, 0), (3, 1), "N-BAD",
    ),
    "case_synced_to_national_portal": Scenario(
        lambda c: (good_case(c), add_case(c, "EGOV:SO-1", source_system="egov", synced_national=None)),
        lambda c: add_case(c, "N-BAD", synced_national=False),
        (1, 0), (2, 1), "N-BAD",
    ),
    "case_procedure_in_catalog": Scenario(
        lambda c: (good_case(c), add_case(c, "N-NOPROC", procedure_code=None)),
        lambda c: add_case(c, "N-BAD", procedure_code="P404"),
        (2, 0), (3, 1), "N-BAD",
    ),
    "fact_case_key_not_null": Scenario(
        lambda c: (good_case(c), without_primary_key(c)),
        lambda c: add_case(c, None, staged=False),  # type: ignore[arg-type]
        (1, 0), (2, 1), None,
    ),
    "fact_case_key_unique": Scenario(
        lambda c: (good_case(c), without_primary_key(c)),
        lambda c: add_case(c, "N-OK", staged=False),
        (1, 0), (2, 2), "N-OK",
    ),
    "fact_case_status_code_valid": Scenario(
        good_case, lambda c: add_case(c, "N-BAD", status_code=11, staged=False), (1, 0), (2, 1), "N-BAD"
    ),
    "fact_case_channel_valid": Scenario(
        good_case, lambda c: add_case(c, "N-BAD", channel=4), (1, 0), (2, 1), "N-BAD"
    ),
    "fact_case_payment_valid": Scenario(
        lambda c: (good_case(c), add_case(c, "N-FREE", payment=None)),
        lambda c: add_case(c, "N-BAD", payment="cash"),
        (2, 0), (3, 1), "N-BAD",
    ),
    "fact_case_rating_valid": Scenario(
        lambda c: (good_case(c), add_case(c, "N-UNRATED", rating=None)),
        lambda c: add_case(c, "N-BAD", rating=5),
        (2, 0), (3, 1), "N-BAD",
    ),
    "fact_case_source_system_valid": Scenario(
        good_case, lambda c: add_case(c, "N-BAD", source_system="paper", staged=False),
        (1, 0), (2, 1), "N-BAD",
    ),
    "newsys_case_quarantine_rate": Scenario(
        quarantine_baseline("newsys"), quarantine_more("newsys"), (21, 1), (23, 3), "Q-2"
    ),
    "egov_case_quarantine_rate": Scenario(
        quarantine_baseline("egov"), quarantine_more("egov"), (21, 1), (23, 3), "Q-2"
    ),
    "newsys_case_not_ahead_of_clock": Scenario(
        lambda c: add_newsys_raw_case(c, "N-NOW"),
        lambda c: add_newsys_raw_case(c, "N-2099", updated_at=FAR_AHEAD),
        (1, 0), (2, 1), "N-2099",
    ),
    "egov_case_not_ahead_of_clock": Scenario(
        lambda c: add_egov_case(c, 1, CUTOVER - timedelta(days=3)),
        lambda c: add_egov_case(c, 2, CUTOVER - timedelta(days=2), updated_at=FAR_AHEAD),
        (1, 0), (2, 1), "EGOV:SO-2",
    ),
    "petition_answered_has_result": Scenario(
        lambda c: (add_petition(c, "PA-OK"), add_petition(c, "PA-OPEN", status_code=2, has_answer=False)),
        lambda c: add_petition(c, "PA-BAD", status_code=7, has_answer=False),
        (1, 0), (2, 1), "PA-BAD",
    ),
    "petition_rejected_has_reason": Scenario(
        lambda c: add_petition(c, "PR-OK", status_code=4, has_answer=False, has_reject_reason=True),
        lambda c: add_petition(c, "PR-BAD", status_code=4, has_answer=False),
        (1, 0), (2, 1), "PR-BAD",
    ),
    "petition_case_exists": Scenario(
        lambda c: (good_case(c), add_petition(c, "PC-OK", case_no="N-OK", case_key="N-OK"),
                   add_petition(c, "PC-NONE")),
        lambda c: add_petition(c, "PC-BAD", case_no="N-404"),
        (1, 0), (2, 1), "PC-BAD",
    ),
    "rating_case_exists": Scenario(
        lambda c: (good_case(c), add_rating(c, "R-OK", "N-OK")),
        lambda c: add_rating(c, "R-BAD", "N-404", known=False),
        (1, 0), (2, 1), "R-BAD",
    ),
    "case_rating_matches_rating_in_force": Scenario(
        rated_baseline, rated_offender, (1, 0), (2, 1), "N-BAD"
    ),
}


def validate(warehouse: WarehouseResource, docs_dir: Path, hour: int) -> dict[str, Outcome]:
    """Run one validation as of `hour` o'clock; outcomes by expectation."""
    run = run_data_quality(warehouse.engine(), CUTOVER, T0.replace(hour=hour), docs_dir)
    return {outcome.rule.name: outcome for outcome in run.outcomes}


def offenders(warehouse: WarehouseResource, expectation: str) -> list[str]:
    """Record keys listed in `mart.dq_offender` for one expectation."""
    with warehouse.begin() as conn:
        query = text("SELECT record_key FROM mart.dq_offender WHERE expectation = :e ORDER BY record_key")
        return list(conn.execute(query, {"e": expectation}).scalars())


def test_every_rule_has_a_scenario() -> None:
    assert set(SCENARIOS) == {rule.name for rule in RULES}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_expectation_passes_clean_data_and_catches_offender(
    name: str, warehouse: WarehouseResource, tmp_path: Path
) -> None:
    scenario = SCENARIOS[name]
    with warehouse.begin() as conn:
        add_procedure(conn, "P1")
        scenario.baseline(conn)
    clean = validate(warehouse, tmp_path, 9)[name]
    assert clean.success
    assert (clean.element_count, clean.unexpected_count) == scenario.clean
    assert offenders(warehouse, name) == []

    with warehouse.begin() as conn:
        scenario.plant(conn)
    planted = validate(warehouse, tmp_path, 10)[name]
    assert not planted.success
    assert (planted.element_count, planted.unexpected_count) == scenario.planted
    if scenario.offender is not None:
        assert scenario.offender in planted.sample_keys
        assert scenario.offender in offenders(warehouse, name)


def test_results_are_a_history_of_one_row_per_expectation(
    warehouse: WarehouseResource, tmp_path: Path
) -> None:
    with warehouse.begin() as conn:
        good_case(conn)
    validate(warehouse, tmp_path, 9)
    validate(warehouse, tmp_path, 10)
    with warehouse.begin() as conn:
        rows = conn.execute(
            text(
                "SELECT run_at, count(*), count(DISTINCT suite) FROM mart.dq_results"
                " GROUP BY run_at ORDER BY run_at"
            )
        ).all()
    assert [(count, suites) for _, count, suites in rows] == [(len(RULES), 4), (len(RULES), 4)]


def test_data_docs_site_names_every_suite(warehouse: WarehouseResource, tmp_path: Path) -> None:
    with warehouse.begin() as conn:
        good_case(conn)
    run = run_data_quality(warehouse.engine(), CUTOVER, T0, tmp_path)
    index = run.docs_index.read_text(encoding="utf-8")
    assert run.docs_index == tmp_path / "index.html"
    for suite in ("business_rules", "fact_case_integrity", "source_quality", "petitions"):
        assert suite in index
        assert (tmp_path / "expectations" / f"{suite}.html").exists()


def figures(run: ValidationRun) -> list[tuple[str, bool, int, int]]:
    """Each outcome's rule, success and counts."""
    return [(o.rule.name, o.success, o.element_count, o.unexpected_count) for o in run.outcomes]


def test_an_unchanged_table_is_not_validated_again(warehouse: WarehouseResource, tmp_path: Path) -> None:
    engine = warehouse.engine()
    with warehouse.begin() as conn:
        add_procedure(conn, "P1")
        good_case(conn)
    first = run_integrity(engine, T0.replace(hour=9), tmp_path)
    rows_first = run_row_rules(engine, CUTOVER, T0.replace(hour=9), tmp_path)
    assert (first.reused_from, rows_first.reused_from) == (None, None)
    again = run_integrity(engine, T0.replace(hour=10), tmp_path)
    rows_again = run_row_rules(engine, CUTOVER, T0.replace(hour=10), tmp_path)
    assert (again.reused_from, rows_again.reused_from) == (first.run_at, rows_first.run_at)
    assert (figures(again), figures(rows_again)) == (figures(first), figures(rows_first))
    with warehouse.begin() as conn:
        add_case(conn, "N-BAD", payment="cash")
        raise_version(conn, "mart.fact_case")
    changed = run_integrity(engine, T0.replace(hour=11), tmp_path)
    assert changed.reused_from is None
    assert "fact_case_payment_valid" in {outcome.rule.name for outcome in changed.failed}
    assert run_integrity(engine, T0.replace(hour=12), tmp_path, full=True).reused_from is None
    with warehouse.begin() as conn:
        counts = conn.execute(text("SELECT run_at, count(*) FROM mart.dq_results GROUP BY run_at")).all()
    integrity_rules = sum(rule.suite == FACT_CASE_INTEGRITY for rule in RULES)
    assert sorted(count for _, count in counts) == sorted(
        [len(RULES), len(RULES), integrity_rules, integrity_rules]
    )


def test_a_validation_is_run_again_when_the_rules_changed(
    warehouse: WarehouseResource, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = warehouse.engine()
    with warehouse.begin() as conn:
        add_procedure(conn, "P1")
        good_case(conn)
    first = run_integrity(engine, T0.replace(hour=9), tmp_path)
    assert run_integrity(engine, T0.replace(hour=10), tmp_path).reused_from == first.run_at
    revised = tuple(
        replace(rule, description=f"{rule.description} (revised)") if rule.name == "fact_case_rating_valid"
        else rule
        for rule in RULES
    )  # fmt: skip
    monkeypatch.setattr(rules_module, "RULES", revised)
    again = run_integrity(engine, T0.replace(hour=11), tmp_path)
    assert again.reused_from is None
    assert run_integrity(engine, T0.replace(hour=12), tmp_path).reused_from == again.run_at
