"""Ground-truth case universe (`mart.fact_case`) and the named data-quality expectations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tests.oracle.backlog_reconciliation import Link
from tests.oracle.model import Model
from tests.oracle.source_records import Case, Official
from tests.oracle.source_text import oracle_applicant_key


@dataclass(frozen=True, slots=True)
class Fact:
    """One case of the universe: its key, its canonical record, its legacy number and current unit."""

    case_key: str
    case: Case
    legacy_case_no: str | None
    unit_code: str | None


def fact_cases(model: Model, links: dict[str, Link]) -> list[Fact]:
    """Valid non-deleted new-system cases, plus valid Egov cases no migrated record links to."""
    facts = [Fact(c.case_no, c, links[c.case_no].egov.case_no if c.case_no in links else None,
                  model.units.current(c.original_unit_code))
             for c in model.newsys if not c.is_deleted]
    linked = {link.egov.record_key for link in links.values()}
    facts += [Fact("EGOV:" + c.case_no, c, c.case_no, model.units.current(c.original_unit_code))
              for c in model.egov if c.record_key not in linked]
    return facts


def fact_row(fact: Fact, pii_key: str) -> dict[str, Any]:
    """The `mart.fact_case` row of one case."""
    c = fact.case
    return {
        "case_key": fact.case_key, "source_system": c.source, "legacy_case_no": fact.legacy_case_no,
        "procedure_code": c.procedure_code, "unit_code": fact.unit_code,
        "original_unit_code": c.original_unit_code, "channel": c.channel, "status_code": c.status_code,
        "received_at": c.received_at, "due_at": c.due_at, "finished_at": c.finished_at,
        "returned_at": c.returned_at, "has_result": c.has_result, "has_e_result": c.has_e_result,
        "is_digitized": c.is_digitized, "payment": c.payment, "rating": c.rating,
        "has_apology": c.has_apology, "synced_national": c.synced_national,
        "applicant_key": oracle_applicant_key(c.applicant_id, pii_key),
    }


def before(earlier: datetime | None, later: datetime | None) -> bool:
    """`earlier < later`, False when either is null."""
    return earlier is not None and later is not None and earlier < later


def is_late(case: Case) -> bool:
    """A case finished after its due date (False when either is null)."""
    return before(case.due_at, case.finished_at)


def tally(unexpected: Iterable[bool]) -> tuple[int, int]:
    """(element_count, unexpected_count) of a scope given as one 'unexpected' flag per element."""
    flags = list(unexpected)
    return len(flags), sum(flags)


def vneid_scope(facts: list[Fact], model: Model) -> list[Official]:
    """Active officials whose user name appears in the history of a new-system case of the universe."""
    handlers: set[str] = set()
    for fact in facts:
        if fact.case.source == "newsys":
            handlers |= fact.case.handlers
    return [o for o in model.officials if o.is_active and o.user_name in handlers]


def dq_counts(facts: list[Fact], model: Model, cutover: datetime) -> dict[str, tuple[int, int]]:
    """(element_count, unexpected_count) of each of the eight named expectations."""
    cases = [f.case for f in facts]
    closed = [c for c in cases if c.status_code in (9, 10)]
    return {
        "closed_case_has_result": tally(not c.has_result for c in closed),
        "late_case_has_apology": tally(not c.has_apology for c in closed if is_late(c)),
        "stopped_case_has_reason": tally(not c.stop_reason for c in cases if c.status_code == 8),
        "official_account_vneid": tally(o.account_type != "VNEID" for o in vneid_scope(facts, model)),
        "egov_no_receipt_after_cutover": tally(
            c.received_at is not None and c.received_at >= cutover for c in model.egov),
        "case_dates_in_order": tally(
            before(c.due_at, c.received_at) or before(c.finished_at, c.received_at) for c in cases),
        "case_synced_to_national_portal": tally(not c.synced_national for c in cases if c.source == "newsys"),
        "case_procedure_in_catalog": tally(
            c.procedure_code is not None and c.procedure_code not in model.catalogue for c in cases),
    }
