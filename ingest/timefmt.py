"""The two source timestamp formats, read as local time in Asia/Ho_Chi_Minh."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


class BadTimestamp(ValueError):
    """A timestamp string that does not parse to a real calendar time."""


def parse_newsys(value: str) -> datetime | None:
    """`yyyyMMddHHmmss` local time; `""` is not set."""
    if value == "":
        return None
    if len(value) != 14 or not value.isascii() or not value.isdigit():
        raise BadTimestamp(value)
    try:
        return datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=LOCAL_ZONE)
    except ValueError as error:
        raise BadTimestamp(value) from error


def parse_egov(value: str) -> datetime | None:
    """`dd/MM/yyyy HH:mm:ss` or a date only `dd/MM/yyyy` (00:00:00), local time; `""` is not set."""
    if value == "":
        return None
    fmt = "%d/%m/%Y" if len(value) == 10 else "%d/%m/%Y %H:%M:%S"
    if len(value) not in (10, 19) or not value.isascii():
        raise BadTimestamp(value)
    try:
        return datetime.strptime(value, fmt).replace(tzinfo=LOCAL_ZONE)
    except ValueError as error:
        raise BadTimestamp(value) from error


def format_newsys(moment: datetime) -> str:
    """An aware datetime as the new system's `yyyyMMddHHmmss` local time."""
    return moment.astimezone(LOCAL_ZONE).strftime("%Y%m%d%H%M%S")


def format_egov(moment: datetime) -> str:
    """An aware datetime as Egov's `dd/MM/yyyy HH:mm:ss` local time."""
    return moment.astimezone(LOCAL_ZONE).strftime("%d/%m/%Y %H:%M:%S")
