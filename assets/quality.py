"""Data quality as Dagster assets and asset checks.

`mart/dq_results` runs one validation (every suite of `expectations/`, inside PostgreSQL), appends one row
per expectation to `mart.dq_results`, replaces `mart.dq_offender`, refreshes the Data Docs site and raises
a `data_quality` alert when an expectation fails. Each expectation is also an asset check attached to the
asset it judges, reporting that run's figures. Severities follow `expectations.rules`: the eight contract
rules and the quarantine rates only WARN (the run succeeds and the marts are published); the structural
rules of `mart/fact_case` are blocking ERRORs, so the indicators built on it are not published in a run
where the case universe is broken.
"""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import dagster as dg
from sqlalchemy import Connection

from assets.run_clock import run_started_at
from expectations.rules import (
    FACT_CASE,
    RAW_EGOV_CASE,
    RAW_NEWSYS_CASE,
    RAW_NEWSYS_OFFICIAL,
    Rule,
    rules_judging,
)
from expectations.run import QUERIES, ValidationRun, run_data_quality
from expectations.validation import data_docs_index
from resources.alerting import AlertingResource
from resources.settings import PipelineSettings
from resources.sql_files import sql
from resources.warehouse import WarehouseResource

DQ_RESULTS = dg.AssetKey(["mart", "dq_results"])
VALIDATED_ASSETS = [
    dg.AssetKey(["mart", "fact_case"]),
    dg.AssetKey(["staging", "case"]),
    dg.AssetKey(["raw", "newsys_case"]),
    dg.AssetKey(["raw", "egov_case"]),
    dg.AssetKey(["raw", "newsys_official"]),
    dg.AssetKey(["raw", "newsys_procedure"]),
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


def alert_details(run: ValidationRun) -> dict[str, Any]:
    """The body of a `data_quality` alert: failed expectations and their counts, no record keys."""
    return {
        "run_at": run.run_at.isoformat(),
        "data_docs": str(run.docs_index),
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
    key=DQ_RESULTS,
    deps=VALIDATED_ASSETS,
    group_name="data_quality",
    description="History of data-quality validations (a row per expectation per run) and current offenders.",
)
def dq_results(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    settings: PipelineSettings,
    alerts: AlertingResource,
) -> dg.MaterializeResult:
    """Validate every suite in the warehouse and publish the results, offenders and Data Docs."""
    run = run_data_quality(warehouse.engine(), settings.cutover(), run_started_at(context))
    if run.failed:
        names = ", ".join(outcome.rule.name for outcome in run.failed)
        title = f"{len(run.failed)} data-quality expectation(s) failed: {names}"
        alerts.send("data_quality", title, alert_details(run))
    return dg.MaterializeResult(
        metadata={
            "run_at": dg.MetadataValue.timestamp(run.run_at),
            "expectations": len(run.outcomes),
            "failed": len(run.failed),
            "failed_business_rules": len(run.failed_business_rules),
            "results": dg.MetadataValue.md(results_table(run)),
            "data_docs": dg.MetadataValue.path(str(run.docs_index)),
            "data_docs_url": dg.MetadataValue.url(run.docs_index.as_uri()),
        }
    )


def read_result(conn: Connection, run_at: datetime, rule: Rule) -> dict[str, Any] | None:
    """The `mart.dq_results` row of one expectation in the run of `run_at`, if it was validated."""
    params = {"run_at": run_at, "expectation": rule.name}
    row = conn.execute(sql(QUERIES, "run_result"), params).mappings().first()
    return dict(row) if row else None


def offender_sample(conn: Connection, run_at: datetime, rule: Rule) -> list[str]:
    """A few offending record keys (case keys, user names or source keys; never personal data)."""
    params = {"run_at": run_at, "expectation": rule.name, "limit": SAMPLE_LIMIT}
    return list(conn.execute(sql(QUERIES, "offender_sample"), params).scalars())


def check_result(conn: Connection, run_at: datetime, rule: Rule) -> dg.AssetCheckResult:
    """The asset check result of one rule, from the figures its validation published."""
    asset_key = dg.AssetKey(list(rule.asset_key))
    severity = dg.AssetCheckSeverity(rule.severity.value)
    docs = dg.MetadataValue.path(str(data_docs_index()))
    row = read_result(conn, run_at, rule)
    if row is None:
        return dg.AssetCheckResult(
            asset_key=asset_key, check_name=rule.name, passed=False, severity=dg.AssetCheckSeverity.WARN,
            description="Not validated in this run: materialize mart/dq_results with it.",
            metadata={"suite": rule.suite, "data_docs": docs},
        )
    elements, unexpected = row["element_count"], row["unexpected_count"]
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=rule.name,
        passed=bool(row["success"]),
        severity=severity,
        description=rule.description,
        metadata={
            "suite": rule.suite,
            "element_count": elements,
            "unexpected_count": unexpected,
            "unexpected_percent": dg.MetadataValue.float(100.0 * unexpected / elements if elements else 0.0),
            "offender_sample": dg.MetadataValue.json(offender_sample(conn, run_at, rule)),
            "data_docs": docs,
        },
    )


def check_spec(rule: Rule) -> dg.AssetCheckSpec:
    """The check spec of one rule, attached to the asset it judges, read after `mart/dq_results`."""
    return dg.AssetCheckSpec(
        name=rule.name,
        asset=dg.AssetKey(list(rule.asset_key)),
        description=f"{rule.description} [{rule.suite}, {rule.severity.value}]",
        additional_deps=[DQ_RESULTS],
        blocking=rule.blocking,
    )


def rule_checks(asset_key: tuple[str, ...], name: str) -> dg.AssetChecksDefinition:
    """One multi-asset check holding a check per rule that judges `asset_key`."""
    rules = rules_judging(asset_key)

    @dg.multi_asset_check(name=name, specs=[check_spec(rule) for rule in rules], can_subset=True)
    def _checks(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.AssetCheckResult]:
        """Report the published figures of each selected rule."""
        run_at = run_started_at(context)
        selected = {key.name for key in context.selected_asset_check_keys}
        with warehouse.begin() as conn:
            for rule in rules:
                if rule.name in selected:
                    yield check_result(conn, run_at, rule)

    return _checks


fact_case_quality_checks = rule_checks(FACT_CASE, "fact_case_quality_checks")
newsys_official_quality_checks = rule_checks(RAW_NEWSYS_OFFICIAL, "newsys_official_quality_checks")
egov_case_quality_checks = rule_checks(RAW_EGOV_CASE, "egov_case_quality_checks")
newsys_case_quality_checks = rule_checks(RAW_NEWSYS_CASE, "newsys_case_quality_checks")
