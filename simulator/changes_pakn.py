"""The part of a change batch that touches petitions and ratings (and the cases whose rating changes)."""

from __future__ import annotations

from collections.abc import Callable
from random import Random
from typing import TYPE_CHECKING

from simulator.gen_base import BadPlant
from simulator.gen_pakn import answer, natural_petition
from simulator.gen_ratings import new_rating, other_level
from simulator.pakn import Petition, Rating
from simulator.records import NCase
from simulator.simtime import DAY

if TYPE_CHECKING:
    from simulator.changes import ChangeSummary
    from simulator.world import World

PETITION_OPERATIONS = ("petition_new", "petition_progress", "petition_react", "rating_new", "rating_replace")
SHARES = {"petition_new": 0.005, "petition_progress": 0.01, "petition_react": 0.003, "rating_new": 0.04,
          "rating_replace": 0.005}
ONCE = ("petition_delete", "rating_delete", "petition_spoil")
SMALL_BATCH = 20
_OPEN = (1, 2, 3, 6)


def petition_operations(n: int) -> list[str]:
    """The petition and rating changes of a batch of about n: from 20 on, at least one of each kind."""
    if n < SMALL_BATCH:
        return ["petition_progress", "rating_new"]
    ops = [name for name in PETITION_OPERATIONS for _ in range(max(1, round(n * SHARES[name])))]
    return ops + list(ONCE)


def apply_petition_operation(world: World, op: str, t: int, summary: ChangeSummary) -> None:
    """Apply one petition or rating change at time t."""
    {"petition_new": _new_petition, "petition_progress": _progress_petition, "petition_react": _react,
     "petition_delete": _delete_petition, "petition_spoil": _spoil_petition, "rating_new": _rate_new,
     "rating_replace": _rerate, "rating_delete": _delete_rating}[op](world, t, summary)


def _pick_petition(world: World, condition: Callable[[Petition], bool]) -> int | None:
    """A random live, valid petition satisfying `condition` (None when there is none)."""
    pool = [i for i in range(world.petition_count())
            if not world.petition(i).bad and not world.petition(i).deleted and condition(world.petition(i))]
    return pool[world.builder.rng.randrange(len(pool))] if pool else None


def _pick_case(world: World, condition: Callable[[NCase], bool]) -> int | None:
    """A random live, valid case satisfying `condition`, found by sampling (None after 200 misses)."""
    rng = world.builder.rng
    for _ in range(200):
        i = rng.randrange(world.new_count())
        c = world.new_case(i)
        if not c.bad and not c.deleted and condition(c):
            return i
    return None


