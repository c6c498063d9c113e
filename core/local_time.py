"""The Department's time zone: every period, date and source timestamp is local time in it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

LOCAL_TZ_NAME = "Asia/Ho_Chi_Minh"
LOCAL_ZONE = ZoneInfo(LOCAL_TZ_NAME)


def local_date(moment: datetime) -> date:
    """The calendar date of `moment` in local time."""
    return moment.astimezone(LOCAL_ZONE).date()


def month_of(moment: datetime) -> date:
    """First day of the local calendar month of `moment`."""
    return local_date(moment).replace(day=1)


def last_complete_month(moment: datetime) -> date:
    """First day of the local calendar month before that of `moment`: the last complete month."""
    return (month_of(moment) - timedelta(days=1)).replace(day=1)
