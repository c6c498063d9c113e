"""Data quality as Dagster assets and asset checks.

Every expectation of `expectations/` is an asset check attached to the asset it judges. A validation run
has two parts sharing `run_at` (the run's `as_of`):

* the structural rules of `mart/fact_case` run in their own blocking check right after it is built; a
  failure is an ERROR that stops the marts built on the case universe (indicators, and `mart/dq_results`)
  in that run;
* `mart/dq_results` validates the contract rules (cases, petitions and ratings) and the quarantine rates
  once every judged table is built; their checks report its figures and only WARN, so findings are published
  and the run succeeds.

Both parts append to `mart.dq_results`, update their offenders in `mart.dq_offender`, refresh the Data Docs
site and raise a `data_quality` alert when an expectation fails.
"""

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import dagster as dg
from sqlalchemy import Connection

from assets.data_versions import table_data_version
from core import asset_keys as keys
from core.asset_keys import WAREHOUSE_POOL
from core.build_mode import full_rebuild_requested
from core.run_clock import run_started_at
from core.sql_files import sql
from expectations.rules import Rule, rules_judging, rules_version
from expectations.run import QUERIES, ValidationRun, run_integrity, run_row_rules
from expectations.validation import Outcome, docs_address, page_url, validation_page
from resources.alerting import AlertingResource
from resources.settings import PipelineSettings
from resources.warehouse import WarehouseResource
from transform.dq_subject import DQ_SUBJECT

VALIDATED_ASSETS = [
    keys.FACT_CASE,
    keys.FACT_PETITION,
    keys.FACT_RATING,
    keys.STAGING_CASE,
    keys.RAW_NEWSYS_CASE,
    keys.RAW_EGOV_CASE,
    keys.RAW_NEWSYS_OFFICIAL,
    keys.RAW_NEWSYS_PROCEDURE,
]
SAMPLE_LIMIT = 10


def results_table(run: ValidationRun) -> str:
    """A Markdown table of the run's outcomes."""
    lines = ["| suite | expectation | success | in scope | unexpected |", "|---|---|---|---|---|"]
    for outcome in run.outcomes:
        lines.append(
            f"| {outcome.rule.suite} | {outcome.rule.name} | {outcome.success} "
            f"| {outcome.element_count} | {outcome.unexpected_count} |"
        )
    return "\n".join(lines)


def alert_if_failed(alerts: AlertingResource, run: ValidationRun, run_id: str) -> None:
    """Raise a `data_quality` alert when an expectation failed that did not before, or fails more."""
    if run.failed:
        alerts.data_quality(run.run_at, alert_details(run)["failed"], docs_address(run.docs_index), run_id)


def alert_details(run: ValidationRun) -> dict[str, Any]:
    """The body of a `data_quality` alert: failed expectations and their counts, no record keys."""
    return {
        "run_at": run.run_at.isoformat(),
        "data_docs": docs_address(run.docs_index),
        "failed": [
            {
                "suite": outcome.rule.suite,
                "expectation": outcome.rule.name,
                "severity": outcome.rule.severity.value,
                "element_count": outcome.element_count,
                "unexpected_count": outcome.unexpected_count,
            }
            for outcome in run.failed
        ],
    }


@dg.asset(
    pool=WAREHOUSE_POOL,
    key=keys.DQ_RESULTS,
    deps=VALIDATED_ASSETS,
    description="History of data-quality validations (a row per expectation per run) and current offenders.",
    code_version=f"{DQ_SUBJECT.code_version()}.{rules_version()}",
)
def dq_results(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    settings: PipelineSettings,
    alerts: AlertingResource,
) -> dg.MaterializeResult:
    """Validate the row-level rules in the warehouse and publish the results, offenders and Data Docs."""
    run = run_row_rules(
        warehouse.engine(), settings.cutover(), run_started_at(context), full=full_rebuild_requested(context)
    )
    alert_if_failed(alerts, run, context.run_id)
    subject = run.subject_plan.as_metadata() if run.subject_plan else {}
    return dg.MaterializeResult(
        metadata={
            **subject,
            "run_at": dg.MetadataValue.timestamp(run.run_at),
            "expectations": len(run.outcomes),
            "failed": len(run.failed),
            "failed_business_rules": len(run.failed_business_rules),
            "results": dg.MetadataValue.md(results_table(run)),
            **data_docs_links(run.docs_index),
            "validated_by": validated_by(run),
        },
        data_version=table_data_version(warehouse, keys.DQ_RESULTS),
    )


def validated_by(run: ValidationRun) -> str:
    """`GX`, or the earlier validation whose results hold because the subject has not changed since."""
    if run.reused_from is None:
        return "GX"
    return f"unchanged since the GX validation of {run.reused_from.isoformat()} (its results hold)"


def data_docs_links(page: Path) -> dict[str, dg.MetadataValue]:
    """A Data Docs page as metadata: its path on the run worker, and its http(s) address where the site is
    served (`EGOV_SYNC_DATA_DOCS_URL`), the link a browser on another machine opens."""
    url = page_url(page)
    links = {"data_docs": dg.MetadataValue.path(str(page))}
    return links | {"data_docs_url": dg.MetadataValue.url(url)} if url else links


def figures_metadata(
    rule: Rule, run_at: datetime, elements: int, unexpected: int, sample: list[str]
) -> dict[str, Any]:
    """Check metadata: scope and offender counts, their share, a few offending keys, the Data Docs page."""
    return {
        "suite": rule.suite,
        "element_count": elements,
        "unexpected_count": unexpected,
        "unexpected_percent": dg.MetadataValue.float(100.0 * unexpected / elements if elements else 0.0),
        "offender_sample": dg.MetadataValue.json(sample),
        **data_docs_links(validation_page(rule.suite, run_at)),
    }


