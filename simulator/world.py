"""The simulated world: both source systems' records, their feeds, the event log and the clock."""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable
from datetime import datetime
from typing import Any

from simulator.changes import ChangeSummary, apply_batch, bump_served
from simulator.events import EventLog, EventsPruned
from simulator.feeds import BadCursor, Feed, decode_cursor, encode_cursor, served_key
from simulator.gen_base import Builder
from simulator.gen_migrate import LinkIndex
from simulator.generate import build
from simulator.officials import Official, official_payload
from simulator.pakn import Petition, Rating, petition_payload, rating_payload
from simulator.records import ABSENT, ECase, NCase, egov_payload, new_payload
from simulator.simtime import DAY, to_datetime, world_now

__all__ = ["BadCursor", "ChangeSummary", "EventsPruned", "World", "generate_world"]


def feed_key(r: NCase) -> str:
    """The MaHoSo a case is served with (what the feed orders by)."""
    return served_key(r.raw, "MaHoSo", r.key)


def petition_feed_key(p: Petition) -> str:
    """The MaPAKN a petition is served with."""
    return served_key(p.raw, "MaPAKN", p.key)


def rating_feed_key(r: Rating) -> str:
    """The MaDanhGia a rating is served with."""
    return served_key(r.raw, "MaDanhGia", r.key)


