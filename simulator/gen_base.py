"""Shared state and samplers of the world generator."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from random import Random
from typing import Any, TypeVar

from simulator.catalog import PROCEDURES, UNIT_BY_CODE, units_for
from simulator.officials import Official
from simulator.pakn import Petition, Rating
from simulator.records import ECase, NCase
from simulator.simtime import DAY, DEFAULT_NOW, HOUR, MINUTE, weekday, yymmdd

STOP_REASONS = (
    "Hồ sơ không đủ điều kiện theo quy định, đã hướng dẫn công dân bổ sung nhưng quá hạn không bổ sung",
    "Cơ sở không đạt yêu cầu khi thẩm định thực tế",
    "Tổ chức đề nghị dừng giải quyết để hoàn thiện hồ sơ",
    "Văn bằng chuyên môn chưa được xác minh",
)
_UNIT_WEIGHT = {"SO": 4.0, "HUYEN": 1.0, "XA": 0.8}
_HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 4, 8, 10, 10, 10, 9, 6, 7, 9, 9, 8, 7, 6, 6, 5, 4, 3, 2)
_HOUR_CUM = tuple(itertools.accumulate(_HOUR_WEIGHTS))
T = TypeVar("T")


@dataclass
class BadPlant:
    """A record planted as bad input, with its one reason."""

    source: str
    entity: str
    ref: Any
    reason: str


@dataclass
class Builder:
    """Everything the generator builds up before the world is assembled."""

    rng: Random
    scale: int
    now: int = DEFAULT_NOW
    egov: list[ECase] = field(default_factory=list)
    new: list[NCase] = field(default_factory=list)
    officials: list[Official] = field(default_factory=list)
    seq: dict[tuple[str, int], int] = field(default_factory=dict)
    handlers: dict[str, list[str]] = field(default_factory=dict)
    receivers: dict[str, list[str]] = field(default_factory=dict)
    legacy_users: dict[str, list[str]] = field(default_factory=dict)
    applicant_pool: int = 1000
    next_egov_id: int = 1000
    backlog: list[int] = field(default_factory=list)
    orphan_targets: list[int] = field(default_factory=list)
    egov_reserved: set[int] = field(default_factory=set)
    new_reserved: set[int] = field(default_factory=set)
    bad: list[BadPlant] = field(default_factory=list)
    petitions: list[Petition] = field(default_factory=list)
    ratings: list[Rating] = field(default_factory=list)
    procedures: list[dict[str, Any]] = field(default_factory=list)
    units: list[dict[str, Any]] = field(default_factory=list)
    _unit_cache: dict[tuple[str, str | None, bool], tuple[list[str], list[float]]] = field(
        default_factory=dict
    )

    def case_no(self, unit: str, t: int) -> str:
        """The next case number of a unit for the day of `t`: `<unit>-<yyMMdd>-<seq>`."""
        key = (unit, t // DAY)
        n = self.seq.get(key, 0) + 1
        self.seq[key] = n
        return f"{unit}-{yymmdd(t)}-{n:04d}"

    def serial(self, prefix: str, t: int) -> str:
        """The next number of a record kind for the day of `t`: `<prefix>-<yyMMdd>-<seq>`."""
        key = (prefix, t // DAY)
        n = self.seq.get(key, 0) + 1
        self.seq[key] = n
        return f"{prefix}-{yymmdd(t)}-{n:05d}"

    def pick_unit(self, field_code: str, province: str | None, reorganised: bool) -> str:
        """A receiving unit for a procedure field, weighted by level."""
        key = (field_code, province, reorganised)
        if key not in self._unit_cache:
            codes = units_for(field_code, province, reorganised) or ["000.00.31.H19"]
            weights = [_unit_weight(c) for c in codes]
            self._unit_cache[key] = (codes, list(itertools.accumulate(weights)))
        codes, cum = self._unit_cache[key]
        return codes[bisect.bisect(cum, self.rng.random() * cum[-1])]

    def office_time(self, day_start: int) -> int:
        """A time within office hours on a day."""
        r = self.rng.random()
        if r < 0.6:
            return day_start + 7 * HOUR + 30 * MINUTE + int(r / 0.6 * 4 * HOUR)
        return day_start + 13 * HOUR + 30 * MINUTE + int((r - 0.6) / 0.4 * 3.5 * HOUR)

    def online_time(self, day_start: int) -> int:
        """A time of an online submission on a day (any hour, mostly daytime)."""
        hour = bisect.bisect(_HOUR_CUM, self.rng.random() * _HOUR_CUM[-1])
        return day_start + hour * HOUR + self.rng.randrange(HOUR)

    def work_time(self, t: int) -> int:
        """An office-hours time on the first working day at or after the day of `t`."""
        day = t // DAY * DAY
        while weekday(day) >= 5:
            day += DAY
        return self.office_time(day)

    def handler(self, unit: str) -> str:
        """A handling official of a unit (the Department's when the unit has none)."""
        pool = self.handlers.get(unit) or self.handlers["000.00.31.H19"]
        return pool[self.rng.randrange(len(pool))]

    def receiver(self, unit: str) -> str:
        """A one-stop desk official of a unit."""
        pool = self.receivers.get(unit) or self.receivers["000.00.31.H19"]
        return pool[self.rng.randrange(len(pool))]

    def legacy_user(self, unit: str) -> str:
        """A legacy Egov local account of a unit."""
        pool = self.legacy_users.get(unit) or self.legacy_users["000.00.31.H19"]
        return pool[self.rng.randrange(len(pool))]

    def applicant_no(self) -> int:
        """An applicant number; applicants come back now and then."""
        return self.rng.randrange(self.applicant_pool)


def sample(rng: Random, records: list[T], condition: Callable[[T], bool], count: int) -> list[T]:
    """Up to `count` distinct records satisfying `condition`, drawn at random (a scan when the draws miss)."""
    chosen: dict[int, T] = {}
    for _ in range(count * 50):
        if len(chosen) == count or not records:
            return list(chosen.values())
        i = rng.randrange(len(records))
        if i not in chosen and condition(records[i]):
            chosen[i] = records[i]
    rest = (r for i, r in enumerate(records) if i not in chosen and condition(r))
    return [*chosen.values(), *itertools.islice(rest, count - len(chosen))]


def _unit_weight(code: str) -> float:
    """The share of cases a unit receives relative to its peers."""
    unit = UNIT_BY_CODE[code]
    weight = _UNIT_WEIGHT[unit.level]
    if code == "000.00.31.H19":
        weight = 1.0
    return weight * (0.5 if unit.province == "H10" else 1.0)


def procedure_cum() -> list[float]:
    """Cumulative weights of the catalogue procedures, for bulk sampling."""
    return list(itertools.accumulate(p.weight for p in PROCEDURES))


def day_weights(first_day: int, last_day: int, growth: float) -> tuple[list[int], list[float]]:
    """Days in [first_day, last_day) and cumulative weights (weekends quieter, a linear growth)."""
    days = list(range(first_day, last_day))
    span = max(1, last_day - first_day)
    weights = []
    for i, d in enumerate(days):
        wd = (d + 1) % 7
        base = 1.0 if wd < 5 else (0.3 if wd == 5 else 0.12)
        weights.append(base * (1.0 + growth * i / span))
    return days, list(itertools.accumulate(weights))


def lerp(a: float, b: float, f: float) -> float:
    """Linear interpolation between a and b at fraction f."""
    return a + (b - a) * f

