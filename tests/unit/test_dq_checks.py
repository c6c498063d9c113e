"""The data-quality checks are part of the code location, attached to the assets they judge."""

import dagster as dg

from expectations.rules import CONTRACT_EXPECTATIONS, RULES, Severity, rules_of_suite
from pipelines.definitions import defs

CONTRACT_NAMES = {
    "closed_case_has_result": "mart/fact_case",
    "late_case_has_apology": "mart/fact_case",
    "stopped_case_has_reason": "mart/fact_case",
    "official_account_vneid": "raw/newsys_official",
    "egov_no_receipt_after_cutover": "raw/egov_case",
    "case_dates_in_order": "mart/fact_case",
    "case_synced_to_national_portal": "mart/fact_case",
    "case_procedure_in_catalog": "mart/fact_case",
}
DQ_RESULTS = dg.AssetKey(["mart", "dq_results"])


def check_specs() -> dict[tuple[str, str], dg.AssetCheckSpec]:
    """The check specs of the code location by (asset, check name)."""
    graph = defs.resolve_asset_graph()
    keys = graph.asset_check_keys
    return {(key.asset_key.to_user_string(), key.name): graph.get_check_spec(key) for key in keys}


def test_the_eight_contract_expectations_are_checks_on_their_assets() -> None:
    specs = check_specs()
    assert set(CONTRACT_EXPECTATIONS) == set(CONTRACT_NAMES)
    for name, asset in CONTRACT_NAMES.items():
        spec = specs[(asset, name)]
        assert not spec.blocking, name


def test_every_rule_is_a_check_with_its_severity() -> None:
    specs = check_specs()
    for rule in RULES:
        spec = specs[rule.asset_key.to_user_string(), rule.name]
        assert spec.blocking == (rule.severity is Severity.ERROR)
        waits_for_validation = DQ_RESULTS in {dep.asset_key for dep in spec.additional_deps}
        assert waits_for_validation == rule.row_level, rule.name


def test_the_code_location_builds_its_jobs() -> None:
    assert defs.resolve_implicit_global_asset_job_def() is not None
    for job in defs.jobs or []:
        assert defs.resolve_job_def(job.name) is not None


def test_only_structural_rules_block() -> None:
    blocking = {rule.name for rule in RULES if rule.blocking}
    assert blocking == {rule.name for rule in rules_of_suite("fact_case_integrity")}
    assert all(rule.asset_key == dg.AssetKey(["mart", "fact_case"]) for rule in RULES if rule.blocking)


def test_dq_results_asset_follows_what_it_validates() -> None:
    graph = defs.resolve_asset_graph()
    parents = {key.to_user_string() for key in graph.get(DQ_RESULTS).parent_keys}
    assert parents >= {"mart/fact_case", "staging/case", "raw/newsys_official", "raw/egov_case"}
