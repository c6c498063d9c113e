"""Generation of the ratings of cases: each rated case's rating in force, the ones it replaced, plants."""

from __future__ import annotations

import bisect
import itertools

from simulator.gen_base import Builder, sample
from simulator.pakn import COMMENTS, Rating
from simulator.records import NCase
from simulator.simtime import DAY, HOUR, MINUTE

RATING_CHANNELS = (1, 2, 3, 4, 5)
_CHANNEL_CUM = tuple(itertools.accumulate((30, 10, 25, 20, 15)))


def generate_ratings(b: Builder) -> None:
    """Every case finished with a rating gets it in the feed (some after earlier ratings it replaced)."""
    for c in b.new:
        if c.rating and c.status in (9, 10) and c.end is not None:
            rate_case(b, c, c.end, b.now)


def new_rating(b: Builder, case_no: str, rated: int, level: int, in_force: bool, now: int,
               channel: int | None = None) -> Rating:
    """One rating of a case given at `rated` (saved a few seconds later)."""
    rng = b.rng
    channel = channel or RATING_CHANNELS[bisect.bisect(_CHANNEL_CUM, rng.random() * _CHANNEL_CUM[-1])]
    r = Rating(key=b.serial("DG", rated), case_no=case_no, channel=channel, rated=rated, level=level,
               updated=min(now - 1, rated + rng.randrange(1, 60)), by_applicant=rng.random() < 0.86,
               in_force=in_force)
    if rng.random() < 0.3:
        r.criteria = rng.randrange(3, 10)
    if rng.random() < 0.15:
        r.comment = rng.randrange(len(COMMENTS))
    return r


def other_level(b: Builder, level: int) -> int:
    """A satisfaction level different from `level`."""
    return (1, 2, 3)[(level + b.rng.randrange(2)) % 3]


def rate_case(b: Builder, c: NCase, ended: int, now: int) -> Rating:
    """The ratings of a case finished at `ended`: maybe one or two replaced, then the one in force."""
    rng = b.rng
    desk = c.ret is not None and rng.random() < 0.3
    first = c.ret if c.ret is not None else ended
    rated = first + rng.randrange(MINUTE, 10 * MINUTE) if desk else first + rng.randrange(HOUR, 4 * DAY)
    rated = min(now - 2, max(ended + 1, rated))
    roll = rng.random()
    replaced = 2 if roll < 0.01 else (1 if roll < 0.08 else 0)
    span = max(1, rated - ended - 1)
    earlier = sorted(ended + 1 + rng.randrange(span) for _ in range(replaced))
    chain = [new_rating(b, c.key, t, other_level(b, c.rating), False, now) for t in earlier]
    final = new_rating(b, c.key, rated, c.rating, True, now, channel=1 if desk else None)
    for older, newer in zip(chain, [*chain[1:], final], strict=False):
        older.updated = max(older.updated, min(now - 1, newer.rated + rng.randrange(1, 30)))
        if rng.random() < 0.03:
            older.deleted = True
    b.ratings.extend(chain)
    b.ratings.append(final)
    c.rating_index = len(b.ratings) - 1
    c.updated = max(c.updated, min(now - 1, final.updated + rng.randrange(1, 120)))
    return final


def _unknown_case_numbers(b: Builder, known: NCase) -> list[str]:
    """Case numbers that no fact_case row has: Egov numbers, a typo, another letter case, deleted or bad."""
    egov = [e.so.strip() for e in sample(b.rng, b.egov, lambda e: not e.bad, 2)]
    deleted = sample(b.rng, b.new, lambda c: c.deleted and not c.bad, 1)
    bad = sample(b.rng, b.new, lambda c: c.bad and not (c.raw and "MaHoSo" in c.raw), 1)
    return [*egov, known.key + "9", known.key.lower(), *(c.key for c in deleted + bad)]


def plant_ratings(b: Builder) -> None:
    """Ratings of unknown cases, cases with no or two ratings in force, a tie; cases whose DanhGia differs."""
    rated = sample(b.rng, b.new, lambda c: c.rating_index >= 0 and not c.bad and not c.deleted, 9)
    if len(rated) < 9:
        return
    now, rng = b.now, b.rng
    for number in _unknown_case_numbers(b, rated[0]):
        b.ratings.append(new_rating(b, number, b.work_time(now - rng.randrange(20, 200) * DAY), 2, True, now))
    for c in rated[1:3]:
        final = b.ratings[c.rating_index]
        b.ratings.append(new_rating(b, c.key, final.rated - DAY, other_level(b, c.rating), False, now))
        final.deleted, final.updated = True, min(now - 1, final.updated + DAY)
    for c in rated[3:5]:
        final = b.ratings[c.rating_index]
        b.ratings.append(new_rating(b, c.key, final.rated - 2 * DAY, other_level(b, c.rating), True, now))
    tied = rated[5]
    twin = new_rating(b, tied.key, b.ratings[tied.rating_index].rated, other_level(b, tied.rating), True, now)
    b.ratings.append(twin)
    tied.rating, tied.rating_index = twin.level, len(b.ratings) - 1
    for k, c in enumerate(rated[6:9]):
        c.rating = 0 if k == 2 else other_level(b, c.rating)
