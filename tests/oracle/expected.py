"""Ground-truth oracle: the warehouse contract computed in plain Python, independently of the pipeline."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any, Protocol

from tests.oracle.backlog_reconciliation import Link, link_migrated, reconciliation_rows
from tests.oracle.facts import Fact, dq_counts, fact_cases, fact_row, vneid_scope
from tests.oracle.model import Model, build_model
from tests.oracle.monthly_indicators import indicators
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


@dataclass(frozen=True)
class TruthInputs:
    """The source payloads (current version of each) and the run parameters."""

    egov: list[dict]
    newsys: list[dict]
    officials: list[dict]
    procedures: list[dict]
    units: list[dict]
    cutover: datetime
    as_of: datetime
    pii_key: str

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


def truth_for_world(
    world: WorldLike, *, cutover: datetime | None = None, as_of: datetime, pii_key: str
) -> TruthInputs:
    """Oracle inputs from a generated world (cutover defaults to the contract's)."""
    return TruthInputs(
        egov=list(world.egov_records()), newsys=list(world.newsys_records()),
        officials=list(world.officials()), procedures=list(world.procedures()), units=list(world.units()),
        cutover=cutover or DEFAULT_CUTOVER, as_of=as_of, pii_key=pii_key,
    )
