"""The nightly reconcile of the case summaries (disputes.models.CaseMonthSummary).

The case and dispute actions keep the summaries in the transaction of each transition; anything
written behind their back (a bulk load, a raw UPDATE or DELETE, a bug) makes them drift from the raw
rows. Every night `reconcile_summaries` compares the last RECENT_MONTHS months of filing with what
`disputes.summaries.contributions` computes from the raw rows and rebuilds each month that differs.
On PostgreSQL the comparison runs under the same EXCLUSIVE lock that the rebuild takes, so a
transition in flight cannot look like drift (transitions queue behind it for a few seconds a month).
A month that drifted is reported: the task returns it, logs a warning and fails its PeriodicJob run
(SummaryDrift), so the system page shows it in red until a night finds nothing.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date, datetime

from django.db import connection, transaction
from django.utils import timezone

from disputes.models import COUNTERS, Case, CaseMonthSummary
from disputes.summaries import contributions, month_of, month_start, next_month, rebuild_month

RECENT_MONTHS = 13  # this month and the twelve before: the dashboards' trends
log = logging.getLogger(__name__)


class SummaryDrift(Exception):
    """The summaries differed from the raw rows (and have been rebuilt)."""


def _nonzero(counts) -> dict:
    return {key: +Counter(c) for key, c in counts.items() if any(Counter(c).values())}


def _kept(month: date) -> dict:
    out = {}
    for row in CaseMonthSummary.objects.filter(month=month):
        counts = Counter({c: getattr(row, c) for c in COUNTERS})
        if any(counts.values()):
            out[row.month, row.done_month, row.grid_id, row.category_id, row.kind] = +counts
    return out


def recent_months(now: datetime | None = None, count: int = RECENT_MONTHS) -> list[date]:
    month = month_of(now or timezone.now())
    months = [month]
    for _i in range(count - 1):
        month = (month.replace(day=1) - date.resolution).replace(day=1)
        months.append(month)
    return sorted(months)


def reconcile_month(month: date) -> int:
    """Compare one month of filing with the raw rows; rebuild it if it differs. Returns how many
    summary keys differed (0: none)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {connection.ops.quote_name(CaseMonthSummary._meta.db_table)} IN EXCLUSIVE MODE")
        raw = _nonzero(contributions(Case.objects.filter(created_at__gte=month_start(month),
                                                         created_at__lt=month_start(next_month(month)))))
        kept = _kept(month)
        drift = sum(1 for key in set(raw) | set(kept) if raw.get(key) != kept.get(key))
        if drift:
            rebuild_month(month)
    return drift


def reconcile_summaries(now: datetime | None = None, count: int = RECENT_MONTHS) -> dict[str, int]:
    """{month: keys that differed} for the recent months that drifted (rebuilt); {} when all agree."""
    drifted = {}
    for month in recent_months(now, count):
        n = reconcile_month(month)
        if n:
            drifted[f"{month:%Y-%m}"] = n
            log.warning("case summaries of %s differed from the raw rows in %d keys: rebuilt", f"{month:%Y-%m}", n)
    return drifted