class World:
    """Both systems' current records, served in order, changed in deterministic batches."""

    def __init__(self, builder: Builder, seed: int) -> None:
        """Assemble a world from what the generator built."""
        self.seed = seed
        self.builder = builder
        self.now = builder.now
        self.batches = 0
        self.version = 0
        self._egov: list[ECase] = builder.egov
        self._new: list[NCase] = builder.new
        self._officials: list[Official] = builder.officials
        self._petitions: list[Petition] = builder.petitions
        self._ratings: list[Rating] = builder.ratings
        self._feed = Feed((r.updated, feed_key(r), i) for i, r in enumerate(self._new))
        self._petition_feed = Feed((p.updated, petition_feed_key(p), i)
                                   for i, p in enumerate(self._petitions))
        self._rating_feed = Feed((r.updated, rating_feed_key(r), i) for i, r in enumerate(self._ratings))
        self._official_order = sorted((_official_key(o), i) for i, o in enumerate(self._officials))
        self._egov_filter: tuple[tuple[int, int], list[int]] | None = None
        self.link_index: LinkIndex | None = None
        self.events = _initial_events(builder, seed, self.now)

    @property
    def clock(self) -> datetime:
        """The simulated present (aware, Asia/Ho_Chi_Minh)."""
        return to_datetime(self.now)

    def egov_records(self) -> list[dict[str, Any]]:
        """Every current Egov payload, as served, in id order."""
        return [egov_payload(r) for r in self._egov]

    def newsys_records(self) -> list[dict[str, Any]]:
        """Every current new-system case payload, in feed order (NgayCapNhat, MaHoSo)."""
        return [new_payload(self._new[i]) for i in self._feed.indexes()]

    def petition_records(self) -> list[dict[str, Any]]:
        """Every current petition payload, in feed order (NgayCapNhat, MaPAKN)."""
        return [petition_payload(self._petitions[i]) for i in self._petition_feed.indexes()]

    def rating_records(self) -> list[dict[str, Any]]:
        """Every current rating payload, in feed order (NgayCapNhat, MaDanhGia)."""
        return [rating_payload(self._ratings[i]) for i in self._rating_feed.indexes()]

    def officials(self) -> list[dict[str, Any]]:
        """Every official payload, in feed order (TenDangNhap)."""
        return [official_payload(self._officials[i]) for _, i in self._official_order]

    def procedures(self) -> list[dict[str, Any]]:
        """The procedure catalogue as served."""
        return [dict(p) for p in self.builder.procedures]

    def units(self) -> list[dict[str, Any]]:
        """The unit catalogue as served."""
        return [dict(u) for u in self.builder.units]

    def egov_case(self, index: int) -> ECase:
        """The Egov record at a serving position."""
        return self._egov[index]

    def new_case(self, index: int) -> NCase:
        """The new-system record at an internal index."""
        return self._new[index]

    def petition(self, index: int) -> Petition:
        """The petition record at an internal index."""
        return self._petitions[index]

    def rating(self, index: int) -> Rating:
        """The rating record at an internal index."""
        return self._ratings[index]

    def petition_count(self) -> int:
        """How many petition records there are."""
        return len(self._petitions)

    def rating_count(self) -> int:
        """How many rating records there are."""
        return len(self._ratings)

    def egov_count(self) -> int:
        """How many Egov records there are."""
        return len(self._egov)

    def new_count(self) -> int:
        """How many new-system records there are."""
        return len(self._new)

    def official_list(self) -> list[Official]:
        """The official records (internal)."""
        return self._officials

    def _egov_matching(self, since: int | None) -> range | list[int]:
        """Serving positions of the Egov records updated at or after `since`."""
        if since is None:
            return range(len(self._egov))
        key = (since, self.version)
        if self._egov_filter is None or self._egov_filter[0] != key:
            self._egov_filter = (key, [i for i, r in enumerate(self._egov) if r.updated >= since])
        return self._egov_filter[1]

    def egov_page(self, page: int, size: int, since: int | None) -> tuple[dict[str, Any], list[int]]:
        """One Egov page (`tongSo/trang/soBanGhi/duLieu`) and the positions it served."""
        matching = self._egov_matching(since)
        served = list(matching[(page - 1) * size: page * size])
        items = [egov_payload(self._egov[i]) for i in served]
        return {"tongSo": len(matching), "trang": page, "soBanGhi": len(items), "duLieu": items}, served

    def cases_page(
        self, since: int | None, cursor: str | None, limit: int
    ) -> tuple[dict[str, Any], list[int]]:
        """One page of the new-system case feed and the indexes it served."""
        served, nxt = self._feed.page(since, cursor, limit)
        return {"items": [new_payload(self._new[i]) for i in served], "next_cursor": nxt}, served

    def petitions_page(
        self, since: int | None, cursor: str | None, limit: int
    ) -> tuple[dict[str, Any], list[int]]:
        """One page of the petition feed and the indexes it served."""
        served, nxt = self._petition_feed.page(since, cursor, limit)
        return {"items": [petition_payload(self._petitions[i]) for i in served], "next_cursor": nxt}, served

    def ratings_page(
        self, since: int | None, cursor: str | None, limit: int
    ) -> tuple[dict[str, Any], list[int]]:
        """One page of the rating feed and the indexes it served."""
        served, nxt = self._rating_feed.page(since, cursor, limit)
        return {"items": [rating_payload(self._ratings[i]) for i in served], "next_cursor": nxt}, served

    def officials_page(self, cursor: str | None, limit: int) -> dict[str, Any]:
        """One page of official accounts ordered by user name."""
        start = 0
        if cursor is not None:
            start = bisect.bisect_right(self._official_order, decode_cursor(cursor, (str, int)))
        entries = self._official_order[start: start + limit]
        more = start + limit < len(self._official_order)
        items = [official_payload(self._officials[i]) for _, i in entries]
        return {"items": items, "next_cursor": encode_cursor(entries[-1]) if entries and more else None}

    def events_after(self, after: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        """Events after a sequence number and the last sequence number; EventsPruned when too old."""
        return self.events.after(after, limit)

    def expire_events(self, before_seq: int) -> None:
        """Forget the events with a sequence number below `before_seq` (to force 410 Gone)."""
        self.events.expire(before_seq)

    def tick(self, seconds: int) -> int:
        """Advance the clock and return the new present."""
        self.now += seconds
        self.events.prune(self.now)
        return self.now

    def change_new(self, index: int, t: int, kind: str, mutate: Callable[[NCase], None]) -> None:
        """Change a new-system record at time `t`, keeping the feed in order and logging an event."""
        r = self._new[index]
        old = (r.updated, feed_key(r), index)
        mutate(r)
        r.updated = t
        self._feed.move(old, (t, feed_key(r), index))
        self.events.append(kind, r.key, t)
        self.version += 1

    def add_new(self, r: NCase, t: int) -> None:
        """Add a new-system record created at time `t`."""
        r.updated = max(r.updated, t)
        self._new.append(r)
        self._feed.add((r.updated, feed_key(r), len(self._new) - 1))
        self.events.append("hoso.created", r.key, r.updated)
        self.version += 1

    def change_petition(self, index: int, t: int, kind: str, mutate: Callable[[Petition], None]) -> None:
        """Change a petition at time `t`, keeping its feed in order and logging a `pakn.*` event."""
        p = self._petitions[index]
        old = (p.updated, petition_feed_key(p), index)
        mutate(p)
        p.updated = t
        self._petition_feed.move(old, (t, petition_feed_key(p), index))
        self.events.append(kind, petition_feed_key(p), t)
        self.version += 1

    def add_petition(self, p: Petition, t: int) -> None:
        """Add a petition that arrived at time `t`."""
        p.updated = max(p.updated, t)
        self._petitions.append(p)
        self._petition_feed.add((p.updated, petition_feed_key(p), len(self._petitions) - 1))
        self.events.append("pakn.created", p.key, p.updated)
        self.version += 1

    def change_rating(self, index: int, t: int, kind: str, mutate: Callable[[Rating], None]) -> None:
        """Change a rating at time `t`, keeping its feed in order and logging a `danhgia.*` event."""
        r = self._ratings[index]
        old = (r.updated, rating_feed_key(r), index)
        mutate(r)
        r.updated = t
        self._rating_feed.move(old, (t, rating_feed_key(r), index))
        self.events.append(kind, rating_feed_key(r), t)
        self.version += 1

    def add_rating(self, r: Rating, t: int) -> int:
        """Add a rating given at time `t`; its index."""
        r.updated = max(r.updated, t)
        self._ratings.append(r)
        self._rating_feed.add((r.updated, rating_feed_key(r), len(self._ratings) - 1))
        self.events.append("danhgia.created", r.key, r.updated)
        self.version += 1
        return len(self._ratings) - 1

    def change_egov(self, index: int, t: int, mutate: Callable[[ECase], None]) -> None:
        """Change an Egov record at time `t` (Egov has no event log)."""
        r = self._egov[index]
        mutate(r)
        r.updated = t
        self.version += 1

    def change_official(self, index: int, t: int, mutate: Callable[[Official], None]) -> None:
        """Change an official account at time `t` and log an event."""
        o = self._officials[index]
        mutate(o)
        o.updated = t
        self.events.append("canbo.updated", o.user, t)
        self.version += 1

    def apply_changes(self, n: int = 100, seed: int | None = None) -> ChangeSummary:
        """Apply a deterministic batch of about `n` changes across both systems (the clock moves 1 hour)."""
        self.batches += 1
        rng = random.Random(seed if seed is not None else self.seed * 1_000_003 + self.batches)
        return apply_batch(self, n, rng)

    def stamp_ahead(self, n: int, t: int) -> dict[str, list[str | int]]:
        """Stamp the first `n` valid records of each system as changed at `t`, as a source whose clock runs
        ahead (or a hand-edited row) would; their keys by system."""
        egov = [i for i, r in enumerate(self._egov) if not r.bad][:n]
        new = [i for i, r in enumerate(self._new) if not r.bad and not r.deleted][:n]
        for i in egov:
            self.change_egov(i, t, lambda r: None)
        for i in new:
            self.change_new(i, t, "hoso.updated", lambda r: None)
        return {"egov": [self._egov[i].id for i in egov], "newsys": [self._new[i].key for i in new]}

    def restamp(self, n: int) -> dict[str, list[str | int]]:
        """Save `n` valid records of each system again without changing them (a newer update time, one second
        after the present, which moves on), spread over the records; their keys by system."""
        rng = random.Random(self.seed * 7_919 + self.version)
        egov = [i for i, r in enumerate(self._egov) if not r.bad]
        new = [i for i, r in enumerate(self._new) if not r.bad and not r.deleted]
        egov, new = sorted(rng.sample(egov, min(n, len(egov)))), sorted(rng.sample(new, min(n, len(new))))
        t = self.tick(1)
        for i in egov:
            self.change_egov(i, t, lambda r: None)
        for i in new:
            self.change_new(i, t, "hoso.updated", lambda r: None)
        return {"egov": [self._egov[i].id for i in egov], "newsys": [self._new[i].key for i in new]}

    def concurrent_update(self, system: str, served: list[int], rng: random.Random) -> str | int | None:
        """Bump one just-served record (newer update time, maybe a real change); its key, or None."""
        return bump_served(self, system, served, rng)


def _official_key(o: Official) -> str:
    """The user name an official is served under (what its feed orders by)."""
    if o.raw and "TenDangNhap" in o.raw:
        value = o.raw["TenDangNhap"]
        return "" if value is ABSENT or not isinstance(value, str) else value
    return o.user


def _initial_events(b: Builder, seed: int, now: int) -> EventLog:
    """The events of the last 7 days before `now`; earlier ones were already discarded."""
    window = now - 7 * DAY
    pending: list[tuple[int, str, str]] = []
    records = (
        ((feed_key(r), r.created, r.updated, r.deleted) for r in b.new),
        ((petition_feed_key(p), p.start, p.updated, p.deleted) for p in b.petitions),
        ((rating_feed_key(r), r.rated, r.updated, r.deleted) for r in b.ratings),
    )
    for prefix, entries in zip(("hoso", "pakn", "danhgia"), records, strict=True):
        for key, created, updated, deleted in entries:
            if not key:
                continue
            if created >= window:
                pending.append((created, key, f"{prefix}.created"))
            if updated >= window and updated > created:
                pending.append((updated, key, f"{prefix}.deleted" if deleted else f"{prefix}.updated"))
    pending.extend((o.updated, o.user, "canbo.updated")
                   for o in b.officials if o.updated >= window and o.user)
    pending.sort()
    log = EventLog(last_seq=len(b.new) * 3 + 1000 + seed % 97)
    for t, key, kind in pending:
        log.append(kind, key, t)
    return log


def generate_world(scale: int = 1000, seed: int = 7, now: datetime | None = None) -> World:
    """The deterministic world of (scale, seed, now): `scale` new-system cases and about scale/2 Egov ones.

    `now` is the moment the world ends (naive means local time); None is the fixed DEFAULT_NOW.
    """
    return World(build(scale, seed, world_now(now)), seed)
