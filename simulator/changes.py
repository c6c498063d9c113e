"""Batches of changes after the world's now, and the concurrent updates a server makes while serving pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from random import Random
from typing import TYPE_CHECKING, Any

from simulator.catalog import PROCEDURE_BY_CODE, PROCEDURES, current_unit
from simulator.changes_pakn import apply_petition_operation, petition_operations, record_rating_of_return
from simulator.gen_backlog import finish_in_egov
from simulator.gen_base import STOP_REASONS, procedure_cum
from simulator.gen_migrate import LinkIndex, build_link_index, messy
from simulator.officials import Official
from simulator.pakn import Petition, Rating
from simulator.records import TERMINAL_STATUSES, ECase, NCase
from simulator.simtime import HOUR, add_workdays

if TYPE_CHECKING:
    from simulator.world import World

_PROGRESSING = (1, 2, 4, 5, 6, 9)


@dataclass
class ChangeSummary:
    """What one batch of changes touched."""

    clock: datetime
    egov_ids: set[int] = field(default_factory=set)
    newsys_keys: set[str] = field(default_factory=set)
    official_names: set[str] = field(default_factory=set)
    petition_keys: set[str] = field(default_factory=set)
    rating_keys: set[str] = field(default_factory=set)

    def as_json(self) -> dict[str, Any]:
        """The summary as a JSON-ready dictionary (sorted lists, ISO clock)."""
        return {"egov_ids": sorted(self.egov_ids), "newsys_keys": sorted(self.newsys_keys),
                "official_names": sorted(self.official_names), "petition_keys": sorted(self.petition_keys),
                "rating_keys": sorted(self.rating_keys), "clock": self.clock.isoformat()}


def _link_index(world: World) -> LinkIndex:
    """The link index of a world's Egov records (case numbers and fingerprints never change)."""
    if world.link_index is None:
        world.link_index = build_link_index(world.builder.egov)
    return world.link_index


def _operations(n: int, rng: Random) -> list[str]:
    """The kinds of change in a batch of about n, shuffled."""
    finish, migrate, delete = max(1, round(n * 0.02)), max(1, round(n * 0.02)), max(1, round(n * 0.02))
    new = round(n * 0.38)
    pakn = petition_operations(n)
    progress = max(0, n - finish - migrate - delete - new - 1 - len(pakn))
    ops = ["finish"] * finish + ["migrate"] * migrate + ["delete"] * delete + ["new"] * new
    ops += ["progress"] * progress + ["official"] + pakn
    rng.shuffle(ops)
    return ops


def _egov_open_sets(world: World) -> tuple[list[int], list[int]]:
    """Open Egov backlog cases: those no live migrated copy links to (residue), and those it does."""
    linked = {r.link for r in world.builder.new if r.origin == "EGOV" and not r.bad and not r.deleted}
    residue, migrated = [], []
    for i in world.builder.backlog:
        e = world.egov_case(i)
        if e.bad or e.status in TERMINAL_STATUSES:
            continue
        (migrated if i in linked else residue).append(i)
    return residue, migrated


def apply_batch(world: World, n: int, rng: Random) -> ChangeSummary:
    """Apply about n changes spread over the next simulated hour."""
    start = world.now
    world.tick(HOUR)
    world.builder.rng = rng
    summary = ChangeSummary(clock=world.clock)
    residue, migrated = _egov_open_sets(world)
    open_new = [i for i in range(world.new_count()) if _progressing(world.new_case(i))]
    ops = _operations(n, rng)
    times = sorted(rng.randrange(start + 1, world.now + 1) for _ in ops)
    for op, t in zip(ops, times, strict=True):
        if op == "finish":
            _finish_egov(world, residue, migrated, t, summary)
        elif op == "migrate":
            _migrate(world, residue, t, summary)
        elif op == "delete":
            _delete(world, open_new, t, summary)
        elif op == "new":
            _new_case(world, t, summary)
        elif op == "progress":
            _progress(world, open_new, t, summary)
        elif op == "official":
            _switch_official(world, t, summary)
        else:
            apply_petition_operation(world, op, t, summary)
    return summary


def _progressing(r: NCase) -> bool:
    """A live, valid case that can still move on."""
    return not r.bad and not r.deleted and r.status in _PROGRESSING


def _take(rng: Random, pool: list[int]) -> int | None:
    """Remove and return a random element of a pool (None when empty)."""
    if not pool:
        return None
    k = rng.randrange(len(pool))
    pool[k], pool[-1] = pool[-1], pool[k]
    return pool.pop()


