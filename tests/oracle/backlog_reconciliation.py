"""Ground-truth backlog reconciliation: linking migrated records to Egov cases, one row per outcome."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tests.oracle.model import Model, UnitChains
from tests.oracle.source_records import ORACLE_TERMINAL, Case
from tests.oracle.source_text import oracle_normalised_case_no, to_minute

Fingerprint = tuple[str, str, datetime]


@dataclass(frozen=True, slots=True)
class Link:
    """A migrated record linked to an Egov case: how, and which fields disagree."""

    egov: Case
    method: str
    mismatch: str


def migrated_records(model: Model) -> list[Case]:
    """Valid, non-deleted new-system cases that came from Egov."""
    return [c for c in model.newsys if not c.is_deleted and c.origin == "EGOV"]


def unique_index(cases: list[Case], key_of: Callable[[Case], Hashable | None]) -> dict[Hashable, Case]:
    """Cases by a key, keeping only keys that exactly one case has (None keys skipped)."""
    keyed = [(key_of(c), c) for c in cases]
    counts = Counter(key for key, _ in keyed if key is not None)
    return {key: c for key, c in keyed if key is not None and counts[key] == 1}


def fingerprint(case: Case) -> Fingerprint | None:
    """Procedure code, non-empty applicant ID and received minute; None when any is missing."""
    received = to_minute(case.received_at)
    if case.procedure_code is None or not case.applicant_id or received is None:
        return None
    return (case.procedure_code, case.applicant_id, received)


def mismatch_fields(new: Case, old: Case, units: UnitChains) -> str:
    """The fields a linked pair disagrees on, sorted and comma-separated ('' when all agree)."""
    differs = {
        "applicant_id": new.applicant_id != old.applicant_id,
        "procedure_code": new.procedure_code != old.procedure_code,
        "received_at": to_minute(new.received_at) != to_minute(old.received_at),
        "unit_code": units.current(new.original_unit_code) != units.current(old.original_unit_code),
    }
    return ",".join(sorted(name for name, differ in differs.items() if differ))


def link_migrated(model: Model) -> dict[str, Link]:
    """Links of migrated records by their `MaHoSo`: by case number first, else by a unique fingerprint."""
    by_case_no = unique_index(model.egov, lambda c: oracle_normalised_case_no(c.case_no))
    by_fingerprint = unique_index(model.egov, fingerprint)
    links: dict[str, Link] = {}
    for record in migrated_records(model):
        raw = record.legacy_case_no_raw
        target = by_case_no.get(oracle_normalised_case_no(raw)) if raw else None
        method = "case_no"
        if target is None:
            target, method = by_fingerprint.get(fingerprint(record)), "fingerprint"
        if target is not None:
            links[record.case_no] = Link(target, method, mismatch_fields(record, target, model.units))
    return links


def is_backlog(case: Case, cutover: datetime) -> bool:
    """A valid Egov case received before the cutover and not finished before it."""
    received, finished = case.received_at, case.finished_at
    return received is not None and received < cutover and (finished is None or finished >= cutover)


def recon_row(
    legacy: str | None, new_id: str | None, outcome: str, link: Link | None, unit: str | None,
    received: datetime | None,
) -> dict[str, Any]:
    """One row of `mart.backlog_reconciliation`."""
    return {
        "legacy_case_no": legacy, "new_case_id": new_id, "outcome": outcome,
        "match_method": link.method if link else None, "mismatch_fields": link.mismatch if link else None,
        "unit_code": unit, "received_at": received,
    }


def primaries(model: Model, links: dict[str, Link], cutover: datetime) -> dict[str, Case]:
    """The primary migrated record of each linked backlog case, by the Egov record key."""
    chosen: dict[str, Case] = {}
    for record in migrated_records(model):
        link = links.get(record.case_no)
        if link is None or not is_backlog(link.egov, cutover):
            continue
        best = chosen.get(link.egov.record_key)
        if best is None or record.case_no.encode("utf-8") < best.case_no.encode("utf-8"):
            chosen[link.egov.record_key] = record
    return chosen


def backlog_row(
    case: Case, primary: Case | None, links: dict[str, Link], units: UnitChains
) -> dict[str, Any]:
    """The row of one backlog case, with its outcome."""
    unit = units.current(case.original_unit_code)
    terminal = case.status_code in ORACLE_TERMINAL
    if primary is None:
        outcome = "finished_in_egov" if terminal else "residue"
        return recon_row(case.case_no, None, outcome, None, unit, case.received_at)
    link = links[primary.case_no]
    outcome = "double_handled" if terminal else "migrated_mismatch" if link.mismatch else "migrated"
    return recon_row(case.case_no, primary.case_no, outcome, link, unit, case.received_at)


def extra_row(record: Case, link: Link | None, cutover: datetime, units: UnitChains) -> dict[str, Any]:
    """The row of a migrated record that is no backlog case's primary."""
    if link is not None and is_backlog(link.egov, cutover):
        unit = units.current(link.egov.original_unit_code)
        return recon_row(link.egov.case_no, record.case_no, "duplicate_migrated", link, unit,
                         link.egov.received_at)
    legacy = link.egov.case_no if link else None
    unit = units.current(record.original_unit_code)
    return recon_row(legacy, record.case_no, "orphan_migrated", link, unit, record.received_at)


def reconciliation_rows(model: Model, links: dict[str, Link], cutover: datetime) -> list[dict[str, Any]]:
    """Every row of `mart.backlog_reconciliation`: backlog cases first, then the extra migrated records."""
    chosen = primaries(model, links, cutover)
    rows = [backlog_row(case, chosen.get(case.record_key), links, model.units)
            for case in model.egov if is_backlog(case, cutover)]
    primary_ids = {record.case_no for record in chosen.values()}
    rows += [extra_row(record, links.get(record.case_no), cutover, model.units)
             for record in migrated_records(model) if record.case_no not in primary_ids]
    return rows
