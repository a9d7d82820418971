"""Reporting periods, as DHIS2 writes them: month `2026-10`, quarter `2026Q3`, half-year `2026H1`,
year `2026`. Parsed and validated here only; every other module takes a `Period`.

Bounds are Asia/Shanghai calendar bounds (settings.TIME_ZONE), half-open: `start <= t < end`,
`end` being the next period's start at 00:00 local time. A case closed at 23:59:59 on the last
day of October (Shanghai) belongs to October; one at 00:00:01 on 1 November to November, whatever
UTC says (00:00 Shanghai is 16:00 UTC the day before).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


class Kind:
    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"
    ALL = (MONTH, QUARTER, HALF, YEAR)


MONTHS = {Kind.MONTH: 1, Kind.QUARTER: 3, Kind.HALF: 6, Kind.YEAR: 12}
_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{2})$"), Kind.MONTH, 12),
    (re.compile(r"^(\d{4})Q(\d)$"), Kind.QUARTER, 4),
    (re.compile(r"^(\d{4})H(\d)$"), Kind.HALF, 2),
    (re.compile(r"^(\d{4})$"), Kind.YEAR, 1),
)
MIN_YEAR, MAX_YEAR = 2000, 2100


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True, order=True)
class Period:
    year: int
    kind: str
    index: int  # 1-based: month 1–12, quarter 1–4, half 1–2, year 1

    # ---- names
    @property
    def code(self) -> str:
        if self.kind == Kind.MONTH:
            return f"{self.year}-{self.index:02d}"
        if self.kind == Kind.QUARTER:
            return f"{self.year}Q{self.index}"
        if self.kind == Kind.HALF:
            return f"{self.year}H{self.index}"
        return f"{self.year}"

    def __str__(self) -> str:
        return self.code

    @property
    def label(self) -> str:
        if self.kind == Kind.MONTH:
            return _("%(y)s年%(m)s月") % {"y": self.year, "m": self.index}
        if self.kind == Kind.QUARTER:
            # One string per quarter: the Chinese ordinal (第一…第四) is part of the words, not a number.
            quarters = (_("%(y)s年第一季度"), _("%(y)s年第二季度"), _("%(y)s年第三季度"), _("%(y)s年第四季度"))
            return quarters[self.index - 1] % {"y": self.year}
        if self.kind == Kind.HALF:
            return _("%(y)s年上半年") % {"y": self.year} if self.index == 1 else _("%(y)s年下半年") % {"y": self.year}
        return _("%(y)s年") % {"y": self.year}

    # ---- bounds
    @property
    def months(self) -> int:
        return MONTHS[self.kind]

    @property
    def first_month(self) -> int:
        return (self.index - 1) * self.months + 1

    @property
    def first_day(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def next_first_day(self) -> date:
        month = self.first_month + self.months
        return date(self.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)

    @property
    def last_day(self) -> date:
        return date.fromordinal(self.next_first_day.toordinal() - 1)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, datetime.min.time(), tzinfo=local_zone())

    @property
    def end(self) -> datetime:
        """Exclusive: the next period's start."""
        return datetime.combine(self.next_first_day, datetime.min.time(), tzinfo=local_zone())

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    def is_complete(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.end

    # ---- neighbours
    def previous(self) -> Period:
        if self.index > 1:
            return Period(self.year, self.kind, self.index - 1)
        return Period(self.year - 1, self.kind, 12 // self.months)

    def next(self) -> Period:
        if self.index < 12 // self.months:
            return Period(self.year, self.kind, self.index + 1)
        return Period(self.year + 1, self.kind, 1)

    def same_last_year(self) -> Period:
        return Period(self.year - 1, self.kind, self.index)

    def months_in(self) -> list[Period]:
        return [Period(self.year, Kind.MONTH, m) for m in range(self.first_month, self.first_month + self.months)]


def parse(text: str) -> Period:
    """`2026-10`, `2026Q3`, `2026H1` or `2026`; anything else is a ValidationError in Chinese."""
    text = (text or "").strip().upper()
    for pattern, kind, count in _PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        year = int(match.group(1))
        index = int(match.group(2)) if kind != Kind.YEAR else 1
        if not (MIN_YEAR <= year <= MAX_YEAR) or not (1 <= index <= count):
            break
        return Period(year, kind, index)
    raise ValidationError(
        _("报告期“%(p)s”不正确：月如 2026-10，季度如 2026Q3，半年如 2026H1，年如 2026。") % {"p": text[:16]},
        code="period",
    )


def containing(kind: str, moment: datetime) -> Period:
    """The period of `kind` that contains `moment` (local time)."""
    local = moment.astimezone(local_zone())
    months = MONTHS[kind]
    return Period(local.year, kind, (local.month - 1) // months + 1)


def last_complete(kind: str, now: datetime | None = None) -> Period:
    """The latest period of `kind` that has ended: on 1 November, October (month) or Q3 (quarter)."""
    return containing(kind, now or timezone.now()).previous()


def complete_periods(kind: str, since: datetime, now: datetime | None = None, limit: int = 24) -> list[Period]:
    """The complete periods of `kind` from the one containing `since` up to the last complete one,
    newest last, at most `limit` (the newest ones)."""
    last = last_complete(kind, now)
    first = containing(kind, since)
    found: list[Period] = []
    period = last
    while period >= first and len(found) < limit:
        found.append(period)
        period = period.previous()
    return list(reversed(found))
