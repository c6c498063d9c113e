"""The Great Expectations (GX Core 1.x) suites of egov-sync, built from `expectations.rules`.

Row-level rules (`business_rules`, `source_quality`) are judged over `staging.dq_subject`, one row per
record in each rule's scope, with `passed` computed in SQL: each expectation selects its own rows with a
row condition and expects `passed` to be true; nulls are missing values, never unexpected. The
`fact_case_integrity` suite runs native column expectations on `mart.fact_case`.
"""

from __future__ import annotations

import great_expectations as gx
from great_expectations.expectations.expectation import Expectation
from great_expectations.expectations.row_conditions import Column

from expectations.rules import FACT_CASE_INTEGRITY, SUITES, Rule, rules_of_suite

SUBJECT_RESULT_COLUMN = "passed"
SUBJECT_KEY_COLUMN = "record_key"
FACT_CASE_KEY_COLUMN = "case_key"


def rule_meta(rule: Rule) -> dict[str, str]:
    """The metadata that ties a GX expectation back to its rule."""
    return {"name": rule.name, "suite": rule.suite, "severity": rule.severity.value}


def subject_expectation(rule: Rule) -> Expectation:
    """`passed` is true on every subject row of the rule (or on the share `mostly`)."""
    return gx.expectations.ExpectColumnValuesToBeInSet(
        column=SUBJECT_RESULT_COLUMN,
        value_set=[True],
        row_condition=Column("expectation") == rule.name,
        mostly=rule.mostly,
        description=rule.description,
        meta=rule_meta(rule),
    )


def integrity_expectation(rule: Rule) -> Expectation:
    """The native GX expectation of one structural rule of `mart.fact_case`."""
    common = {"description": rule.description, "meta": rule_meta(rule)}
    builders = {
        "fact_case_key_not_null": lambda: gx.expectations.ExpectColumnValuesToNotBeNull(
            column="case_key", **common
        ),
        "fact_case_key_unique": lambda: gx.expectations.ExpectColumnValuesToBeUnique(
            column="case_key", **common
        ),
        "fact_case_status_code_valid": lambda: gx.expectations.ExpectColumnValuesToBeInSet(
            column="status_code", value_set=list(range(1, 11)), **common
        ),
        "fact_case_channel_valid": lambda: gx.expectations.ExpectColumnValuesToBeInSet(
            column="channel", value_set=[1, 2, 3], **common
        ),
        "fact_case_payment_valid": lambda: gx.expectations.ExpectColumnValuesToBeInSet(
            column="payment", value_set=["online", "offline"], **common
        ),
        "fact_case_rating_valid": lambda: gx.expectations.ExpectColumnValuesToBeInSet(
            column="rating", value_set=[1, 2, 3], **common
        ),
        "fact_case_source_system_valid": lambda: gx.expectations.ExpectColumnValuesToBeInSet(
            column="source_system", value_set=["newsys", "egov"], **common
        ),
    }
    return builders[rule.name]()


def build_suite(name: str) -> gx.ExpectationSuite:
    """One suite (unsaved) with the expectations of its rules."""
    make = integrity_expectation if name == FACT_CASE_INTEGRITY else subject_expectation
    return gx.ExpectationSuite(name=name, expectations=[make(rule) for rule in rules_of_suite(name)])


def build_suites() -> list[gx.ExpectationSuite]:
    """Every suite of the project."""
    return [build_suite(name) for name in SUITES]
