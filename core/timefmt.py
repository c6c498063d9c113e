"""The two source timestamp formats, read as local time (`core.local_time`)."""

from __future__ import annotations

from datetime import datetime

from core.local_time import LOCAL_ZONE

YEARS = range(1900, 2101)


class BadTimestamp(ValueError):
    """A timestamp string that does not parse to a real calendar time."""


def parse_newsys(value: str) -> datetime | None:
    """`yyyyMMddHHmmss` local time; `""` is not set."""
    if value == "":
        return None
    if len(value) != 14 or not value.isascii() or not value.isdigit():
        raise BadTimestamp(value)
    return _local(value[0:4], value[4:6], value[6:8], value[8:10], value[10:12], value[12:14], value)


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
    day, month, year, hour, minute, second = (
        value_with_time[0:2],
        value_with_time[3:5],
        value_with_time[6:10],
        value_with_time[11:13],
        value_with_time[14:16],
        value_with_time[17:19],
    )
    layout = (
        value_with_time[2]
        + value_with_time[5]
        + value_with_time[10]
        + value_with_time[13]
        + value_with_time[16]
    )
    if layout != "// ::":
        raise BadTimestamp(value)
    return _local(year, month, day, hour, minute, second, value)


def _local(year: str, month: str, day: str, hour: str, minute: str, second: str, original: str) -> datetime:
    """A local-time datetime from digit fields; not a real calendar time, or a year outside YEARS, is bad.

    Years like 0001 or 9999 are rejected: no case of these systems has them, and a far-future update time
    would carry the watermark past every real change.
    """
    fields = (year, month, day, hour, minute, second)
    if not all(part.isascii() and part.isdigit() for part in fields) or int(year) not in YEARS:
        raise BadTimestamp(original)
    try:
        return datetime(*(int(part) for part in fields), tzinfo=LOCAL_ZONE)
    except ValueError as error:
        raise BadTimestamp(original) from error


def format_newsys(moment: datetime) -> str:
    """An aware datetime as the new system's `yyyyMMddHHmmss` local time."""
    return moment.astimezone(LOCAL_ZONE).strftime("%Y%m%d%H%M%S")


def format_egov(moment: datetime) -> str:
    """An aware datetime as Egov's `dd/MM/yyyy HH:mm:ss` local time."""
    return moment.astimezone(LOCAL_ZONE).strftime("%d/%m/%Y %H:%M:%S")
