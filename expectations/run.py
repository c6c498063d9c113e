"""Validation runs: bring the rule subject up to date (the build `transform.dq_subject.DQ_SUBJECT`), validate
with GX, publish results and offenders.

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

from sqlalchemy import Connection, Engine, Row

from core.sql_files import sql
from expectations.rules import BUSINESS_RULES, FACT_CASE_INTEGRITY, RULES_BY_NAME, rules_version
from expectations.validation import (
    INTEGRITY,
    ROW_RULES,
    SAMPLE_SIZE,
    Outcome,
    data_docs_index,
    validate_warehouse,
)
from resources.publication import PublishedTable, publish_table
from resources.table_versions import TABLE_VERSIONS_SQL, current_version, raise_version
from resources.warehouse_retry import in_transaction
from transform.builds import BuildInputs, BuildRun
from transform.dq_subject import DQ_SUBJECT, SUBJECT_TABLE
from transform.registry import run_build

QUERIES = "queries/data_quality.sql"
VALIDATION_LOCK_ID = 70241225
OFFENDERS = PublishedTable(
    "mart.dq_offender", key=("expectation", "record_key"), insert_only=("first_found_at",)
)
CHECKPOINT_TABLES = {ROW_RULES: SUBJECT_TABLE, INTEGRITY: "mart.fact_case"}


@dataclass(frozen=True)
class ValidationRun:
    """What one validation run found, and where its Data Docs are."""

    run_at: datetime
    outcomes: list[Outcome]
    docs_index: Path
    subject_plan: BuildRun | None = None
    reused_from: datetime | None = None

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
    publish_table(
        conn,
        OFFENDERS,
        "dq_offender_batch",
        scope="t.expectation = ANY (:expectations)",
        params={"expectations": validated},
    )


def publish(
    engine: Engine, run_at: datetime, outcomes: list[Outcome], validated: Validated, *, reused: bool
) -> None:
    """Append the results, replace the offenders of these expectations (unless the results are those of an
    earlier validation of the same table version: its offenders stand) and record the table version they
    hold for, in one transaction."""

    def results_and_offenders(conn: Connection) -> None:
        write_results(conn, run_at, outcomes)
        raise_version(conn, "mart.dq_results")
        if not reused:
            replace_offenders(conn, run_at, outcomes)
        conn.execute(sql(TABLE_VERSIONS_SQL, "save_validated_version"), validated.params(run_at))

    in_transaction(engine, results_and_offenders)


def warehouse_url(engine: Engine) -> str:
    """The full URL of the engine's database, for the GX data source."""
    return engine.url.render_as_string(hide_password=False)


@dataclass(frozen=True)
class Validated:
    """A checkpoint, the table it validates, that table's version when it was read, and the version of the
    rules it validates with."""

    checkpoint: str
    table_name: str
    version: int
    rules: str

    def params(self, run_at: datetime) -> dict[str, object]:
        """Bind parameters of `save_validated_version`."""
        return {"checkpoint": self.checkpoint, "table_name": self.table_name, "version": self.version,
                "rules_version": self.rules, "run_at": run_at}  # fmt: skip


def validate_unless_unchanged(
    engine: Engine, checkpoint: str, run_at: datetime, docs_dir: Path | None, *, full: bool
) -> tuple[list[Outcome], Validated, datetime | None]:
    """Validate the checkpoint's table with GX; unless the table and the rules are unchanged since the
    checkpoint last validated it (and no full rebuild is asked): then that validation's results hold, and are
    returned with its run_at."""
    table_name = CHECKPOINT_TABLES[checkpoint]
    with engine.begin() as conn:
        validated = Validated(checkpoint, table_name, current_version(conn, table_name), rules_version())
        earlier = None if full else earlier_outcomes(conn, validated)
    if earlier is not None:
        return earlier[1], validated, earlier[0]
    return validate_warehouse(warehouse_url(engine), checkpoint, run_at, docs_dir), validated, None


