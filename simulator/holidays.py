"""Working days of the public administration: Monday to Friday, less the public holidays, plus the swapped
Saturdays on which civil servants work to make up a bridging day off.

The table holds the days off that fall on a weekday (a holiday on a weekend is taken on the next working day)
as the yearly notices set them for cán bộ, công chức, viên chức:

- the holidays: Labour Code 10/2012/QH13 Art. 115 (up to 2020: 1/1, Tết 5 days, Hùng Kings 10/3 lunar,
  30/4, 1/5, 2/9) and Labour Code 45/2019/QH14 Art. 112 (from 2021: 2/9 and one day before or after it); a
  holiday on a weekly rest day is taken on the next working day (Decree 145/2020/NĐ-CP Art. 58);
- the days of each year: the notices of the Ministry of Labour, Invalids and Social Affairs (e.g.
  3238/TB-LĐTBXH of 2019 for Hùng Kings and 30/4 - 1/5 of 2019, 6150/TB-LĐTBXH of 2024 for 2025) and, from
  2025, of the Ministry of Home Affairs (9441/TB-BNV of 16/10/2025 for Tết and 2/9 of 2026), and the Prime
  Minister's swaps of a working day with a Saturday (e.g. 8726/VPCP-KGVX of 26/11/2024 for 30/4 - 1/5 of
  2025, 12729/VPCP-KGVX of 25/12/2025 for 1/1 of 2026).

2027 was not announced when the table was written: its days follow the rule above (Tết 5 working days from the
last day of the lunar year, 2/9 with the day after). Years outside the table count the solar-calendar holidays
only (1/1, 30/4, 1/5, 2/9 and 3/9, moved to the next working day from a weekend): Tết and Hùng Kings need the
lunar calendar and the year's notice, to be added here.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from simulator.simtime import BASE_DATE, DAY

DAYS_OFF: dict[int, tuple[tuple[int, int], ...]] = {
    2019: ((1, 1), (2, 4), (2, 5), (2, 6), (2, 7), (2, 8), (4, 15), (4, 29), (4, 30), (5, 1), (9, 2)),
    2020: ((1, 1), (1, 23), (1, 24), (1, 27), (1, 28), (1, 29), (4, 2), (4, 30), (5, 1), (9, 2)),
    2021: ((1, 1), (2, 10), (2, 11), (2, 12), (2, 15), (2, 16), (4, 21), (4, 30), (5, 3), (9, 2), (9, 3)),
    2022: ((1, 3), (1, 31), (2, 1), (2, 2), (2, 3), (2, 4), (4, 11), (5, 2), (5, 3), (9, 1), (9, 2)),
    2023: ((1, 2), (1, 20), (1, 23), (1, 24), (1, 25), (1, 26), (5, 1), (5, 2), (5, 3), (9, 1), (9, 4)),
    2024: ((1, 1), (2, 8), (2, 9), (2, 12), (2, 13), (2, 14), (4, 18), (4, 29), (4, 30), (5, 1), (9, 2),
           (9, 3)),
    2025: ((1, 1), (1, 27), (1, 28), (1, 29), (1, 30), (1, 31), (4, 7), (4, 30), (5, 1), (5, 2), (9, 1),
           (9, 2)),
    2026: ((1, 1), (1, 2), (2, 16), (2, 17), (2, 18), (2, 19), (2, 20), (4, 27), (4, 30), (5, 1), (8, 31),
           (9, 1), (9, 2)),
    2027: ((1, 1), (2, 5), (2, 8), (2, 9), (2, 10), (2, 11), (4, 16), (4, 30), (5, 3), (9, 2), (9, 3)),
}
MAKE_UP_SATURDAYS: dict[int, tuple[tuple[int, int], ...]] = {
    2019: ((1, 5), (5, 4)),
    2024: ((5, 4),),
    2025: ((4, 26),),
    2026: ((1, 10), (8, 22)),
}
SOLAR_HOLIDAYS = ((1, 1), (4, 30), (5, 1), (9, 2), (9, 3))


def day_number(d: date) -> int:
    """The simulated day number of a calendar date (0 is 2019-01-01)."""
    return (d - BASE_DATE).days


def _solar_days_off(year: int) -> set[int]:
    """The weekdays off of a year outside the table: the solar holidays, each moved off the weekend."""
    taken: set[int] = set()
    for month, day in SOLAR_HOLIDAYS:
        d = date(year, month, day)
        while d.weekday() >= 5 or day_number(d) in taken:
            d += timedelta(days=1)
        taken.add(day_number(d))
    return taken


@lru_cache(maxsize=64)
def _year(year: int) -> tuple[frozenset[int], frozenset[int]]:
    """Day numbers of a year's weekdays off and of its make-up Saturdays."""
    if year not in DAYS_OFF:
        return frozenset(_solar_days_off(year)), frozenset()
    off = frozenset(day_number(date(year, m, d)) for m, d in DAYS_OFF[year])
    work = frozenset(day_number(date(year, m, d)) for m, d in MAKE_UP_SATURDAYS.get(year, ()))
    return off, work


def is_working_day(day: int) -> bool:
    """Whether a simulated day number is a working day of the public administration."""
    year = (BASE_DATE + timedelta(days=day)).year
    off, work = _year(year)
    if day in work:
        return True
    return (day + 1) % 7 < 5 and day not in off


def add_working_days(t: int, days: int) -> int:
    """The start of the day `days` working days after the day of `t` (that day itself is not counted)."""
    day = t // DAY
    counted = 0
    while counted < days:
        day += 1
        counted += is_working_day(day)
    return day * DAY
