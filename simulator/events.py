"""The new system's change-event log: strictly growing sequence numbers, kept for 7 days."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from simulator.simtime import DAY, fmt_new

RETENTION = 7 * DAY


class EventsPruned(Exception):
    """The requested position is older than the oldest kept event (answer 410 Gone)."""


@dataclass
class EventLog:
    """Events as parallel lists (seq, type, key, time); the oldest are dropped as the clock moves on."""

    last_seq: int
    seqs: list[int] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    times: list[int] = field(default_factory=list)
    start: int = 0

    def append(self, kind: str, key: str, t: int) -> int:
        """Record one event and return its sequence number."""
        self.last_seq += 1
        self.seqs.append(self.last_seq)
        self.types.append(kind)
        self.keys.append(key)
        self.times.append(t)
        return self.last_seq

    def oldest_seq(self) -> int:
        """The sequence number of the oldest kept event (last_seq + 1 when none is kept)."""
        return self.seqs[self.start] if self.start < len(self.seqs) else self.last_seq + 1

    def prune(self, now: int) -> None:
        """Drop the events older than the retention period."""
        cut = bisect.bisect_left(self.times, now - RETENTION, self.start)
        self._drop_to(cut)

    def expire(self, before_seq: int) -> None:
        """Drop every event with a sequence number below `before_seq`."""
        self._drop_to(bisect.bisect_left(self.seqs, before_seq, self.start))

    def _drop_to(self, index: int) -> None:
        """Forget events before list position `index`, compacting now and then."""
        self.start = max(self.start, index)
        if self.start > 4096 and self.start * 2 > len(self.seqs):
            for name in ("seqs", "types", "keys", "times"):
                setattr(self, name, getattr(self, name)[self.start:])
            self.start = 0

    def after(self, after: int, limit: int) -> tuple[list[dict[str, object]], int]:
        """Events with seq > after (at most `limit`) and the last seq; EventsPruned when events were lost."""
        if after >= self.last_seq:
            return [], self.last_seq
        if after + 1 < self.oldest_seq():
            raise EventsPruned(after)
        i = bisect.bisect_right(self.seqs, after, self.start)
        j = min(len(self.seqs), i + limit)
        events = [
            {"seq": self.seqs[k], "type": self.types[k], "key": self.keys[k], "at": fmt_new(self.times[k])}
            for k in range(i, j)
        ]
        return events, self.last_seq