def earlier_outcomes(conn: Connection, validated: Validated) -> tuple[datetime, list[Outcome]] | None:
    """The run_at and outcomes of the checkpoint's last validation when it validated this table version with
    these rules."""
    memo = conn.execute(
        sql(TABLE_VERSIONS_SQL, "validated_version"),
        {"checkpoint": validated.checkpoint, "table_name": validated.table_name},
    ).first()
    if memo is None or (memo.version, memo.rules_version) != (validated.version, validated.rules):
        return None
    names = checkpoint_rules(validated.checkpoint)
    found = conn.execute(sql(QUERIES, "results_of_run"), {"run_at": memo.run_at, "names": names}).all()
    if len(found) != len(names):
        return None
    outcomes = {row.expectation: stored_outcome(conn, row) for row in found}
    return memo.run_at, [outcomes[name] for name in names]


def checkpoint_rules(checkpoint: str) -> list[str]:
    """The names of the rules a checkpoint validates, in rule order."""
    integrity = checkpoint == INTEGRITY
    return [name for name, rule in RULES_BY_NAME.items() if (rule.suite == FACT_CASE_INTEGRITY) == integrity]


def stored_outcome(conn: Connection, row: Row) -> Outcome:
    """An outcome as `mart.dq_results` and `mart.dq_offender` hold it."""
    params = {"expectation": row.expectation, "limit": SAMPLE_SIZE}
    sample = tuple(conn.execute(sql(QUERIES, "offender_sample"), params).scalars())
    share = 100.0 * row.unexpected_count / row.element_count if row.element_count else None
    rule = RULES_BY_NAME[row.expectation]
    return Outcome(rule, row.success, row.element_count, row.unexpected_count, share, sample)


def validate_and_publish(
    engine: Engine, checkpoint: str, run_at: datetime, docs_dir: Path | None, *, full: bool = False
) -> ValidationRun:
    """Run one checkpoint (or take its unchanged results) and commit its results and offenders."""
    outcomes, validated, reused_from = validate_unless_unchanged(
        engine, checkpoint, run_at, docs_dir, full=full
    )
    publish(engine, run_at, outcomes, validated, reused=reused_from is not None)
    return ValidationRun(run_at, outcomes, data_docs_index(docs_dir), reused_from=reused_from)


def run_integrity(
    engine: Engine, run_at: datetime, docs_dir: Path | None = None, *, full: bool = False
) -> ValidationRun:
    """Validate the structure of `mart.fact_case` as of `run_at`; results and offenders are committed."""
    return validate_and_publish(engine, INTEGRITY, run_at, docs_dir, full=full)


def run_row_rules(
    engine: Engine,
    cutover_at: datetime,
    run_at: datetime,
    docs_dir: Path | None = None,
    *,
    full: bool = False,
) -> ValidationRun:
    """Validate the business and source rules as of `run_at`; results and offenders are committed.

    The subject is brought up to date with the pending changes (rebuilt when `full`); GX validates all of it.
    """
    inputs = BuildInputs(as_of=run_at, cutover=cutover_at, full=full)
    with validation_lock(engine):
        with engine.begin() as conn:
            plan = run_build(conn, DQ_SUBJECT, inputs)
        run = validate_and_publish(engine, ROW_RULES, run_at, docs_dir, full=full)
    return ValidationRun(run_at, run.outcomes, run.docs_index, plan, run.reused_from)


def run_data_quality(
    engine: Engine, cutover_at: datetime, run_at: datetime, docs_dir: Path | None = None, *, full: bool = True
) -> ValidationRun:
    """Both parts of a validation run as of `run_at` (the subject rebuilt in full unless told otherwise)."""
    integrity = run_integrity(engine, run_at, docs_dir, full=full)
    rows = run_row_rules(engine, cutover_at, run_at, docs_dir, full=full)
    return ValidationRun(run_at, rows.outcomes + integrity.outcomes, rows.docs_index, rows.subject_plan)
