"""The Egov backlog at the cutover: which cases it holds, and what became of each (the plan)."""

from __future__ import annotations

from collections.abc import Callable

from simulator.catalog import UNIT_BY_CODE
from simulator.gen_base import STOP_REASONS, Builder
from simulator.gen_egov import natural_backlog
from simulator.records import ECase, egov_applicant_id
from simulator.simtime import CUTOVER, DAY, HOUR, MINUTE, at

PAIRED = ("ambiguous", "collision")
CATEGORIES: tuple[tuple[str, int, float], ...] = (
    ("ambiguous", 1, 0.004), ("collision", 1, 0.003), ("residue_tomb", 2, 0.01), ("residue_bad", 2, 0.005),
    ("residue", 4, 0.1), ("double", 3, 0.02), ("duplicate", 3, 0.015), ("mm_applicant", 2, 0.01),
    ("mm_procedure", 2, 0.01), ("mm_received", 2, 0.01), ("mm_unit", 2, 0.01), ("mm_multi", 1, 0.005),
    ("successor", 2, 0.02), ("fp_empty", 3, 0.05), ("fp_garbled", 2, 0.02), ("migrated", 3, 0.3),
)
TERMINAL_CATEGORIES = frozenset({"finished", "double"})


def choose_backlog(b: Builder) -> list[int]:
    """The backlog: cases naturally still open at the cutover, topped up with recent and a few stuck ones."""
    rng = b.rng
    chosen = set(natural_backlog(b))
    need = max(96, round(len(b.egov) * 0.02)) - len(chosen)
    recent, older = [], []
    for i, c in enumerate(b.egov):
        if i in chosen or c.date_only or c.recv >= CUTOVER:
            continue
        if c.recv >= CUTOVER - 180 * DAY:
            recent.append(i)
        elif c.recv >= at(2023, 3, 1):
            older.append(i)
    rng.shuffle(recent)
    rng.shuffle(older)
    n_old = min(len(older), max(0, need) // 5)
    chosen.update(older[:n_old])
    chosen.update(recent[: max(0, need - n_old)])
    return sorted(chosen)


def _fingerprintable(c: ECase) -> bool:
    """A case that can be found by fingerprint: it has an applicant ID and seconds in its reception time."""
    return bool(egov_applicant_id(c)) and c.recv % MINUTE != 0


def _ceased_unit(c: ECase) -> bool:
    """A case received by a unit that ceased at the reorganisation."""
    return UNIT_BY_CODE[c.unit].ceased


_NEEDS: dict[str, Callable[[ECase], bool]] = {
    "ambiguous": _fingerprintable, "fp_empty": _fingerprintable, "fp_garbled": _fingerprintable,
    "successor": _ceased_unit,
}


def assign_categories(b: Builder, backlog: list[int]) -> dict[int, str]:
    """Give every backlog case the fate the generator plans for it (category name)."""
    pool = list(backlog)
    b.rng.shuffle(pool)
    total = len(pool)
    plan: dict[int, str] = {}
    for name, minimum, frac in CATEGORIES:
        wanted = max(minimum, round(frac * total)) * (2 if name in PAIRED else 1)
        need = _NEEDS.get(name, lambda c: True)
        picked = [i for i in pool if need(b.egov[i])][:wanted]
        for i in picked:
            plan[i] = name
        taken = set(picked)
        pool = [i for i in pool if i not in taken]
    for i in pool:
        plan[i] = "finished"
    return plan


def settle_egov(b: Builder, plan: dict[int, str]) -> None:
    """Put every backlog case in its Egov state: finished after the cutover, or still open."""
    for i in sorted(plan):
        case = b.egov[i]
        if plan[i] in TERMINAL_CATEGORIES:
            finish_in_egov(b, case, None)
        else:
            keep_open(b, case)
    _pair_up(b, plan)


def finish_in_egov(b: Builder, case: ECase, when: int | None) -> None:
    """Finish a backlog case on Egov after the cutover (at `when`, or at its natural end)."""
    rng = b.rng
    end = when
    if end is None:
        natural = case.end if case.end is not None and CUTOVER <= case.end < b.now - 30 * DAY else None
        end = natural or b.work_time(CUTOVER + rng.randrange(1, 150) * DAY)
    r = rng.random()
    case.status = 10 if r < 0.72 else 9 if r < 0.82 else 3 if r < 0.87 else 7 if r < 0.93 else 8
    case.end, case.ret = end, None
    case.reason = STOP_REASONS[rng.randrange(len(STOP_REASONS))] if case.status == 8 else ""
    if case.status == 10:
        case.ret = end + rng.randrange(10 * MINUTE, 3 * DAY)
    done = case.status in (9, 10)
    case.result = done
    case.e_result = done and rng.random() < 0.5
    case.rating = rng.choice((0, 0, 1, 1, 2)) if done else 0
    case.apology = done and end > case.due and rng.random() < 0.75
    case.updated = max(end, case.ret or end) + rng.randrange(60, HOUR)
    if when is not None:
        case.updated = when


def keep_open(b: Builder, case: ECase) -> None:
    """Leave a backlog case open on Egov (new, in progress, or waiting for a supplement)."""
    rng = b.rng
    r = rng.random()
    case.status = 4 if r < 0.6 else (5 if r < 0.8 else 2)
    case.end = case.ret = None
    case.result = case.e_result = False
    case.rating = 0
    case.reason = ""
    case.apology = case.due < CUTOVER and rng.random() < 0.3
    if rng.random() < 0.3:
        touched = CUTOVER + rng.randrange(1, 300) * DAY
    else:
        touched = CUTOVER - rng.randrange(1, 20) * HOUR
    case.updated = max(case.recv + HOUR, touched)


def _pair_up(b: Builder, plan: dict[int, str]) -> None:
    """Make the planted pairs: a shared fingerprint (ambiguous) and two numbers that normalise alike."""
    for name in PAIRED:
        members = sorted(i for i, c in plan.items() if c == name)
        for first, second in zip(members[0::2], members[1::2], strict=False):
            a, other = b.egov[first], b.egov[second]
            if name == "ambiguous":
                other.proc, other.applicant, other.app_id = a.proc, a.applicant, a.app_id
                other.business = a.business
                other.recv = a.recv - a.recv % MINUTE + (a.recv % MINUTE + 17) % MINUTE
                other.due = a.due
                other.updated = max(other.updated, other.recv + HOUR)
            else:
                unit, day, seq = a.so.split("-")
                other.so = f"{unit}.{day}.{seq}"
