"""The two source timestamp formats, read as local time (`core.local_time`).

Parsed values are cached (a record's timestamps repeat across its fields, lists and the case feed).
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from core.local_time import LOCAL_ZONE

YEARS = range(1900, 2101)
CACHED_TIMESTAMPS = 1 << 14


class BadTimestamp(ValueError):
    """A timestamp string that does not parse to a real calendar time."""


@lru_cache(maxsize=CACHED_TIMESTAMPS)
def parse_newsys(value: str) -> datetime | None:
    """`yyyyMMddHHmmss` local time; `""` is not set."""
    if value == "":
        return None
    if len(value) != 14:
        raise BadTimestamp(value)
    return _local(value, value)


@lru_cache(maxsize=CACHED_TIMESTAMPS)
def parse_egov(value: str) -> datetime | None:
    """`dd/MM/yyyy HH:mm:ss` or a date only `dd/MM/yyyy` (00:00:00), local time; `""` is not set."""
    if value == "":
        return None
    if len(value) == 10:
        value_with_time = value + " 00:00:00"
    elif len(value) == 19:
        value_with_time = value
    else:
        raise BadTimestamp(value)
    layout = (
        value_with_time[2]
        + value_with_time[5]
        + value_with_time[10]
        + value_with_time[13]
        + value_with_time[16]
    )
    if layout != "// ::":
        raise BadTimestamp(value)
    digits = (
        value_with_time[6:10]
        + value_with_time[3:5]
        + value_with_time[0:2]
        + value_with_time[11:13]
        + value_with_time[14:16]
        + value_with_time[17:19]
    )
    return _local(digits, value)


def _local(digits: str, original: str) -> datetime:
    """A local-time datetime from `yyyyMMddHHmmss` digits; not a real calendar time, or a year outside
    YEARS, is bad.

    Years like 0001 or 9999 are rejected: no case of these systems has them, and a far-future update time
    would carry the watermark past every real change. The hour is checked here, so that no version of
    `fromisoformat` reads 24:00:00 as the next midnight.
    """
    if not (digits.isascii() and digits.isdigit()) or digits[8:10] >= "24":
        raise BadTimestamp(original)
    try:
        moment = datetime.fromisoformat(f"{digits[:8]}T{digits[8:]}")
    except ValueError as error:
        raise BadTimestamp(original) from error
    if moment.year not in YEARS:
        raise BadTimestamp(original)
    return moment.replace(tzinfo=LOCAL_ZONE)


def format_newsys(moment: datetime) -> str:
    """An aware datetime as the new system's `yyyyMMddHHmmss` local time."""
    return moment.astimezone(LOCAL_ZONE).strftime("%Y%m%d%H%M%S")


def format_egov(moment: datetime) -> str:
    """An aware datetime as Egov's `dd/MM/yyyy HH:mm:ss` local time."""
    return moment.astimezone(LOCAL_ZONE).strftime("%d/%m/%Y %H:%M:%S")
