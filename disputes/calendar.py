"""Working calendar and deadlines.

`add_working_time` is a pure function: given a start, an amount in working
hours or working days, and the calendar's exceptions (holidays on weekdays,
make-up workdays 调休 on weekends), it returns the deadline.

Conventions (documented for users on the category page):
- a working day is Monday–Friday unless it is a holiday, or any day listed as a make-up workday;
- working hours are 09:00–17:00 local time (8 hours a day);
- N working hours: counted only inside working hours, starting at the start time
  (or at the next opening if the start is outside working hours);
- N working days: the deadline is 17:00 on the Nth working day after the start's day
  (the day of filing does not count).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from disputes.models import CalendarDay

DAY_START = time(9, 0)
DAY_END = time(17, 0)
HOURS_PER_DAY = 8


def is_workday(day: date, holidays: Collection[date] = (), workdays: Collection[date] = ()) -> bool:
    if day in workdays:
        return True
    if day in holidays:
        return False
    return day.weekday() < 5


def _next_workday(day: date, holidays, workdays) -> date:
    day += timedelta(days=1)
    while not is_workday(day, holidays, workdays):
        day += timedelta(days=1)
    return day


def add_working_time(
    start: datetime,
    amount: int,
    unit: str,
    holidays: Collection[date] = (),
    workdays: Collection[date] = (),
) -> datetime:
    """The deadline `amount` working hours/days after `start` (aware). Returned in the same timezone."""
    if amount < 0:
        raise ValueError("amount must be >= 0")
    tz = start.tzinfo
    if unit == "days":
        day = start.date()
        for _ in range(amount):
            day = _next_workday(day, holidays, workdays)
        if amount == 0 and not is_workday(day, holidays, workdays):
            day = _next_workday(day, holidays, workdays)
        return datetime.combine(day, DAY_END, tzinfo=tz)
    if unit != "hours":
        raise ValueError(f"unknown unit {unit!r}")
    remaining = timedelta(hours=amount)
    day = start.date()
    cursor = start
    # Move to the next moment inside working hours.
    if not is_workday(day, holidays, workdays) or start.time() >= DAY_END:
        day = _next_workday(day, holidays, workdays)
        cursor = datetime.combine(day, DAY_START, tzinfo=tz)
    elif start.time() < DAY_START:
        cursor = datetime.combine(day, DAY_START, tzinfo=tz)
    while True:
        end_of_day = datetime.combine(day, DAY_END, tzinfo=tz)
        available = end_of_day - cursor
        if remaining <= available:
            return cursor + remaining
        remaining -= available
        day = _next_workday(day, holidays, workdays)
        cursor = datetime.combine(day, DAY_START, tzinfo=tz)


def working_hours_between(
    start: datetime, end: datetime, holidays: Collection[date] = (), workdays: Collection[date] = ()
) -> float:
    """Working hours from `start` to `end` (aware datetimes, read in local time); 0 if end <= start.
    The inverse of `add_working_time`: `working_hours_between(start, add_working_time(start, h, "hours")) == h`."""
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


def all_calendar_exceptions() -> tuple[set[date], set[date]]:
    """Every holiday and make-up workday in the CalendarDay table (a few hundred rows: one query)."""
    rows = CalendarDay.objects.values_list("date", "kind")
    return ({d for d, k in rows if k == CalendarDay.Kind.HOLIDAY}, {d for d, k in rows if k == CalendarDay.Kind.WORKDAY})


def calendar_exceptions(around: date | None = None) -> tuple[set[date], set[date]]:
    """Holidays and make-up workdays from the CalendarDay table, for a window around `around`."""
    around = around or timezone.localdate()
    rows = CalendarDay.objects.filter(
        date__gte=around - timedelta(days=31), date__lte=around + timedelta(days=400)
    ).values_list("date", "kind")
    holidays = {d for d, k in rows if k == CalendarDay.Kind.HOLIDAY}
    workdays = {d for d, k in rows if k == CalendarDay.Kind.WORKDAY}
    return holidays, workdays


def deadline_from(start: datetime, amount: int, unit: str) -> datetime:
    """Deadline on the configured calendar, computed in local (Asia/Shanghai) time."""
    local = timezone.localtime(start)
    holidays, workdays = calendar_exceptions(local.date())
    return add_working_time(local, amount, unit, holidays, workdays)
