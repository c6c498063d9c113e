"""The data-quality rules of egov-sync: names, suites, the asset each judges, and how severe a failure is.

Severity policy (the warehouse contract: data-quality findings are results, not failures):

* ``business_rules`` — the eight expectations named in the warehouse contract. They judge how officials
  handle cases, not whether the pipeline is sound, so a failure is a ``WARN``: recorded in
  ``mart.dq_results``, listed in ``mart.dq_offender``, alerted (``data_quality``), and never blocking.
  The marts are published and ``egov-sync materialize`` still exits 0.
* ``fact_case_integrity`` — structural rules of ``mart.fact_case`` (non-null and unique ``case_key``,
  valid code lists). A failure means the case universe itself is broken and every indicator built on it
  would be wrong, so it is an ``ERROR`` of a blocking check: the indicator marts downstream of
  ``mart.fact_case`` are not published in that run (and the run reports the failed step).
* ``petitions`` — the five expectations of the contract's "Petitions and ratings" (answered petitions have a
  result, rejected ones a reason, petitions and ratings name a case that exists, a case's rating is its
  rating in force). Like the business rules they judge the records, not the pipeline: ``WARN``.
* ``source_quality`` — the share of source case records held in quarantine stays under
  ``QUARANTINE_RATE_THRESHOLD``, and no landed case record is stamped after the moment it was landed (a
  source clock running ahead). Both are problems of the sources: ``WARN``, never blocking.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import dagster as dg

from core.asset_keys import (
    FACT_CASE,
    FACT_PETITION,
    FACT_RATING,
    RAW_EGOV_CASE,
    RAW_NEWSYS_CASE,
    RAW_NEWSYS_OFFICIAL,
)

BUSINESS_RULES = "business_rules"
FACT_CASE_INTEGRITY = "fact_case_integrity"
SOURCE_QUALITY = "source_quality"
PETITIONS = "petitions"
SUITES = (BUSINESS_RULES, FACT_CASE_INTEGRITY, SOURCE_QUALITY, PETITIONS)

QUARANTINE_RATE_THRESHOLD = 0.05


class Severity(StrEnum):
    """How a failure is reported: WARN never blocks; ERROR blocks the assets downstream."""

    WARN = "WARN"
    ERROR = "ERROR"


@dataclass(frozen=True)
class Rule:
    """One named expectation: its suite, the asset it judges and its severity."""

    name: str
    suite: str
    asset_key: dg.AssetKey
    severity: Severity
    description: str
    mostly: float = 1.0

    @property
    def blocking(self) -> bool:
        """True when a failure stops the publication of the assets downstream of the judged asset."""
        return self.severity is Severity.ERROR

    @property
    def row_level(self) -> bool:
        """True when the rule is judged over `staging.dq_subject` (built in SQL) rather than a mart table."""
        return self.suite != FACT_CASE_INTEGRITY


def _business(name: str, asset_key: dg.AssetKey, description: str) -> Rule:
    """A named rule of the warehouse contract (WARN)."""
    return Rule(name, BUSINESS_RULES, asset_key, Severity.WARN, description)


def _petitions(name: str, asset_key: dg.AssetKey, description: str) -> Rule:
    """A rule of the contract's petitions and ratings (WARN)."""
    return Rule(name, PETITIONS, asset_key, Severity.WARN, description)


def _integrity(name: str, description: str) -> Rule:
    """A structural rule of `mart.fact_case` (blocking ERROR)."""
    return Rule(name, FACT_CASE_INTEGRITY, FACT_CASE, Severity.ERROR, description)


def _quarantine(name: str, asset_key: dg.AssetKey, source: str) -> Rule:
    """The quarantine share of one source's case records (WARN)."""
    description = (
        f"At most {QUARANTINE_RATE_THRESHOLD:.0%} of the {source} case records are held in quarantine "
        "(open quarantine rows against landed records)."
    )
    mostly = 1 - QUARANTINE_RATE_THRESHOLD
    return Rule(name, SOURCE_QUALITY, asset_key, Severity.WARN, description, mostly=mostly)


def _ahead_of_clock(name: str, asset_key: dg.AssetKey, source: str) -> Rule:
    """No landed case record of one source is stamped after its own landing time (WARN)."""
    description = (
        f"No {source} case record is stamped (last change) after the moment it was landed: such records come "
        "from a source clock running ahead or a hand-edited row, and never move the watermark."
    )
    return Rule(name, SOURCE_QUALITY, asset_key, Severity.WARN, description)


