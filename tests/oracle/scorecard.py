"""Ground-truth Decision 766 scorecard (`mart.score766_monthly`): every metric the sources feed, per month and
unit (current unit, and ALL), scored from the integers exactly as the warehouse contract says."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Any

from tests.oracle.facts import Fact
from tests.oracle.monthly_indicators import ALL_UNITS, IndicatorKey, is_received, period_end
from tests.oracle.source_text import month_date, month_index

ScoreKey = tuple[date, str, str]
PETITION_METRICS = frozenset({"PETITION_PROCESSING_ON_TIME", "PETITION_HANDLING_SATISFACTION"})


@dataclass(frozen=True, slots=True)
class Metric:
    """One metric of the scorecard: its group, points, and the indicator it takes its counts from (if any)."""

    group_code: str
    metric_code: str
    max_score: int
    indicator: str | None


METRICS: tuple[Metric, ...] = (
    Metric("transparency", "DOSSIER_SYNC", 6, "national_sync_rate"),
    Metric("progress", "ON_TIME", 20, "on_time_rate"),
    Metric("online_service", "ONLINE_FULL_PROCESS", 12, None),
    Metric("online_payment", "PAID_ONLINE", 6, "online_payment_rate"),
    Metric("online_payment", "FEE_PROCEDURES_PAID_ONLINE", 4, None),
    Metric("digitisation", "ORIGINAL_RESULT_AVAILABLE", 6, "e_result_rate"),
    Metric("digitisation", "DOSSIER_DIGITIZED", 4, "digitized_rate"),
    Metric("satisfaction", "PETITION_PROCESSING_ON_TIME", 6, "petition_on_time_rate"),
    Metric("satisfaction", "PETITION_HANDLING_SATISFACTION", 6, "petition_satisfaction_rate"),
    Metric("satisfaction", "DOSSIER_RECEIVING_SATISFACTION", 6, None),
)
Counts = dict[tuple[int, str], list[int]]


def _count(counts: Counts, month: int, unit: str | None, hit: bool) -> None:
    """Count one element for its unit and for ALL."""
    for target in (unit, ALL_UNITS) if unit is not None else (ALL_UNITS,):
        cell = counts.setdefault((month, target), [0, 0])
        cell[0] += hit
        cell[1] += 1


def _received_in_month(facts: Iterable[Fact]) -> Iterable[tuple[Fact, int]]:
    """Received cases (status not 1 or 3) with the month they were received in."""
    for fact in facts:
        if is_received(fact) and fact.case.received_at is not None:
            yield fact, month_index(fact.case.received_at)


def full_process_counts(facts: list[Fact], levels: dict[str, str]) -> Counts:
    """ONLINE_FULL_PROCESS: cases received in P whose procedure has MucDo 4; of them, the online ones."""
    counts: Counts = {}
    for fact, month in _received_in_month(facts):
        if levels.get(fact.case.procedure_code or "") == "4":
            _count(counts, month, fact.unit_code, fact.case.channel == 2)
    return counts


def fee_procedure_counts(facts: list[Fact]) -> Counts:
    """FEE_PROCEDURES_PAID_ONLINE: procedures with a fee case received in P; of them, any paid online."""
    charged: dict[tuple[int, str], set[str]] = defaultdict(set)
    paid: dict[tuple[int, str], set[str]] = defaultdict(set)
    for fact, month in _received_in_month(facts):
        code = fact.case.procedure_code
        if fact.case.payment is None or not code:
            continue
        for unit in (fact.unit_code, ALL_UNITS) if fact.unit_code is not None else (ALL_UNITS,):
            charged[(month, unit)].add(code)
            if fact.case.payment == "online":
                paid[(month, unit)].add(code)
    return {key: [len(paid[key]), len(codes)] for key, codes in charged.items()}


def receiving_satisfaction_counts(
    facts: list[Fact], in_force: dict[str, dict[str, Any]], petitioned: dict[str, datetime],
    months: tuple[int, int], as_of: datetime,
) -> Counts:
    """DOSSIER_RECEIVING_SATISFACTION over the cases of on_time_rate: not late, not rated 3, no petition."""
    counts: Counts = {}
    first, last = months
    for fact in facts:
        case = fact.case
        if not is_received(fact) or case.received_at is None:
            continue
        finished = case.finished_at
        end_month = last if finished is None else min(month_index(finished), last)
        rated = in_force.get(fact.case_key)
        for month in range(max(month_index(case.received_at), first), end_month + 1):
            end = period_end(month)
            judged = min(end, as_of) if finished is None else min(end, as_of, finished)
            late = not (case.due_at is not None and judged <= case.due_at)
            dissatisfied = rated is not None and rated["rated_at"] < end and rated["level"] == 3
            complained = fact.case_key in petitioned and petitioned[fact.case_key] < end
            _count(counts, month, fact.unit_code, not (late or dissatisfied or complained))
    return counts


def first_petition_about(petition_rows: Iterable[dict[str, Any]]) -> dict[str, datetime]:
    """case_key -> when the earliest petition about that case was sent."""
    earliest: dict[str, datetime] = {}
    for p in petition_rows:
        key, sent = p["case_key"], p["sent_at"]
        if key is not None and sent is not None and (key not in earliest or sent < earliest[key]):
            earliest[key] = sent
    return earliest


def metric_score(metric: Metric, numerator: int, denominator: int, before_cutover: bool) -> Fraction | None:
    """The score of one metric from its integers (None where the contract says null)."""
    if metric.metric_code in PETITION_METRICS:
        if before_cutover:
            return None
        return Fraction(metric.max_score) if denominator == 0 else Fraction(6 * numerator, denominator)
    if denominator == 0:
        return None
    if metric.metric_code == "FEE_PROCEDURES_PAID_ONLINE":
        return Fraction(4) if 5 * numerator >= 4 * denominator else Fraction(5 * numerator, denominator)
    if metric.metric_code == "DOSSIER_RECEIVING_SATISFACTION":
        return Fraction(6) if 10 * numerator >= 9 * denominator else Fraction(60 * numerator, 9 * denominator)
    return Fraction(metric.max_score * numerator, denominator)


def scorecard(
    indicator_rows: dict[IndicatorKey, tuple[int, int]], own_counts: dict[str, Counts], cutover: datetime
) -> dict[ScoreKey, dict[str, Any]]:
    """Every metric for every (month, unit) with an indicator row; ratio and score as floats (None: null)."""
    cutover_month = month_index(cutover)
    out: dict[ScoreKey, dict[str, Any]] = {}
    for day, unit in sorted({(day, unit) for day, unit, _ in indicator_rows}):
        month = day.year * 12 + day.month - 1
        for metric in METRICS:
            if metric.indicator is not None:
                numerator, denominator = indicator_rows.get((day, unit, metric.indicator), (0, 0))
            else:
                numerator, denominator = own_counts[metric.metric_code].get((month, unit), [0, 0])
            score = metric_score(metric, numerator, denominator, month < cutover_month)
            out[(month_date(month), unit, metric.metric_code)] = {
                "group_code": metric.group_code, "numerator": numerator, "denominator": denominator,
                "ratio": numerator / denominator if denominator else None,
                "score": None if score is None else float(score), "max_score": metric.max_score,
            }
    return out