def _finish_egov(
    world: World, residue: list[int], migrated: list[int], t: int, summary: ChangeSummary
) -> None:
    """An official finishes an open backlog case on Egov (a migrated one becomes double-handled)."""
    rng = world.builder.rng
    pool = migrated if (rng.random() < 0.2 and migrated) or not residue else residue
    i = _take(rng, pool)
    if i is None:
        return
    world.change_egov(i, t, lambda c: finish_in_egov(world.builder, c, t))
    summary.egov_ids.add(world.egov_case(i).id)


def _migrate(world: World, residue: list[int], t: int, summary: ChangeSummary) -> None:
    """The migration tool copies a residue case into the new system."""
    b = world.builder
    i = _take(b.rng, residue)
    if i is None:
        return
    e = world.egov_case(i)
    r = b.rng.random()
    legacy = e.so if r < 0.3 else messy(b.rng, e.so)
    if r > 0.8 and _link_index(world).unique_fingerprint(e):
        legacy = ""
    world.add_new(_fresh_copy(world, e, i, t, legacy), t)
    summary.newsys_keys.add(world.new_case(world.new_count() - 1).key)
    if b.rng.random() < 0.6:
        world.change_egov(i, t, _mark_moved)
        summary.egov_ids.add(e.id)


def _mark_moved(c: ECase) -> None:
    """Flag an Egov case as moved to the new system."""
    c.moved = True


def _fresh_copy(world: World, e: ECase, link: int, t: int, legacy: str) -> NCase:
    """A migrated copy of an Egov case made now."""
    b = world.builder
    unit = current_unit(e.unit)
    case = NCase(key=b.case_no(unit, t), proc=e.proc, unit=unit, channel=e.channel, applicant=e.applicant,
                 created=t, recv=e.recv, due=e.due, status=2, updated=t, business=e.business,
                 kind=2 if e.business else 1, origin="EGOV", legacy=legacy, link=link)
    case.app_id = e.app_id
    case.receiver, case.handler = b.receiver(unit), b.handler(unit)
    case.synced = b.rng.random() < 0.9
    return case


def _new_case(world: World, t: int, summary: ChangeSummary) -> None:
    """A new case is submitted online or received at a desk."""
    b = world.builder
    rng = b.rng
    proc = rng.choices(PROCEDURES, cum_weights=procedure_cum())[0]
    unit = b.pick_unit(proc.field, None, True)
    online = proc.level != "2" and rng.random() < 0.72
    business = rng.random() < proc.business
    case = NCase(key=b.case_no(unit, t), proc=proc.code, unit=unit, channel=2 if online else 1,
                 applicant=b.applicant_no(), created=t, recv=t, due=add_workdays(t, proc.days) + 17 * HOUR,
                 status=2, updated=t, business=business, kind=2 if business else 1,
                 vneid=online and rng.random() < 0.85)
    if online and rng.random() < 0.5:
        case.status, case.recv, case.due = 1, None, None
    case.receiver, case.handler = b.receiver(unit), b.handler(unit)
    case.digitized = rng.random() < 0.75
    case.payment = (1 if rng.random() < 0.3 else 3) if proc.fee else 0
    case.synced = rng.random() < 0.95
    world.add_new(case, t)
    summary.newsys_keys.add(case.key)


def _delete(world: World, open_new: list[int], t: int, summary: ChangeSummary) -> None:
    """A case entered twice by mistake is deleted (it stays in the feed as a tombstone)."""
    candidates = [k for k, i in enumerate(open_new)
                  if world.new_case(i).origin == "MOI" and world.new_case(i).status in (1, 2)]
    if not candidates:
        return
    k = candidates[world.builder.rng.randrange(len(candidates))]
    open_new[k], open_new[-1] = open_new[-1], open_new[k]
    i = open_new.pop()
    world.change_new(i, t, "hoso.deleted", _mark_deleted)
    summary.newsys_keys.add(world.new_case(i).key)


def _mark_deleted(r: NCase) -> None:
    """Turn a case into a tombstone."""
    r.deleted = True


def _progress(world: World, open_new: list[int], t: int, summary: ChangeSummary) -> None:
    """An open case moves on one step (received, processed, supplement, apology, result, returned)."""
    rng = world.builder.rng
    i = _take(rng, open_new)
    if i is None:
        return
    r = world.new_case(i)
    roll, rated = rng.random(), r.rating
    world.change_new(i, t, "hoso.updated", lambda c: _step(c, t, roll, world))
    summary.newsys_keys.add(r.key)
    if r.rating and r.rating != rated:
        record_rating_of_return(world, i, t, summary)