def outcome_result(outcome: Outcome, run: ValidationRun) -> dg.AssetCheckResult:
    """The asset check result of an expectation of this step's validation run: validated by GX, or carried
    over from the earlier validation of the same table version (the same verdict, said so in its metadata)."""
    rule = outcome.rule
    sample = list(outcome.sample_keys[:SAMPLE_LIMIT])
    figures = figures_metadata(rule, run.run_at, outcome.element_count, outcome.unexpected_count, sample)
    return dg.AssetCheckResult(
        asset_key=rule.asset_key,
        check_name=rule.name,
        passed=outcome.success,
        severity=dg.AssetCheckSeverity(rule.severity.value),
        description=rule.description,
        metadata=figures | {"validated_by": validated_by(run), "carried_over": run.reused_from is not None},
    )


def read_result(conn: Connection, run_at: datetime, rule: Rule) -> dict[str, Any] | None:
    """The `mart.dq_results` row of one expectation in the run of `run_at`, if it was validated."""
    params = {"run_at": run_at, "expectation": rule.name}
    row = conn.execute(sql(QUERIES, "run_result"), params).mappings().first()
    return dict(row) if row else None


def offender_sample(conn: Connection, run_at: datetime, rule: Rule) -> list[str]:
    """A few offending record keys (case keys, user names or source keys; never personal data)."""
    params = {"expectation": rule.name, "limit": SAMPLE_LIMIT}
    return list(conn.execute(sql(QUERIES, "offender_sample"), params).scalars())


def check_result(conn: Connection, run_at: datetime, rule: Rule) -> dg.AssetCheckResult | None:
    """The asset check result of a row-level rule, from the figures `mart/dq_results` published in this run;
    None when this run did not validate it (the check is then not evaluated: Dagster shows it skipped)."""
    asset_key = rule.asset_key
    row = read_result(conn, run_at, rule)
    if row is None:
        return None
    sample = offender_sample(conn, run_at, rule)
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=rule.name,
        passed=bool(row["success"]),
        severity=dg.AssetCheckSeverity(rule.severity.value),
        description=rule.description,
        metadata=figures_metadata(rule, run_at, row["element_count"], row["unexpected_count"], sample),
    )


def check_spec(rule: Rule) -> dg.AssetCheckSpec:
    """The check spec of one rule, on the asset it judges; row-level rules wait for `mart/dq_results`."""
    return dg.AssetCheckSpec(
        name=rule.name,
        asset=rule.asset_key,
        description=f"{rule.description} [{rule.suite}, {rule.severity.value}]",
        additional_deps=[keys.DQ_RESULTS] if rule.row_level else None,
        blocking=rule.blocking,
    )


def selected_rules(context: dg.AssetCheckExecutionContext, rules: tuple[Rule, ...]) -> list[Rule]:
    """The rules whose checks this step was asked to run."""
    selected = {key.name for key in context.selected_asset_check_keys}
    return [rule for rule in rules if rule.name in selected]


def row_rule_checks(asset_key: dg.AssetKey, name: str) -> dg.AssetChecksDefinition:
    """The checks of the row-level rules judging `asset_key`, reporting what `mart/dq_results` found."""
    rules = tuple(rule for rule in rules_judging(asset_key) if rule.row_level)

    @dg.multi_asset_check(
        name=name, specs=[check_spec(rule) for rule in rules], can_subset=True, pool=WAREHOUSE_POOL
    )
    def _checks(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.AssetCheckResult]:
        """Report the published figures of each selected rule."""
        run_at = run_started_at(context)
        with warehouse.begin() as conn:
            for rule in selected_rules(context, rules):
                result = check_result(conn, run_at, rule)
                if result is None:
                    context.log.info(f"{rule.name}: not validated in this run (materialize mart/dq_results "
                                     "with it to evaluate it); not evaluated")
                else:
                    yield result

    return _checks


INTEGRITY_RULES = tuple(rule for rule in rules_judging(keys.FACT_CASE) if not rule.row_level)


@dg.multi_asset_check(
    pool=WAREHOUSE_POOL,
    name="fact_case_integrity_checks", specs=[check_spec(rule) for rule in INTEGRITY_RULES], can_subset=True
)
def fact_case_integrity_checks(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource, alerts: AlertingResource
) -> Iterator[dg.AssetCheckResult]:
    """Validate the structure of `mart.fact_case` (blocking): keys and code lists."""
    run = run_integrity(warehouse.engine(), run_started_at(context), full=full_rebuild_requested(context))
    alert_if_failed(alerts, run, context.run.run_id)
    selected = {rule.name for rule in selected_rules(context, INTEGRITY_RULES)}
    for outcome in run.outcomes:
        if outcome.rule.name in selected:
            yield outcome_result(outcome, run)


fact_case_quality_checks = row_rule_checks(keys.FACT_CASE, "fact_case_quality_checks")
newsys_official_quality_checks = row_rule_checks(keys.RAW_NEWSYS_OFFICIAL, "newsys_official_quality_checks")
egov_case_quality_checks = row_rule_checks(keys.RAW_EGOV_CASE, "egov_case_quality_checks")
newsys_case_quality_checks = row_rule_checks(keys.RAW_NEWSYS_CASE, "newsys_case_quality_checks")
fact_petition_quality_checks = row_rule_checks(keys.FACT_PETITION, "fact_petition_quality_checks")
fact_rating_quality_checks = row_rule_checks(keys.FACT_RATING, "fact_rating_quality_checks")
