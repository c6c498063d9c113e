"""Planted data-quality offenders, special officials, tombstones and the traps of the data rules."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from simulator.catalog import PROCEDURES, RETIRED_PROCEDURES
from simulator.gen_base import Builder
from simulator.gen_egov import assign_identity, natural_egov
from simulator.officials import Official
from simulator.records import ECase, NCase
from simulator.simtime import CUTOVER, DAY, HOUR, at

UNKNOWN_USER = "hotro.phanmem"
T = TypeVar("T")


class Picker(Generic[T]):
    """Hands out distinct records, in a shuffled order, that satisfy a condition."""

    def __init__(self, b: Builder, records: list[T], allowed: Callable[[int], bool]) -> None:
        """Shuffle the indexes of `records` that are allowed."""
        self.records = records
        self.order = [i for i in range(len(records)) if allowed(i)]
        b.rng.shuffle(self.order)
        self.used: set[int] = set()

    def take(self, condition: Callable[[T], bool], count: int = 1) -> Iterator[tuple[int, T]]:
        """Up to `count` unused records satisfying `condition`, marked used."""
        found = 0
        for i in self.order:
            if found >= count:
                return
            if i in self.used or not condition(self.records[i]):
                continue
            self.used.add(i)
            found += 1
            yield i, self.records[i]


def designate_officials(b: Builder) -> dict[str, list[Official]]:
    """The officials the plants need: NOI_BO offenders, a locked one, an idle one, a tombstone-only one."""
    noibo = [o for o in b.officials if o.kind == "NOI_BO"]
    roles: dict[str, list[Official]] = {"offender": [], "locked": [], "idle": [], "tomb": []}
    wanted = (("offender", 3, True), ("locked", 1, False), ("idle", 1, True), ("tomb", 1, True))
    spare = [o for o in b.officials if o.kind == "VNEID"]
    for role, count, active in wanted:
        for _ in range(count):
            pick = next((o for o in noibo if o.active == active and not _has_role(roles, o)), None)
            if pick is None:
                pick = spare.pop()
                pick.kind, pick.level, pick.active = "NOI_BO", "", active
            roles[role].append(pick)
    return roles


def _has_role(roles: dict[str, list[Official]], o: Official) -> bool:
    """Whether an official already plays a role."""
    return any(o in group for group in roles.values())


def build_pools(b: Builder, roles: dict[str, list[Official]]) -> None:
    """Desk and handler pools per unit, without the officials reserved for special plants."""
    reserved = {o.user for o in roles["idle"] + roles["tomb"]}
    by_unit: dict[str, list[str]] = {}
    for o in b.officials:
        if o.user not in reserved:
            by_unit.setdefault(o.unit, []).append(o.user)
    for unit, users in by_unit.items():
        cut = max(1, len(users) // 3) if len(users) > 2 else len(users)
        b.receivers[unit] = users[:cut]
        b.handlers[unit] = users[cut:] or users


def add_egov_after_cutover(b: Builder) -> None:
    """Egov cases received after the cutover (which must never happen)."""
    for k in range(max(3, len(b.egov) // 50_000)):
        proc = PROCEDURES[b.rng.randrange(len(PROCEDURES))]
        case = natural_egov(b, CUTOVER + (k * 3 + b.rng.randrange(3)) * DAY, proc)
        assign_identity(b, case)
        b.egov.append(case)


def plant_egov_offenders(b: Builder, pick: Picker[ECase]) -> None:
    """Egov cases that break the rules: closed without result, stopped without reason, dates, procedure."""
    for _, c in pick.take(lambda c: c.status == 10, 2):
        c.result = c.e_result = False
    for _, c in pick.take(lambda c: c.status in (9, 10)):
        c.status, c.ret, c.result, c.e_result, c.rating, c.reason = 8, None, False, False, 0, ""
    for _, c in pick.take(lambda c: c.status in (9, 10)):
        c.end, c.ret, c.status = c.recv - 2 * DAY, None, 9
    for _, c in pick.take(lambda c: c.status == 10):
        c.due = c.recv - DAY
    for k, (_, c) in enumerate(pick.take(lambda c: c.status == 10, 2)):
        c.proc = RETIRED_PROCEDURES[k % len(RETIRED_PROCEDURES)].code


def plant_egov_traps(b: Builder) -> None:
    """Open backlog cases that still carry an old end time (a non-terminal case has no finished time)."""
    open_cases = [b.egov[i] for i in b.backlog if b.egov[i].status in (2, 4, 5)]
    for c in open_cases[:2]:
        c.end = c.recv - DAY


def plant_new_offenders(b: Builder, pick: Picker[NCase]) -> None:
    """New-system cases that break the result, apology, reason, date, sync and catalogue rules."""
    settled = lambda c: c.status == 10 and c.due is not None and c.due < b.now - 10 * DAY  # noqa: E731
    for _, c in pick.take(settled, 3):
        c.result = 0
    for _, c in pick.take(settled, 3):
        c.end, c.ret, c.apology_at = c.due + 2 * DAY, c.due + 2 * DAY + HOUR, None
        c.updated = max(c.updated, c.ret + 60)
    for k, (_, c) in enumerate(pick.take(settled, 3)):
        c.status, c.ret, c.result, c.rating, c.reason = 8, None, 0, 0, ("" if k < 2 else "   ")
    for _, c in pick.take(settled):
        c.due = c.recv - DAY
    for _, c in pick.take(settled):
        c.end = c.recv - 3 * DAY
    for _, c in pick.take(lambda c: c.status != 1, 3):
        c.synced = False
    for k, (_, c) in enumerate(pick.take(lambda c: c.status != 1, 2)):
        c.proc = RETIRED_PROCEDURES[k % len(RETIRED_PROCEDURES)].code


def plant_handlers(b: Builder, pick: Picker[NCase], roles: dict[str, list[Official]]) -> None:
    """Handlers the official check counts (active NOI_BO) or not (locked, unknown); a stale end time."""
    handled = lambda c: c.status in (4, 5, 9, 10)  # noqa: E731
    for o in roles["offender"] + roles["locked"]:
        for _, c in pick.take(handled):
            c.handler = o.user
    for _, c in pick.take(handled, 2):
        c.handler = UNKNOWN_USER
    for _, c in pick.take(lambda c: c.status == 4):
        c.end = c.recv - DAY


def plant_tombstones(b: Builder, pick: Picker[NCase], roles: dict[str, list[Official]]) -> None:
    """Deleted cases (duplicates entered by mistake), one handled by an official seen nowhere else."""
    count = max(4, len(b.new) // 250)
    for k, (_, c) in enumerate(pick.take(lambda c: c.status in (2, 4), count)):
        if k == 0:
            c.status, c.handler = 4, roles["tomb"][0].user
        c.deleted = True
        c.updated = min(b.now - 1, c.updated + b.rng.randrange(HOUR, 5 * DAY))


def egov_picker(b: Builder) -> Picker[ECase]:
    """A picker over Egov cases free for planting (not backlog, not reserved, not date-only)."""
    blocked = set(b.backlog) | b.egov_reserved
    return Picker(b, b.egov, lambda i: i not in blocked and not b.egov[i].date_only
                  and at(2020, 1, 1) <= b.egov[i].recv < CUTOVER)


def new_picker(b: Builder) -> Picker[NCase]:
    """A picker over natural new-system cases free for planting."""
    return Picker(b, b.new, lambda i: b.new[i].origin == "MOI" and i not in b.new_reserved)

