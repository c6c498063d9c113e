"""Ground-truth petitions and ratings: `mart.fact_petition`, `mart.fact_rating`, the two petition indicators
of `mart.indicator_monthly` and the expectations of the suite `petitions`, from the served payloads."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tests.oracle.facts import Fact, tally
from tests.oracle.model import QuarantineKey, UnitChains, split_valid
from tests.oracle.monthly_indicators import IndicatorKey, IndicatorTally, is_received, period_end
from tests.oracle.petition_records import Petition, Rating, read_petition, read_rating, version_time
from tests.oracle.source_records import Reading
from tests.oracle.source_text import month_index

PETITION_EXPECTATIONS = (
    "petition_answered_has_result", "petition_rejected_has_reason", "petition_case_exists",
    "rating_case_exists", "case_rating_matches_rating_in_force",
)


def latest_versions(payloads: Iterable[Any], reader: Callable[[Any], Reading]) -> dict[str, Reading]:
    """Read every delivery; per key the version with the greatest NgayCapNhat wins, the later one on a tie.

    A version whose NgayCapNhat is empty or unreadable replaces the stored one, and is replaced by the next.
    """
    kept: dict[str, tuple[datetime | None, Reading]] = {}
    for payload in payloads:
        reading, moment = reader(payload), version_time(payload)
        stored = kept.get(reading.record_key)
        if stored is None or stored[0] is None or moment is None or moment >= stored[0]:
            kept[reading.record_key] = (moment, reading)
    return {key: reading for key, (_, reading) in kept.items()}


@dataclass
class PetitionModel:
    """The valid, non-deleted petitions and ratings, and the bad ones with their reasons."""

    quarantine: dict[QuarantineKey, list[str]]
    petitions: list[Petition]
    ratings: list[Rating]


def build_petition_model(petitions: Iterable[Any], ratings: Iterable[Any]) -> PetitionModel:
    """Read both feeds as delivered into their current valid records and their quarantine."""
    quarantine: dict[QuarantineKey, list[str]] = {}
    valid_petitions = split_valid(latest_versions(petitions, read_petition), "newsys", "petition", quarantine)
    valid_ratings = split_valid(latest_versions(ratings, read_rating), "newsys", "rating", quarantine)
    return PetitionModel(quarantine, [p for p in valid_petitions if not p.is_deleted],
                         [r for r in valid_ratings if not r.is_deleted])


def petition_row(p: Petition, units: UnitChains, case_keys: set[str]) -> dict[str, Any]:
    """The `mart.fact_petition` row of one petition."""
    return {
        "petition_key": p.petition_key, "unit_code": units.current(p.original_unit_code),
        "original_unit_code": p.original_unit_code, "channel": p.channel, "transferred_in": p.transferred_in,
        "classification": p.classification, "procedure_code": p.procedure_code, "case_no": p.case_no,
        "case_key": p.case_no if p.case_no in case_keys else None,
        "related_petition_no": p.related_petition_no, "status_code": p.status_code, "sent_at": p.sent_at,
        "accepted_at": p.accepted_at, "start_at": p.start_at,
        "reject_due_at": p.reject_due_at, "supplement_due_at": p.supplement_due_at,
        "handle_due_at": p.handle_due_at, "publish_due_at": p.publish_due_at, "ended_at": p.ended_at,
        "handled_at": p.handled_at, "published_at": p.published_at, "has_answer": p.has_answer,
        "has_reject_reason": p.has_reject_reason, "answer_rating": p.answer_rating, "likes": p.likes,
        "dislikes": p.dislikes,
    }


def rating_row(r: Rating, case_keys: set[str]) -> dict[str, Any]:
    """The `mart.fact_rating` row of one rating."""
    return {"rating_key": r.rating_key, "case_no": r.case_no,
            "case_key": r.case_no if r.case_no in case_keys else None, "channel": r.channel,
            "rated_at": r.rated_at, "level": r.level, "by_applicant": r.by_applicant, "in_force": r.in_force}


def ratings_in_force(rating_rows: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """case_key -> its rating in force: the latest `rated_at` among its rows in force (ties: greatest key)."""
    best: dict[str, dict[str, Any]] = {}
    for row in rating_rows:
        if row["case_key"] is None or not row["in_force"]:
            continue
        held = best.get(row["case_key"])
        if held is None or (row["rated_at"], row["rating_key"]) > (held["rated_at"], held["rating_key"]):
            best[row["case_key"]] = row
    return best


def _met(moment: datetime | None, due: datetime | None) -> bool:
    """`moment <= due`; a null on either side is never met."""
    return moment is not None and due is not None and moment <= due


def on_time_at(p: dict[str, Any], moment: datetime) -> bool:
    """Whether a fact_petition row is on time at `moment` (the contract's rule, whatever the times' order)."""
    ended = p["ended_at"]
    if ended is None or ended > moment:
        return _met(moment, p["handle_due_at"])
    if p["status_code"] == 3:
        return _met(ended, p["supplement_due_at"])
    if p["status_code"] in (4, 5):
        return _met(ended, p["reject_due_at"])
    published = moment if p["published_at"] is None else min(p["published_at"], moment)
    return _met(p["handled_at"], p["handle_due_at"]) and _met(published, p["publish_due_at"])


def is_disliked(p: dict[str, Any]) -> bool:
    """More dislikes than likes on the portal, or the sender rated the answer dissatisfied."""
    return p["dislikes"] > p["likes"] or p["answer_rating"] == 2


def first_complaints(petition_rows: Iterable[dict[str, Any]]) -> dict[str, datetime]:
    """petition_key -> when the earliest other petition naming it as `related_petition_no` was sent."""
    earliest: dict[str, datetime] = {}
    for q in petition_rows:
        target, sent = q["related_petition_no"], q["sent_at"]
        if target is None or target == q["petition_key"] or sent is None:
            continue
        if target not in earliest or sent < earliest[target]:
            earliest[target] = sent
    return earliest


def month_range(facts: list[Fact], as_of: datetime) -> tuple[int, int] | None:
    """The months of `mart.indicator_monthly`: the first month with a received case .. the month of as_of."""
    received = [f.case.received_at for f in facts if is_received(f) and f.case.received_at is not None]
    return (min(month_index(t) for t in received), month_index(as_of)) if received else None


def petition_indicators(
    petition_rows: list[dict[str, Any]], months: tuple[int, int] | None, as_of: datetime
) -> dict[IndicatorKey, tuple[int, int]]:
    """`petition_on_time_rate` and `petition_satisfaction_rate` per month, current unit and ALL."""
    if months is None:
        return {}
    counts = IndicatorTally(*months)
    complained = first_complaints(petition_rows)
    for p in petition_rows:
        unit = p["unit_code"]
        if p["start_at"] is not None:
            last = counts.last if p["ended_at"] is None else min(month_index(p["ended_at"]), counts.last)
            for month in range(max(month_index(p["start_at"]), counts.first), last + 1):
                counts.add(month, unit, "petition_on_time_rate", on_time_at(p, min(period_end(month), as_of)))
        if p["accepted_at"] is not None:
            month = month_index(p["accepted_at"])
            end = period_end(month)
            satisfied = (not is_disliked(p) and on_time_at(p, min(end, as_of))
                         and not (p["petition_key"] in complained and complained[p["petition_key"]] < end))
            counts.add(month, unit, "petition_satisfaction_rate", satisfied)
    return counts.result()


def petition_dq_offenders(
    petition_rows: list[dict[str, Any]], rating_rows: list[dict[str, Any]], facts: list[Fact]
) -> dict[str, tuple[list[str], set[str]]]:
    """Per expectation of the suite `petitions`: the keys in scope and the unexpected ones among them."""
    in_force = ratings_in_force(rating_rows)
    answered = [p for p in petition_rows if p["status_code"] in (6, 7)]
    rejected = [p for p in petition_rows if p["status_code"] == 4]
    about_case = [p for p in petition_rows if p["case_no"] is not None]
    rated = [f for f in facts if f.case_key in in_force]
    return {
        "petition_answered_has_result": _judge(answered, "petition_key", lambda p: not p["has_answer"]),
        "petition_rejected_has_reason": _judge(rejected, "petition_key",
                                               lambda p: not p["has_reject_reason"]),
        "petition_case_exists": _judge(about_case, "petition_key", lambda p: p["case_key"] is None),
        "rating_case_exists": _judge(rating_rows, "rating_key", lambda r: r["case_key"] is None),
        "case_rating_matches_rating_in_force": (
            [f.case_key for f in rated],
            {f.case_key for f in rated if f.case.rating != in_force[f.case_key]["level"]},
        ),
    }


def _judge(
    rows: list[dict[str, Any]], key: str, unexpected: Callable[[dict[str, Any]], bool]
) -> tuple[list[str], set[str]]:
    """The keys of the rows in scope and of the unexpected ones."""
    return [row[key] for row in rows], {row[key] for row in rows if unexpected(row)}


def petition_dq_counts(offenders: dict[str, tuple[list[str], set[str]]]) -> dict[str, tuple[int, int]]:
    """(element_count, unexpected_count) of each expectation of the suite `petitions`."""
    return {name: tally(key in bad for key in scope) for name, (scope, bad) in offenders.items()}