RULES: tuple[Rule, ...] = (
    _business(
        "closed_case_has_result", FACT_CASE,
        "Cases finished with status 9 or 10 have a result (letter 3673/2023).",
    ),
    _business(
        "late_case_has_apology", FACT_CASE,
        "Cases finished with status 9 or 10 after their due date have an apology letter (letter 6859/2022).",
    ),
    _business(
        "stopped_case_has_reason", FACT_CASE,
        "Stopped cases (status 8) carry a written reason (letter 6859/2022).",
    ),
    _business(
        "official_account_vneid", RAW_NEWSYS_OFFICIAL,
        "Active officials who handled a new-system case of the universe sign in with VNeID (letter 01/2025).",
    ),
    _business(
        "egov_no_receipt_after_cutover", RAW_EGOV_CASE,
        "No valid Egov case was received at or after CUTOVER_AT.",
    ),
    _business(
        "case_dates_in_order", FACT_CASE,
        "No case is due or finished before it was received.",
    ),
    _business(
        "case_synced_to_national_portal", FACT_CASE,
        "Every new-system case is synced to the National Public Service Portal (letter 01/2025).",
    ),
    _business(
        "case_procedure_in_catalog", FACT_CASE,
        "Every case's procedure code is in the procedure catalogue.",
    ),
    _petitions(
        "petition_answered_has_result", FACT_PETITION,
        "Petitions answered (status 6 or 7) carry an answer: KetQuaXuLy or its file DuongDanTepKetQua.",
    ),
    _petitions(
        "petition_rejected_has_reason", FACT_PETITION,
        "Rejected petitions (status 4) carry a written reason (LyDoTuChoi).",
    ),
    _petitions(
        "petition_case_exists", FACT_PETITION,
        "A petition about a case (MaHoSo set) names a case of mart.fact_case.",
    ),
    _petitions(
        "rating_case_exists", FACT_RATING,
        "Every rating names a case of mart.fact_case.",
    ),
    _petitions(
        "case_rating_matches_rating_in_force", FACT_RATING,
        "A case that has a rating in force carries its level as DanhGia (a missing DanhGia is a mismatch).",
    ),
    _integrity("fact_case_key_not_null", "case_key is never null."),
    _integrity("fact_case_key_unique", "case_key is unique."),
    _integrity("fact_case_status_code_valid", "status_code is in 1..10."),
    _integrity("fact_case_channel_valid", "channel is 1 (in person), 2 (online) or 3 (postal)."),
    _integrity("fact_case_payment_valid", "payment is online, offline or null."),
    _integrity("fact_case_rating_valid", "rating is 1, 2, 3 or null."),
    _integrity("fact_case_source_system_valid", "source_system is newsys or egov."),
    _quarantine("newsys_case_quarantine_rate", RAW_NEWSYS_CASE, "new-system"),
    _quarantine("egov_case_quarantine_rate", RAW_EGOV_CASE, "Egov"),
    _ahead_of_clock("newsys_case_not_ahead_of_clock", RAW_NEWSYS_CASE, "new-system"),
    _ahead_of_clock("egov_case_not_ahead_of_clock", RAW_EGOV_CASE, "Egov"),
)

RULES_BY_NAME: dict[str, Rule] = {rule.name: rule for rule in RULES}
CONTRACT_EXPECTATIONS: tuple[str, ...] = tuple(rule.name for rule in RULES if rule.suite == BUSINESS_RULES)


SUITES_SOURCE = Path(__file__).with_name("suites.py")


def rules_version() -> str:
    """A fingerprint of the rules as declared here and of how they become GX expectations
    (`expectations/suites.py`): a validation's results hold again only for the rules it ran with."""
    digest = hashlib.sha256(repr(RULES).encode())
    digest.update(SUITES_SOURCE.read_bytes())
    return digest.hexdigest()[:16]


def rules_of_suite(suite: str) -> tuple[Rule, ...]:
    """The rules of one suite, in declaration order."""
    return tuple(rule for rule in RULES if rule.suite == suite)


def rules_judging(asset_key: dg.AssetKey) -> tuple[Rule, ...]:
    """The rules attached to one asset."""
    return tuple(rule for rule in RULES if rule.asset_key == asset_key)
