"""Oracle of `mart.tthc_period_report`: the contract's periodic TTHC report recomputed in plain Python.

It reads the simulator's records through the ground-truth case universe (`tests.oracle.expected`) and never
imports the pipeline's own packages.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tests.oracle.expected import TruthInputs
from tests.oracle.facts import Fact
from tests.oracle.source_text import ORACLE_ZONE, as_text

ALL = "ALL"
MONTHS_PER_KIND = {"quarter": 3, "half": 6, "year": 12}
COUNTS = (
    "received_total", "carried_over", "received_online", "received_offline", "resolved_total",
    "resolved_early", "resolved_on_time", "resolved_late", "pending_total", "pending_within_due",
    "pending_overdue",
)  # fmt: skip
ReportKey = tuple[str, date, str, str]


@dataclass(frozen=True)
class Period:
    """One calendar period in local time: `[start, end)`."""

    kind: str
    start: date
    end: date

    @property
    def starts_at(self) -> datetime:
        """Local midnight of the first day."""
        return datetime(self.start.year, self.start.month, 1, tzinfo=ORACLE_ZONE)

    @property
    def ends_at(self) -> datetime:
        """Local midnight of the first day after the period."""
        return datetime(self.end.year, self.end.month, 1, tzinfo=ORACLE_ZONE)


def add_months(day: date, months: int) -> date:
    """The first of the month `months` after that of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_of(kind: str, moment: datetime) -> Period:
    """The period of a kind that contains `moment` (local time)."""
    local = moment.astimezone(ORACLE_ZONE)
    length = MONTHS_PER_KIND[kind]
    start = date(local.year, (local.month - 1) // length * length + 1, 1)
    return Period(kind, start, add_months(start, length))


def periods(kind: str, first: datetime, as_of: datetime) -> Iterator[Period]:
    """Every period of a kind from the one containing `first` to the one containing `as_of`."""
    current, last = period_of(kind, first), period_of(kind, as_of)
    while current.start <= last.start:
        yield current
        current = Period(kind, current.end, add_months(current.end, MONTHS_PER_KIND[kind]))


def field_codes(inp: TruthInputs) -> dict[str, str]:
    """Procedure code -> field code (`MaLinhVuc`, '' when empty) of the valid catalogue entries."""
    latest: dict[str, Any] = {}
    for payload in inp.procedures:
        if isinstance(payload, dict):
            latest[as_text(payload.get("MaTTHC"))] = payload
    return {code: as_text(latest[code].get("MaLinhVuc")) for code in inp.model.catalogue if code in latest}


def local_day(moment: datetime) -> date:
    """The local calendar date of a time."""
    return moment.astimezone(ORACLE_ZONE).date()


def case_counts(fact: Fact, period: Period, as_of: datetime) -> tuple[int, ...]:
    """The eleven 0/1 contributions of one of the period's cases."""
    case = fact.case
    received, due, finished = case.received_at, case.due_at, case.finished_at
    new = received >= period.starts_at
    resolved = finished is not None and finished < period.ends_at
    in_time = resolved and due is not None and finished <= due
    same_day = in_time and local_day(finished) == local_day(due)
    late = resolved and due is not None and finished > due
    judged = min(period.ends_at, as_of)
    within = not resolved and due is not None and judged <= due
    overdue = not resolved and due is not None and judged > due
    flags = (
        True, not new, new and case.channel == 2, new and case.channel != 2, resolved,
        in_time and not same_day, same_day, late, not resolved, within, overdue,
    )  # fmt: skip
    return tuple(int(flag) for flag in flags)


def in_period(fact: Fact, period: Period) -> bool:
    """One of the period's cases: received before its end and not finished before its start."""
    case = fact.case
    return case.received_at < period.ends_at and (
        case.finished_at is None or case.finished_at >= period.starts_at
    )


def expected_period_report(inp: TruthInputs) -> dict[ReportKey, dict[str, Any]]:
    """(period_kind, period_start, unit_code, field_code) -> the row's `period_end` and its eleven counts."""
    received = [f for f in inp.facts if f.case.status_code not in (1, 3) and f.case.received_at is not None]
    if not received:
        return {}
    fields = field_codes(inp)
    first = min(f.case.received_at for f in received)
    totals: dict[ReportKey, list[int]] = {}
    ends: dict[ReportKey, date] = {}
    for kind in MONTHS_PER_KIND:
        for period in periods(kind, first, inp.as_of):
            for fact in received:
                if not in_period(fact, period):
                    continue
                counts = case_counts(fact, period, inp.as_of)
                field = fields.get(fact.case.procedure_code or "", "")
                units = (fact.unit_code, ALL) if fact.unit_code is not None else (ALL,)
                for unit in units:
                    for field_code in (field, ALL):
                        key = (kind, period.start, unit, field_code)
                        row = totals.setdefault(key, [0] * len(COUNTS))
                        ends[key] = period.end
                        for index, value in enumerate(counts):
                            row[index] += value
    return {
        key: {"period_end": ends[key], **dict(zip(COUNTS, row, strict=True))} for key, row in totals.items()
    }
