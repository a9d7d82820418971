"""Working hours between two moments, on the working calendar of `disputes.calendar`
(Monday–Friday 09:00–17:00 local time, holidays and make-up workdays from CalendarDay).

`working_hours_between` lives in `disputes.calendar` (the case summaries below reports count
handling hours when a case closes) and is named here for the reports.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

from disputes.calendar import calendar_exceptions, working_hours_between

__all__ = ["exceptions_between", "working_hours_between"]


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
