"""Validation runs: build the rule subject in SQL, validate with GX, publish results and offenders.

A run has two parts with the same `run_at`: the integrity of `mart.fact_case` (checked as soon as it is
built, so that it can block the marts downstream) and the row-level rules (once every judged table is
built). Each part appends its rows to `mart.dq_results` and replaces the offenders of its expectations.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, Engine

from core.sql_files import sql
from expectations.rules import BUSINESS_RULES
from expectations.validation import INTEGRITY, ROW_RULES, Outcome, data_docs_index, validate_warehouse
from resources.difference import Published, publish_difference
from resources.warehouse_retry import in_transaction

QUERIES = "queries/data_quality.sql"
VALIDATION_LOCK_ID = 70241225
OFFENDERS = Published("mart.dq_offender", key=("expectation", "record_key"), insert_only=("first_found_at",))
SUBJECT_STATEMENTS = (
    "subject_case_rules",
    "subject_official_account_vneid",
    "subject_egov_no_receipt_after_cutover",
    "subject_newsys_case_quarantine_rate",
    "subject_egov_case_quarantine_rate",
)


@dataclass(frozen=True)
class ValidationRun:
    """What one validation run found, and where its Data Docs are."""

    run_at: datetime
    outcomes: list[Outcome]
    docs_index: Path

    @property
    def failed(self) -> list[Outcome]:
        """The expectations that did not hold."""
        return [outcome for outcome in self.outcomes if not outcome.success]

    @property
    def failed_business_rules(self) -> list[Outcome]:
        """The failed expectations named in the warehouse contract."""
        return [outcome for outcome in self.failed if outcome.rule.suite == BUSINESS_RULES]


@contextmanager
def validation_lock(engine: Engine) -> Iterator[None]:
    """Serialise validations of one warehouse (they share `staging.dq_subject`)."""
    with engine.connect() as conn:
        conn.execute(sql(QUERIES, "lock_validation"), {"lock_id": VALIDATION_LOCK_ID})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(sql(QUERIES, "unlock_validation"), {"lock_id": VALIDATION_LOCK_ID})
            conn.commit()


def build_subject(conn: Connection, cutover_at: datetime) -> None:
    """Rebuild `staging.dq_subject`: per rule, one row per record in scope with its verdict."""
    conn.execute(sql(QUERIES, "clear_subject"))
    for name in SUBJECT_STATEMENTS:
        conn.execute(sql(QUERIES, name), {"cutover_at": cutover_at})
    conn.execute(sql(QUERIES, "analyze_subject"))


def write_results(conn: Connection, run_at: datetime, outcomes: list[Outcome]) -> None:
    """Append one `mart.dq_results` row per expectation of this run."""
    rows = [
        {
            "run_at": run_at,
            "suite": outcome.rule.suite,
            "expectation": outcome.rule.name,
            "success": outcome.success,
            "element_count": outcome.element_count,
            "unexpected_count": outcome.unexpected_count,
        }
        for outcome in outcomes
    ]
    conn.execute(sql(QUERIES, "upsert_result"), rows)


def replace_offenders(conn: Connection, run_at: datetime, outcomes: list[Outcome]) -> None:
    """Make the `mart.dq_offender` rows of these expectations the offenders of the failed ones, as a diff."""
    validated = [outcome.rule.name for outcome in outcomes]
    failed = [outcome for outcome in outcomes if not outcome.success]
    row_level = [outcome.rule.name for outcome in failed if outcome.rule.row_level]
    conn.execute(sql(QUERIES, "create_offender_batch"))
    conn.execute(sql(QUERIES, "stage_subject_offenders"), {"run_at": run_at, "expectations": row_level})
    for outcome in failed:
        if not outcome.rule.row_level and outcome.sample_keys:
            conn.execute(
                sql(QUERIES, "stage_fact_case_offenders"),
                {"run_at": run_at, "expectation": outcome.rule.name, "case_keys": list(outcome.sample_keys)},
            )
    publish_difference(
        conn, OFFENDERS, "dq_offender_batch", scope="t.expectation = ANY (:expectations)",
        params={"expectations": validated},
    )


def publish(engine: Engine, run_at: datetime, outcomes: list[Outcome]) -> None:
    """Append the results and replace the offenders of these expectations, in one transaction."""

    def results_and_offenders(conn: Connection) -> None:
        write_results(conn, run_at, outcomes)
        replace_offenders(conn, run_at, outcomes)

    in_transaction(engine, results_and_offenders)


def warehouse_url(engine: Engine) -> str:
    """The full URL of the engine's database, for the GX data source."""
    return engine.url.render_as_string(hide_password=False)


def validate_and_publish(
    engine: Engine, checkpoint: str, run_at: datetime, docs_dir: Path | None
) -> ValidationRun:
    """Run one checkpoint and commit its results and offenders."""
    outcomes = validate_warehouse(warehouse_url(engine), checkpoint, run_at, docs_dir)
    publish(engine, run_at, outcomes)
    return ValidationRun(run_at, outcomes, data_docs_index(docs_dir))


def run_integrity(engine: Engine, run_at: datetime, docs_dir: Path | None = None) -> ValidationRun:
    """Validate the structure of `mart.fact_case` as of `run_at`; results and offenders are committed."""
    return validate_and_publish(engine, INTEGRITY, run_at, docs_dir)


def run_row_rules(
    engine: Engine, cutover_at: datetime, run_at: datetime, docs_dir: Path | None = None
) -> ValidationRun:
    """Validate the business and source rules as of `run_at`; results and offenders are committed."""
    with validation_lock(engine):
        with engine.begin() as conn:
            build_subject(conn, cutover_at)
        return validate_and_publish(engine, ROW_RULES, run_at, docs_dir)


def run_data_quality(
    engine: Engine, cutover_at: datetime, run_at: datetime, docs_dir: Path | None = None
) -> ValidationRun:
    """Both parts of a validation run as of `run_at`."""
    integrity = run_integrity(engine, run_at, docs_dir)
    rows = run_row_rules(engine, cutover_at, run_at, docs_dir)
    return ValidationRun(run_at, rows.outcomes + integrity.outcomes, rows.docs_index)
