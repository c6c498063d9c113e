"""Ground-truth monthly indicators (`mart.indicator_monthly`): numerators and denominators per unit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from tests.oracle.facts import Fact, is_late
from tests.oracle.model import UnitChains
from tests.oracle.source_records import Official
from tests.oracle.source_text import month_date, month_index, month_start

IndicatorKey = tuple[date, str, str]
ALL_UNITS = "ALL"


@lru_cache(maxsize=4096)
def period_end(index: int) -> datetime:
    """The exclusive end of the month of a month index (local midnight of the next month)."""
    return month_start(index + 1)


@dataclass
class IndicatorTally:
    """Numerator and denominator counts per (month, unit, indicator), limited to the reported months."""

    first: int
    last: int
    cells: dict[tuple[int, str, str], list[int]] = field(default_factory=dict)

    def add(self, month: int, unit: str | None, code: str, hit: bool) -> None:
        """Count one element of a denominator (and of the numerator when `hit`) for its unit and ALL."""
        if not self.first <= month <= self.last:
            return
        for target in (unit, ALL_UNITS) if unit is not None else (ALL_UNITS,):
            cell = self.cells.setdefault((month, target, code), [0, 0])
            cell[0] += hit
            cell[1] += 1

    def result(self) -> dict[IndicatorKey, tuple[int, int]]:
        """(numerator, denominator) by (period_month, unit_code, indicator_code)."""
        return {(month_date(m), unit, code): (num, den) for (m, unit, code), (num, den) in self.cells.items()}


def is_received(fact: Fact) -> bool:
    """A case that counts as received: status not 1 or 3, with a received time."""
    return fact.case.status_code not in (1, 3) and fact.case.received_at is not None


def add_on_time(tally: IndicatorTally, fact: Fact, as_of: datetime) -> None:
    """on_time_rate: every month the case is open in, judged at min(finished_at, period end, as_of)."""
    case, received = fact.case, fact.case.received_at
    if received is None:
        return
    finished = case.finished_at
    last = tally.last if finished is None else min(month_index(finished), tally.last)
    for month in range(month_index(received), last + 1):
        judged = min(period_end(month), as_of)
        if finished is not None:
            judged = min(judged, finished)
        tally.add(month, fact.unit_code, "on_time_rate", case.due_at is not None and judged <= case.due_at)


def add_received_in_month(tally: IndicatorTally, fact: Fact) -> None:
    """Indicators over the cases received in a month."""
    case = fact.case
    if case.received_at is None:
        return
    month, unit = month_index(case.received_at), fact.unit_code
    tally.add(month, unit, "online_rate", case.channel == 2)
    tally.add(month, unit, "digitized_rate", case.is_digitized)
    if case.payment is not None:
        tally.add(month, unit, "online_payment_rate", case.payment == "online")
    if case.source == "newsys":
        tally.add(month, unit, "national_sync_rate", bool(case.synced_national))


def add_finished_in_month(tally: IndicatorTally, fact: Fact) -> None:
    """Indicators over the cases finished in a month with status 9 or 10."""
    case = fact.case
    if case.status_code not in (9, 10) or case.finished_at is None:
        return
    month, unit = month_index(case.finished_at), fact.unit_code
    tally.add(month, unit, "e_result_rate", case.has_e_result)
    if case.rating is not None:
        tally.add(month, unit, "satisfaction_rate", case.rating in (1, 2))
    if is_late(case):
        tally.add(month, unit, "apology_rate", case.has_apology)


def add_officials(tally: IndicatorTally, officials: list[Official], units: UnitChains) -> None:
    """official_vneid_rate, for the month of as_of only, by the official's current unit."""
    for official in officials:
        tally.add(tally.last, units.current(official.unit_code), "official_vneid_rate",
                  official.account_type == "VNEID")


def indicators(
    facts: list[Fact], officials: list[Official], units: UnitChains, as_of: datetime
) -> dict[IndicatorKey, tuple[int, int]]:
    """Every reported (month, unit, indicator) with its numerator and a denominator above zero."""
    received = [f for f in facts if is_received(f)]
    if not received:
        return {}
    first = min(month_index(f.case.received_at) for f in received if f.case.received_at is not None)
    tally = IndicatorTally(first, month_index(as_of))
    for fact in received:
        add_on_time(tally, fact, as_of)
        add_received_in_month(tally, fact)
    for fact in facts:
        add_finished_in_month(tally, fact)
    add_officials(tally, officials, units)
    return tally.result()