def _new_petition(world: World, t: int, summary: ChangeSummary) -> None:
    """A citizen sends a petition (waiting to be accepted)."""
    b = world.builder
    p = natural_petition(b, t // DAY * DAY)
    p.sent, p.source, p.transferred = t, "", None
    p.key = b.serial("PAKN", t)
    world.add_petition(p, t)
    summary.petition_keys.add(p.key)


def _progress_petition(world: World, t: int, summary: ChangeSummary) -> None:
    """An open petition moves one step: accepted or rejected, asked, answered, published."""
    i = _pick_petition(world, lambda p: p.status in _OPEN)
    if i is None:
        return
    roll = world.builder.rng.random()
    world.change_petition(i, t, "pakn.updated", lambda p: _step(world, p, t, roll))
    summary.petition_keys.add(world.petition(i).key)


def _step(world: World, p: Petition, t: int, roll: float) -> None:
    """Move one petition one step along at time t."""
    if p.status == 1 and roll < 0.1:
        p.status, p.rejected, p.reason = 4, t, 1
    elif p.status == 1:
        p.status, p.accepted, p.classification = 2, t, 1 if roll < 0.75 else 2
    elif p.status == 2 and roll < 0.15:
        p.status, p.requests = 3, ((t, None),)
    elif p.status == 2:
        answer(world.builder, p, t)
    elif p.status == 3:
        p.status, p.requests = 2, tuple((asked, answered or t) for asked, answered in p.requests)
    else:
        p.status, p.published = 7, t


def _react(world: World, t: int, summary: ChangeSummary) -> None:
    """Someone likes or dislikes a published answer, or its sender rates it."""
    i = _pick_petition(world, lambda p: p.status == 7)
    if i is None:
        return
    roll = world.builder.rng.random()
    world.change_petition(i, t, "pakn.updated", lambda p: _reaction(p, roll))
    summary.petition_keys.add(world.petition(i).key)


def _reaction(p: Petition, roll: float) -> None:
    """One like, one dislike, or the sender's rating of the answer."""
    if not p.rating and roll < 0.3:
        p.rating = 1 if roll < 0.25 else 2
    elif roll < 0.8:
        p.likes += 1
    else:
        p.dislikes += 1


def _delete_petition(world: World, t: int, summary: ChangeSummary) -> None:
    """A petition entered by mistake is deleted (it stays in the feed as a tombstone)."""
    i = _pick_petition(world, lambda p: p.status in (1, 2) and not p.related)
    if i is not None:
        world.change_petition(i, t, "pakn.deleted", _mark_deleted)
        summary.petition_keys.add(world.petition(i).key)


def _mark_deleted(record: Petition | Rating) -> None:
    """Turn a record into a tombstone."""
    record.deleted = True


def _spoil_petition(world: World, t: int, summary: ChangeSummary) -> None:
    """A petition is saved with a classification outside its code list (its latest version is bad input)."""
    i = _pick_petition(world, lambda p: p.raw is None and p.quirks is None)
    if i is None:
        return
    world.change_petition(i, t, "pakn.updated", _spoil)
    p = world.petition(i)
    world.builder.bad.append(BadPlant("newsys", "petition", p, "bad_code:PhanLoai"))
    summary.petition_keys.add(p.key)


def _spoil(p: Petition) -> None:
    """Write a classification code that is not in the list."""
    p.raw, p.bad = {"PhanLoai": "5"}, True


def _rate_new(world: World, t: int, summary: ChangeSummary) -> None:
    """An applicant rates a finished case for the first time (the case's DanhGia follows)."""
    rng = world.builder.rng
    i = _pick_case(world, lambda c: c.status in (9, 10) and not c.rating and c.rating_index < 0)
    if i is None:
        return
    roll = rng.random()
    _record_rating(world, i, t, 1 if roll < 0.7 else (2 if roll < 0.94 else 3), summary)


def _rerate(world: World, t: int, summary: ChangeSummary) -> None:
    """An applicant rates a case again: the earlier rating is replaced (HieuLuc 0), the case follows."""
    i = _pick_case(world, lambda c: c.rating_index >= 0 and _in_force(world.rating(c.rating_index)))
    if i is None:
        return
    c = world.new_case(i)
    world.change_rating(c.rating_index, t, "danhgia.updated", _replace)
    summary.rating_keys.add(world.rating(c.rating_index).key)
    _record_rating(world, i, t, other_level(world.builder, c.rating), summary)


def _in_force(r: Rating) -> bool:
    """A live, valid rating in force."""
    return r.in_force and not r.deleted and not r.bad


def _replace(r: Rating) -> None:
    """Mark a rating as replaced by a later one."""
    r.in_force = False


def record_rating_of_return(world: World, index: int, t: int, summary: ChangeSummary) -> None:
    """A case just returned with a rating (the desk's device): the rating in force is added to the feed."""
    c = world.new_case(index)
    if c.rating_index >= 0 and _in_force(world.rating(c.rating_index)):
        world.change_rating(c.rating_index, t, "danhgia.updated", _replace)
        summary.rating_keys.add(world.rating(c.rating_index).key)
    r = new_rating(world.builder, c.key, t, c.rating, True, t + 1, channel=1)
    c.rating_index = world.add_rating(r, t)
    summary.rating_keys.add(r.key)


def _record_rating(world: World, index: int, t: int, level: int, summary: ChangeSummary) -> None:
    """A new rating in force of a case at time t, and the case's DanhGia set to it."""
    r = new_rating(world.builder, world.new_case(index).key, t, level, True, t + 1)
    rating_index = world.add_rating(r, t)
    summary.rating_keys.add(r.key)
    world.change_new(index, t, "hoso.updated", lambda c: _rated(c, level, rating_index))
    summary.newsys_keys.add(world.new_case(index).key)


def _rated(c: NCase, level: int, rating_index: int) -> None:
    """Set a case's rating and the index of its rating in force."""
    c.rating, c.rating_index = level, rating_index


def _delete_rating(world: World, t: int, summary: ChangeSummary) -> None:
    """A replaced rating entered twice is deleted (a tombstone in the feed)."""
    rng: Random = world.builder.rng
    for _ in range(200):
        i = rng.randrange(world.rating_count())
        r = world.rating(i)
        if not r.in_force and not r.deleted and not r.bad:
            world.change_rating(i, t, "danhgia.deleted", _mark_deleted)
            summary.rating_keys.add(r.key)
            return