def _step(c: NCase, t: int, roll: float, world: World) -> None:
    """Move one case one step along at time t."""
    proc = PROCEDURE_BY_CODE[c.proc]
    if c.status == 1:
        c.status, c.recv, c.due = 2, t, add_workdays(t, proc.days) + 17 * HOUR
    elif c.status == 2:
        c.status = 4
    elif c.status == 5:
        c.status, c.supp_done = 4, t
    elif c.status == 9:
        c.status, c.ret = 10, t
        if not c.rating:
            c.rating = 1 if roll < 0.35 else (2 if roll < 0.5 else 0)
    elif c.due is not None and c.due < t and c.apology_at is None and roll < 0.6:
        c.apology_at = t
    elif roll < 0.12:
        c.status, c.supp_at, c.supp_done = 5, t, None
    elif roll < 0.14:
        c.status, c.end, c.reason = 8, t, STOP_REASONS[1]
    else:
        c.status, c.end = 9, t
        c.result = 2 if roll < 0.93 else 1
    c.synced = world.builder.rng.random() < 0.97


def _switch_official(world: World, t: int, summary: ChangeSummary) -> None:
    """An official with a local NOI_BO account moves to VNeID."""
    officials = world.official_list()
    candidates = sorted((o.user, i) for i, o in enumerate(officials)
                        if not o.bad and o.active and o.kind == "NOI_BO")
    if not candidates:
        return
    user, i = candidates[world.builder.rng.randrange(len(candidates))]
    world.change_official(i, t, _to_vneid)
    summary.official_names.add(user)


def _to_vneid(o: Official) -> None:
    """Switch an account to VNeID, identification level 2."""
    o.kind, o.level = "VNEID", "2"


def bump_served(world: World, system: str, served: list[int], rng: Random) -> str | int | None:
    """Change one record of a page just served, one second later than anything before."""
    if system == "egov":
        pool = [i for i in served if not world.egov_case(i).bad]
        if not pool:
            return None
        i = pool[rng.randrange(len(pool))]
        world.change_egov(i, world.tick(1), _egov_nudge)
        return world.egov_case(i).id
    if system == "petitions":
        return _bump_petition(world, served, rng)
    if system == "ratings":
        return _bump_rating(world, served, rng)
    pool = [i for i in served if not world.new_case(i).bad and not world.new_case(i).deleted]
    if not pool:
        return None
    i = pool[rng.randrange(len(pool))]
    t = world.tick(1)
    world.change_new(i, t, "hoso.updated", lambda c: _new_nudge(c, t))
    return world.new_case(i).key


def _bump_petition(world: World, served: list[int], rng: Random) -> str | None:
    """A served petition gets a like (a published answer) or is synced to the portal again."""
    pool = [i for i in served if not world.petition(i).bad and not world.petition(i).deleted]
    if not pool:
        return None
    i = pool[rng.randrange(len(pool))]
    world.change_petition(i, world.tick(1), "pakn.updated", _petition_nudge)
    return world.petition(i).key


def _petition_nudge(p: Petition) -> None:
    """One more like on a published answer; otherwise the record is synced again."""
    if p.status == 7 and p.channel in (1, 3):
        p.likes += 1
    p.synced = True


def _bump_rating(world: World, served: list[int], rng: Random) -> str | None:
    """A served rating is saved again unchanged (a newer NgayCapNhat)."""
    pool = [i for i in served if not world.rating(i).bad and not world.rating(i).deleted]
    if not pool:
        return None
    i = pool[rng.randrange(len(pool))]
    world.change_rating(i, world.tick(1), "danhgia.updated", _touch)
    return world.rating(i).key


def _touch(r: Rating) -> None:
    """Save a rating again without changing it."""


def _egov_nudge(c: ECase) -> None:
    """An open Egov case moves between its open states (a finished one is only touched)."""
    c.status = {2: 4, 4: 5, 5: 4}.get(c.status, c.status)


def _new_nudge(c: NCase, t: int) -> None:
    """An open new case moves between open states, or the record is re-synced."""
    if c.status == 2:
        c.status = 4
    elif c.status == 5:
        c.status, c.supp_done = 4, t
    c.synced = True
