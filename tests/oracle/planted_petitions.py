"""The petitions and ratings the generator planted, worked out from its own records (not from the payloads):
each special kind by its keys, and the offenders of the suite `petitions`."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from simulator.catalog import UNIT_BY_CODE
from simulator.pakn import Petition, Rating, handle_due, publish_due, reject_due, supplement_due
from simulator.records import ECase, NCase
from simulator.simtime import DAY, add_workdays

PETITION_KINDS = (
    "open_past_deadline", "waiting_past_deadline", "answered_late", "published_late", "unpublished_past_due",
    "rejected_with_reason", "rejected_without_reason", "rejected_late", "moved_out", "moved_out_late",
    "info_requested", "info_requested_late", "info_answered", "answered_without_result", "disliked",
    "rated_dissatisfied", "likes_equal_dislikes", "complained_about", "complaint", "self_related",
    "related_unknown", "about_case", "about_unknown_case", "about_egov_case", "about_deleted_case",
    "about_quarantined_case", "channel_1", "channel_2", "channel_3", "channel_4", "channel_5", "channel_9",
    "transferred_in_VPCP", "transferred_in_BNDP", "transferred_in_NOIBO", "unit_not_in_catalogue",
    "unit_ceased", "midnight_deadline_missed", "handled_while_open", "extended_deadline",
    "deadline_over_holidays", "tombstone",
)
RATING_KINDS = ("unknown_case", "replaced", "two_in_force", "tie_in_force", "no_rating_in_force", "tombstone",
                "dissatisfied")


def _clean(text: str) -> str:
    """A text as the data rules read it (NFC, trimmed)."""
    return unicodedata.normalize("NFC", text).strip()


def _live(record: Petition | Rating | NCase) -> bool:
    """A record that is neither bad input nor deleted."""
    return not record.bad and not record.deleted


def _late(moment: int | None, due: int | None) -> bool:
    """A time after its deadline."""
    return moment is not None and due is not None and moment > due


def _petition_tests(now: int, cases: dict[str, str], keys: set[str], complained: set[str]
                    ) -> dict[str, Callable[[Petition], bool]]:
    """The test of each petition kind (`cases`: case number -> 'live', 'deleted', 'bad' or 'egov')."""
    first_ask = lambda p: min(asked for asked, _ in p.requests) if p.requests else None  # noqa: E731
    return {
        "open_past_deadline": lambda p: p.status == 2 and handle_due(p) < now,
        "waiting_past_deadline": lambda p: p.status == 1 and handle_due(p) < now,
        "answered_late": lambda p: p.status in (6, 7) and _late(p.handled, handle_due(p)),
        "published_late": lambda p: p.status == 7 and _late(p.published, publish_due(p)),
        "unpublished_past_due": lambda p: p.status == 6 and (publish_due(p) or now) < now,
        "rejected_with_reason": lambda p: p.status == 4 and p.reason >= 0,
        "rejected_without_reason": lambda p: p.status == 4 and p.reason < 0,
        "rejected_late": lambda p: p.status == 4 and _late(p.rejected, reject_due(p)),
        "moved_out": lambda p: p.status == 5,
        "moved_out_late": lambda p: p.status == 5 and _late(p.moved_out, reject_due(p)),
        "info_requested": lambda p: p.status == 3,
        "info_requested_late": lambda p: p.status == 3 and _late(first_ask(p), supplement_due(p)),
        "info_answered": lambda p: p.status in (6, 7) and bool(p.requests),
        "answered_without_result": lambda p: p.status in (6, 7) and p.answer < 0 and not p.answer_file,
        "disliked": lambda p: p.dislikes > p.likes,
        "rated_dissatisfied": lambda p: p.rating == 2,
        "likes_equal_dislikes": lambda p: p.likes == p.dislikes > 0,
        "complained_about": lambda p: p.key in complained,
        "complaint": lambda p: bool(p.related) and p.related != p.key and p.related in keys,
        "self_related": lambda p: p.related == p.key,
        "related_unknown": lambda p: bool(p.related) and p.related not in keys,
        "about_case": lambda p: cases.get(_clean(p.case_no)) == "live",
        "about_unknown_case": lambda p: bool(_clean(p.case_no)) and cases.get(_clean(p.case_no)) != "live",
        "about_egov_case": lambda p: cases.get(_clean(p.case_no)) == "egov",
        "about_deleted_case": lambda p: cases.get(_clean(p.case_no)) == "deleted",
        "about_quarantined_case": lambda p: cases.get(_clean(p.case_no)) == "bad",
        **{f"channel_{c}": (lambda p, c=c: p.channel == c) for c in (1, 2, 3, 4, 5, 9)},
        **{f"transferred_in_{s}": (lambda p, s=s: p.source == s) for s in ("VPCP", "BNDP", "NOIBO")},
        "unit_not_in_catalogue": lambda p: p.unit not in UNIT_BY_CODE,
        "unit_ceased": lambda p: p.unit in UNIT_BY_CODE and UNIT_BY_CODE[p.unit].ceased,
        "midnight_deadline_missed": lambda p: (p.channel == 1 and p.handled is not None
                                               and handle_due(p) < p.handled < handle_due(p) + DAY),
        "handled_while_open": lambda p: p.status in (1, 2) and p.handled is not None,
        "extended_deadline": lambda p: p.extension > 0,
        "deadline_over_holidays": lambda p: reject_due(p) // DAY != add_workdays(p.start, 2) // DAY,
    }


def case_states(egov: list[ECase], new: list[NCase]) -> dict[str, str]:
    """Case number -> 'live' (a fact_case key), 'deleted', 'bad' or 'egov' (known only to Egov)."""
    states = {_clean(e.so): "egov" for e in egov if not e.bad}
    for c in new:
        states[c.key] = "live" if _live(c) else ("bad" if c.bad else "deleted")
    return states


def in_force_of(ratings: list[Rating], cases: dict[str, str]) -> dict[str, list[Rating]]:
    """Case number -> its live ratings in force, latest first (ties: greatest key), for cases of fact_case."""
    by_case: dict[str, list[Rating]] = defaultdict(list)
    for r in ratings:
        if _live(r) and r.in_force and cases.get(r.case_no) == "live":
            by_case[r.case_no].append(r)
    return {key: sorted(rs, key=lambda r: (r.rated, r.key), reverse=True) for key, rs in by_case.items()}


def petition_kinds(petitions: list[Petition], cases: dict[str, str], now: int) -> dict[str, set[str]]:
    """Per special kind, the keys of the live, valid petitions of that kind (tombstones: the deleted ones)."""
    live = [p for p in petitions if _live(p)]
    keys = {p.key for p in live}
    complained = {p.related for p in live if p.related and p.related != p.key}
    tests = _petition_tests(now, cases, keys, complained)
    out = {name: {p.key for p in live if test(p)} for name, test in tests.items()}
    out["tombstone"] = {p.key for p in petitions if p.deleted and not p.bad}
    return out


def rating_kinds(ratings: list[Rating], cases: dict[str, str]) -> dict[str, set[str]]:
    """Per special kind, the keys of the ratings of that kind."""
    live = [r for r in ratings if _live(r)]
    in_force = in_force_of(ratings, cases)
    with_ratings: dict[str, list[Rating]] = defaultdict(list)
    for r in live:
        with_ratings[r.case_no].append(r)
    return {
        "unknown_case": {r.key for r in live if cases.get(r.case_no) != "live"},
        "replaced": {r.key for r in live if not r.in_force},
        "two_in_force": {r.key for rs in in_force.values() if len(rs) > 1 for r in rs},
        "tie_in_force": {rs[0].key for rs in in_force.values() if len(rs) > 1 and rs[0].rated == rs[1].rated},
        "no_rating_in_force": {r.key for case, rs in with_ratings.items()
                               if case not in in_force and cases.get(case) == "live" for r in rs},
        "tombstone": {r.key for r in ratings if r.deleted and not r.bad},
        "dissatisfied": {rs[0].key for rs in in_force.values() if rs[0].level == 3},
    }


def petition_offenders(petitions: list[Petition], ratings: list[Rating], new: list[NCase],
                       cases: dict[str, str]) -> dict[str, set[str]]:
    """Per expectation of the suite `petitions`, the keys that break it."""
    live = [p for p in petitions if _live(p)]
    in_force = in_force_of(ratings, cases)
    return {
        "petition_answered_has_result": {p.key for p in live
                                         if p.status in (6, 7) and p.answer < 0 and not p.answer_file},
        "petition_rejected_has_reason": {p.key for p in live if p.status == 4 and p.reason < 0},
        "petition_case_exists": {p.key for p in live
                                 if _clean(p.case_no) and cases.get(_clean(p.case_no)) != "live"},
        "rating_case_exists": {r.key for r in ratings if _live(r) and cases.get(r.case_no) != "live"},
        "case_rating_matches_rating_in_force": {c.key for c in new if _live(c) and c.key in in_force
                                                and in_force[c.key][0].level != c.rating},
    }


def compute_planted_petitions(egov: list[ECase], new: list[NCase], petitions: list[Petition],
                              ratings: list[Rating], now: int) -> dict[str, Any]:
    """The petition and rating part of the planted dictionary."""
    cases = case_states(egov, new)
    return {
        "petition_kinds": petition_kinds(petitions, cases, now),
        "rating_kinds": rating_kinds(ratings, cases),
        "petition_dq_offenders": petition_offenders(petitions, ratings, new, cases),
    }
