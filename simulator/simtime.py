"""Simulated time: integer seconds since 2019-01-01 00:00 local time, and the source text formats."""

from __future__ import annotations

import argparse
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = 86_400
HOUR = 3_600
MINUTE = 60
BASE_DATE = date(2019, 1, 1)
BASE = datetime(2019, 1, 1, tzinfo=LOCAL_TZ)
_TABLE_END = date(2036, 1, 1)
_NEW_RE = re.compile(r"(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})")
_EGOV_RE = re.compile(r"(\d{2})/(\d{2})/(\d{4})(?: (\d{2}):(\d{2}):(\d{2}))?")


def _day_tables() -> tuple[list[str], list[str], list[str]]:
    """Per-day text prefixes: `yyyyMMdd`, `dd/MM/yyyy` and `yyMMdd`, indexed by day number."""
    new, egov, short = [], [], []
    for offset in range((_TABLE_END - BASE_DATE).days):
        d = BASE_DATE + timedelta(days=offset)
        new.append(f"{d.year:04d}{d.month:02d}{d.day:02d}")
        egov.append(f"{d.day:02d}/{d.month:02d}/{d.year:04d}")
        short.append(f"{d.year % 100:02d}{d.month:02d}{d.day:02d}")
    return new, egov, short


_DAY_NEW, _DAY_EGOV, _DAY_SHORT = _day_tables()


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> int:
    """The simulated second of a local calendar time."""
    days = (date(year, month, day) - BASE_DATE).days
    return days * DAY + hour * HOUR + minute * MINUTE + second


CUTOVER = at(2024, 12, 24)
REORGANISED = at(2025, 7, 1)
DEFAULT_NOW = at(2026, 11, 1)
EARLIEST_NOW = at(2026, 1, 1)
LATEST_NOW = at(2035, 1, 1)
EGOV_START = at(2019, 1, 1)
DATE_ONLY_BEFORE = at(2020, 1, 1)


def _clock(t: int) -> str:
    """`HHmmss` digits of the time of day of a simulated second."""
    rest = t % DAY
    return f"{rest // HOUR:02d}{rest % HOUR // MINUTE:02d}{rest % MINUTE:02d}"


def fmt_new(t: int | None) -> str:
    """A simulated second as new-system text `yyyyMMddHHmmss` ('' for None)."""
    if t is None:
        return ""
    return _DAY_NEW[t // DAY] + _clock(t)


def fmt_egov(t: int | None, date_only: bool = False) -> str:
    """A simulated second as Egov text `dd/MM/yyyy HH:mm:ss` or `dd/MM/yyyy` ('' for None)."""
    if t is None:
        return ""
    if date_only:
        return _DAY_EGOV[t // DAY]
    hms = _clock(t)
    return f"{_DAY_EGOV[t // DAY]} {hms[0:2]}:{hms[2:4]}:{hms[4:6]}"


def yymmdd(t: int) -> str:
    """The `yyMMdd` of a simulated second, as printed in case numbers."""
    return _DAY_SHORT[t // DAY]


def weekday(t: int) -> int:
    """Day of the week of a simulated second, Monday 0 .. Sunday 6."""
    return (t // DAY + 1) % 7


def add_workdays(t: int, days: int) -> int:
    """The start of the day `days` working days (Monday to Friday) after the day of `t`."""
    day = t // DAY
    wd = (day + 1) % 7
    if wd >= 5:
        day += 7 - wd
        wd = 0
    weeks, rest = divmod(days, 5)
    day += weeks * 7 + rest + (2 if wd + rest >= 5 else 0)
    return day * DAY


def to_datetime(t: int) -> datetime:
    """A simulated second as an aware local datetime."""
    return BASE + timedelta(seconds=t)


def from_datetime(moment: datetime) -> int:
    """An aware datetime as a simulated second."""
    return int((moment - BASE).total_seconds())


def parse_new_second(text: str) -> int | None:
    """Parse `yyyyMMddHHmmss`; None when it is not a real calendar time."""
    match = _NEW_RE.fullmatch(text)
    return _parts(match.groups()) if match else None


def parse_egov_second(text: str) -> int | None:
    """Parse `dd/MM/yyyy HH:mm:ss` or `dd/MM/yyyy`; None when it is not a real calendar time."""
    match = _EGOV_RE.fullmatch(text)
    if match is None:
        return None
    d, m, y, hh, mm, ss = match.groups()
    return _parts((y, m, d, hh or "0", mm or "0", ss or "0"))


def world_now(moment: datetime | None) -> int:
    """The simulated second a world ends at: `moment` (naive means local time), DEFAULT_NOW when None."""
    if moment is None:
        return DEFAULT_NOW
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_TZ)
    t = from_datetime(moment)
    if not EARLIEST_NOW <= t <= LATEST_NOW:
        raise ValueError(f"the world's now must be within {to_datetime(EARLIEST_NOW).isoformat()} .. "
                         f"{to_datetime(LATEST_NOW).isoformat()}, not {moment.isoformat()}")
    return t


def parse_moment(text: str) -> datetime:
    """An ISO 8601 date or date-time as an aware datetime (local time when it carries no offset)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValueError(f"not an ISO 8601 date or date-time: {text!r}") from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=LOCAL_TZ)


def now_argument(text: str) -> datetime:
    """A command line's `--now`: an ISO 8601 moment the world can end at (argparse's error otherwise)."""
    try:
        moment = parse_moment(text)
        world_now(moment)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    return moment


def wall_clock() -> datetime:
    """The present, local time, to the second."""
    return datetime.now(LOCAL_TZ).replace(microsecond=0)


def _parts(parts: tuple[str, ...]) -> int | None:
    """A simulated second from year..second texts; None when not a real time."""
    try:
        moment = datetime(*(int(p) for p in parts), tzinfo=LOCAL_TZ)
    except ValueError:
        return None
    return from_datetime(moment)
