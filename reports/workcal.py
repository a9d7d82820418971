"""Working hours between two moments, on the working calendar of `disputes.calendar`
(Monday–Friday 09:00–17:00 local time, holidays and make-up workdays from CalendarDay).

The inverse of `disputes.calendar.add_working_time`: for any start and amount,
`working_hours_between(start, add_working_time(start, h, "hours")) == h`.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta

from django.utils import timezone

from disputes.calendar import DAY_END, DAY_START, calendar_exceptions, is_workday


def working_hours_between(
    start: datetime, end: datetime, holidays: Collection[date] = (), workdays: Collection[date] = ()
) -> float:
    """Working hours from `start` to `end` (aware datetimes, read in local time); 0 if end <= start."""
    if end <= start:
        return 0.0
    start, end = timezone.localtime(start), timezone.localtime(end)
    tz = start.tzinfo
    total = timedelta()
    day = start.date()
    while day <= end.date():
        if is_workday(day, holidays, workdays):
            opens = datetime.combine(day, DAY_START, tzinfo=tz)
            closes = datetime.combine(day, DAY_END, tzinfo=tz)
            lo, hi = max(opens, start), min(closes, end)
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return total.total_seconds() / 3600


def exceptions_between(start: datetime, end: datetime) -> tuple[set[date], set[date]]:
    """The calendar's holidays and make-up workdays covering [start, end] (one query per year touched)."""
    holidays: set[date] = set()
    workdays: set[date] = set()
    day = timezone.localtime(start).date()
    last = timezone.localtime(end).date()
    while day <= last + timedelta(days=31):
        h, w = calendar_exceptions(day + timedelta(days=31))
        holidays |= h
        workdays |= w
        day += timedelta(days=400)
    return holidays, workdays
