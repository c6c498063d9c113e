"""Ground-truth oracle: the warehouse contract computed in plain Python, independently of the pipeline."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any, Protocol

from tests.oracle.backlog_reconciliation import Link, link_migrated, reconciliation_rows
from tests.oracle.facts import Fact, dq_counts, fact_cases, fact_row, vneid_scope
from tests.oracle.model import Model, build_model
from tests.oracle.monthly_indicators import indicators
from tests.oracle.petitions import (
    PetitionModel,
    build_petition_model,
    month_range,
    petition_dq_counts,
    petition_dq_offenders,
    petition_indicators,
    petition_row,
    rating_row,
    ratings_in_force,
)
from tests.oracle.scorecard import (
    fee_procedure_counts,
    first_petition_about,
    full_process_counts,
    receiving_satisfaction_counts,
    scorecard,
)
from tests.oracle.source_text import ORACLE_ZONE

DEFAULT_CUTOVER = datetime(2024, 12, 24, tzinfo=ORACLE_ZONE)


class WorldLike(Protocol):
    """What the oracle needs from a generated world: the current payloads of every source."""

    def egov_records(self) -> list[dict[str, Any]]:
        """Egov case payloads as served."""
        ...

    def newsys_records(self) -> list[dict[str, Any]]:
        """New-system case payloads as served."""
        ...

    def officials(self) -> list[dict[str, Any]]:
        """Official payloads as served."""
        ...

    def procedures(self) -> list[dict[str, Any]]:
        """Procedure payloads as served."""
        ...

    def units(self) -> list[dict[str, Any]]:
        """Unit payloads as served."""
        ...

    def petition_records(self) -> list[dict[str, Any]]:
        """Petition payloads as served."""
        ...

    def rating_records(self) -> list[dict[str, Any]]:
        """Rating payloads as served."""
        ...


@dataclass(frozen=True)
class TruthInputs:
    """The source payloads and the run parameters.

    Cases, officials, procedures and units: the current version of each. Petitions and ratings: every delivery
    in the order received (a key's version is chosen as the contract says), or the current versions.
    """

    egov: list[dict]
    newsys: list[dict]
    officials: list[dict]
    procedures: list[dict]
    units: list[dict]
    cutover: datetime
    as_of: datetime
    pii_key: str
    petitions: list[Any] = field(default_factory=list)
    ratings: list[Any] = field(default_factory=list)

    @cached_property
    def model(self) -> Model:
        """Every payload read and validated (computed once per inputs)."""
        return build_model(self.egov, self.newsys, self.officials, self.procedures, self.units)

    @cached_property
    def links(self) -> dict[str, Link]:
        """Links of the migrated records, by `MaHoSo`."""
        return link_migrated(self.model)

    @cached_property
    def facts(self) -> list[Fact]:
        """The case universe of `mart.fact_case`."""
        return fact_cases(self.model, self.links)

    @cached_property
    def reconciliation(self) -> list[dict[str, Any]]:
        """The rows of `mart.backlog_reconciliation`."""
        return reconciliation_rows(self.model, self.links, self.cutover)

    @cached_property
    def petition_model(self) -> PetitionModel:
        """The petition and rating payloads read and validated."""
        return build_petition_model(self.petitions, self.ratings)

    @cached_property
    def case_keys(self) -> set[str]:
        """Every `case_key` of `mart.fact_case`."""
        return {fact.case_key for fact in self.facts}

    @cached_property
    def petition_rows(self) -> list[dict[str, Any]]:
        """The rows of `mart.fact_petition`."""
        return [petition_row(p, self.model.units, self.case_keys) for p in self.petition_model.petitions]

    @cached_property
    def rating_rows(self) -> list[dict[str, Any]]:
        """The rows of `mart.fact_rating`."""
        return [rating_row(r, self.case_keys) for r in self.petition_model.ratings]


def quarantine_truth(inp: TruthInputs) -> dict[tuple[str, str, str], list[str]]:
    """(source, entity, record_key) -> sorted reason codes, for every record kept aside as bad input."""
    return {key: list(reasons) for key, reasons in inp.model.quarantine.items()}


def expected_fact_case(inp: TruthInputs) -> dict[str, dict[str, Any]]:
    """case_key -> the full `mart.fact_case` row."""
    return {fact.case_key: fact_row(fact, inp.pii_key) for fact in inp.facts}


def expected_reconciliation(inp: TruthInputs) -> list[dict[str, Any]]:
    """The rows of `mart.backlog_reconciliation`."""
    return [dict(row) for row in inp.reconciliation]


def expected_outcome_counts(inp: TruthInputs) -> dict[str, int]:
    """Reconciliation rows per outcome (only outcomes that occur)."""
    return dict(Counter(row["outcome"] for row in inp.reconciliation))


def expected_residue_by_unit(inp: TruthInputs) -> dict[str, int]:
    """Residue cases per current unit (units with residue only)."""
    return dict(Counter(row["unit_code"] for row in inp.reconciliation
                        if row["outcome"] == "residue" and row["unit_code"] is not None))


def expected_dq_counts(inp: TruthInputs) -> dict[str, tuple[int, int]]:
    """Expectation name -> (element_count, unexpected_count) for the eight named expectations."""
    return dq_counts(inp.facts, inp.model, inp.cutover)


def expected_indicators(inp: TruthInputs) -> dict[tuple[date, str, str], tuple[int, int]]:
    """(period_month, unit_code, indicator_code) -> (numerator, denominator), unit 'ALL' included."""
    officials = vneid_scope(inp.facts, inp.model)
    return indicators(inp.facts, officials, inp.model.units, inp.as_of)


def petition_quarantine_truth(inp: TruthInputs) -> dict[tuple[str, str, str], list[str]]:
    """('newsys', 'petition' | 'rating', record_key) -> sorted reason codes, for each bad record."""
    return {key: list(reasons) for key, reasons in inp.petition_model.quarantine.items()}


def expected_fact_petition(inp: TruthInputs) -> dict[str, dict[str, Any]]:
    """petition_key -> the full `mart.fact_petition` row."""
    return {row["petition_key"]: dict(row) for row in inp.petition_rows}


def expected_fact_rating(inp: TruthInputs) -> dict[str, dict[str, Any]]:
    """rating_key -> the full `mart.fact_rating` row."""
    return {row["rating_key"]: dict(row) for row in inp.rating_rows}


def expected_ratings_in_force(inp: TruthInputs) -> dict[str, str]:
    """case_key -> the rating_key of its rating in force."""
    return {case_key: row["rating_key"] for case_key, row in ratings_in_force(inp.rating_rows).items()}


def expected_petition_indicators(inp: TruthInputs) -> dict[tuple[date, str, str], tuple[int, int]]:
    """(period_month, unit_code, indicator_code) -> (numerator, denominator) of both petition indicators."""
    return petition_indicators(inp.petition_rows, month_range(inp.facts, inp.as_of), inp.as_of)


def expected_petition_dq_offenders(inp: TruthInputs) -> dict[str, set[str]]:
    """Expectation of the suite `petitions` -> the keys it finds unexpected."""
    offenders = petition_dq_offenders(inp.petition_rows, inp.rating_rows, inp.facts)
    return {name: bad for name, (_, bad) in offenders.items()}


def expected_petition_dq_counts(inp: TruthInputs) -> dict[str, tuple[int, int]]:
    """Expectation of the suite `petitions` -> (element_count, unexpected_count)."""
    return petition_dq_counts(petition_dq_offenders(inp.petition_rows, inp.rating_rows, inp.facts))


def expected_score766(inp: TruthInputs) -> dict[tuple[date, str, str], dict[str, Any]]:
    """(period_month, unit_code, metric_code) -> the `mart.score766_monthly` row's other columns."""
    rows = expected_indicators(inp) | expected_petition_indicators(inp)
    months = month_range(inp.facts, inp.as_of)
    if months is None:
        return {}
    in_force = ratings_in_force(inp.rating_rows)
    own = {
        "ONLINE_FULL_PROCESS": full_process_counts(inp.facts, inp.model.procedure_levels),
        "FEE_PROCEDURES_PAID_ONLINE": fee_procedure_counts(inp.facts),
        "DOSSIER_RECEIVING_SATISFACTION": receiving_satisfaction_counts(
            inp.facts, in_force, first_petition_about(inp.petition_rows), months, inp.as_of),
    }
    return scorecard(rows, own, inp.cutover)


def truth_for_world(
    world: WorldLike, *, cutover: datetime | None = None, as_of: datetime, pii_key: str
) -> TruthInputs:
    """Oracle inputs from a generated world (cutover defaults to the contract's)."""
    return TruthInputs(
        egov=list(world.egov_records()), newsys=list(world.newsys_records()),
        officials=list(world.officials()), procedures=list(world.procedures()), units=list(world.units()),
        cutover=cutover or DEFAULT_CUTOVER, as_of=as_of, pii_key=pii_key,
        petitions=list(world.petition_records()), ratings=list(world.rating_records()),
    )
