"""Keeping the case summaries (`CaseMonthSummary`) current, and rebuilding them from the raw rows.

One definition serves both paths: `contributions(cases)` reads the raw rows of some cases in one
query (the case, its dispute, whether its timeline holds an overdue card, its first rating that
counts) and turns each case into the summary rows it contributes to.

- In the transaction of a transition (`disputes.kernel`: every action that can change a counted
  fact takes `counts_of(case)` after locking the case and calls `recount(case, before)` after its
  writes), the difference between the case's contributions after and before is added to the
  summary rows with one `INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n` (PostgreSQL and
  SQLite alike). The increment is done by the database on the row it holds, so two transactions
  touching the same row (two cases of the same grid, month and category) queue on the row lock
  and both increments land — no read-modify-write race. On SQLite every transaction is IMMEDIATE
  already. Transitions that change no counted fact (受理, 派遣, 处置, extensions, escalation,
  comments, supervision: a card only matters once the case closes, and the closure reads it) do
  not touch the summaries.
- `rebuild_month(month)` recomputes one month of filing from the raw rows and replaces its rows in
  one transaction (after bulk loads; `manage.py rebuild_summaries`). On PostgreSQL it first takes
  an EXCLUSIVE lock on the summary table: transitions queue behind it and add their difference on
  top of the rebuilt rows, which is right because the rebuild read the raw rows without them.

Rows left at zero by a difference (a merged duplicate) are kept; a rebuild writes no zero rows.
Handling time is counted in whole working seconds (so sums are exact whichever path made them),
on the working calendar as it stands when the case closes; a rebuild uses the calendar as it stands
then, so a holiday entered after the fact changes the figure only through a rebuild.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from disputes.calendar import all_calendar_exceptions, working_hours_between
from disputes.models import COUNTERS, Case, CaseEvent, CaseMonthSummary, CaseOverdueStock, Outcome, Status

Key = tuple[date, date, str, int, str]  # month, done_month, grid_id, category_id, kind
Counts = dict[Key, Counter]


def month_of(moment: datetime) -> date:
    """The first day of the Asia/Shanghai month holding `moment`."""
    return timezone.localtime(moment).date().replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=1) + timedelta(days=32)).replace(day=1)


def month_start(month: date) -> datetime:
    """Midnight in Asia/Shanghai on the first day of `month`, aware."""
    return timezone.make_aware(datetime(month.year, month.month, 1))


def forget_overdue_stock(since: datetime) -> None:
    """A case dated `since` entered now (补录, filed in a finished month): the overdue stock the report
    cycles kept (CaseOverdueStock) for every month ending after `since` may no longer hold; drop it, the
    next full cycle of each month keeps it anew (one DELETE, only for such late entries)."""
    CaseOverdueStock.objects.filter(month__gte=month_of(since)).delete()


def _annotated(cases: QuerySet) -> Iterable[tuple]:
    late = CaseEvent.objects.filter(case=OuterRef("pk"), action=CaseEvent.Action.ESCALATE, detail__has_key="card")
    first_rating = (
        CaseEvent.objects.filter(case=OuterRef("pk"), action=CaseEvent.Action.RATE)
        .exclude(case__self_handled=True, actor_id=OuterRef("filer_id"))
        .order_by("at").values("at")[:1]
    )
    rows = (
        cases.exclude(status=Status.MERGED).order_by()
        .annotate(late=Exists(late), rated_at=Subquery(first_rating))
        .values_list("created_at", "grid_id", "category_id", "kind", "status", "rework_count", "closed_at",
                     "self_handled", "rating", "late", "rated_at", "dispute__outcome", "dispute__settled_at")
    )
    # Streamed on PostgreSQL (a month of a city); fetched whole on SQLite, where an open statement would
    # hold a shared-cache table lock against the other connections.
    return rows.iterator(chunk_size=5000) if connection.vendor == "postgresql" else list(rows)


def contributions(cases: QuerySet, calendar: tuple[set[date], set[date]] | None = None) -> Counts:
    """{summary key: counters} that `cases` (any queryset of cases) contribute, from their raw rows."""
    out: Counts = defaultdict(Counter)
    for (created, grid, category, kind, status, rework, closed_at, self_handled, rating, late, rated_at,
         outcome, settled_at) in _annotated(cases):
        month = month_of(created)
        filed = out[month, month, grid, category, kind]
        filed["filed"] += 1
        filed["rejected"] += status == Status.REJECTED
        filed["rework"] += rework
        if status == Status.CLOSED and closed_at is not None:
            closed_month = month_of(closed_at)
            closed = out[month, closed_month, grid, category, kind]
            closed["closed"] += 1
            closed["on_time"] += not late
            if not self_handled:
                closed["handled"] += 1
                if calendar is None:  # read once, and only when a handling time is counted
                    calendar = all_calendar_exceptions()
                holidays, workdays = calendar
                closed["handling_seconds"] += round(3600 * working_hours_between(created, closed_at, holidays, workdays))
            if rating is not None and rated_at is not None:
                rated = out[month, max(closed_month, month_of(rated_at)), grid, category, kind]
                rated["rated"] += 1
                rated["rating_sum"] += rating
        if outcome == Outcome.SETTLED and settled_at is not None:
            out[month, month_of(settled_at), grid, category, kind]["settled"] += 1
    return out


def counts_of(case: Case) -> Counts:
    """What one case contributes now (one query; call it under the case's lock, before the writes)."""
    return contributions(Case.objects.filter(pk=case.pk))


def recount(case: Case, before: Counts) -> None:
    """After a transition's writes, in its transaction: add (after − before) to the summary rows."""
    after = counts_of(case)
    diff: Counts = {}
    for key in set(before) | set(after):
        delta = Counter({c: after.get(key, Counter())[c] - before.get(key, Counter())[c] for c in COUNTERS})
        if any(delta.values()):
            diff[key] = delta
    add(diff)


def add(counts: Counts) -> None:
    """Insert-or-increment the summary rows (one statement)."""
    if not counts:
        return
    table = connection.ops.quote_name(CaseMonthSummary._meta.db_table)
    cols = ("month", "done_month", "grid_id", "category_id", "kind", *COUNTERS)
    adapt = connection.ops.adapt_datefield_value
    params: list = []
    for (month, done, grid, category, kind), c in sorted(counts.items()):
        params += [adapt(month), adapt(done), grid, category, kind, *(c[name] for name in COUNTERS)]
    row = "(" + ", ".join(["%s"] * len(cols)) + ")"
    sets = ", ".join(f"{n} = {table}.{n} + excluded.{n}" for n in COUNTERS)
    sql = (f"INSERT INTO {table} ({', '.join(cols)}) VALUES {', '.join([row] * len(counts))} "
           f"ON CONFLICT (month, grid_id, category_id, kind, done_month) DO UPDATE SET {sets}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def rebuild_month(month: date) -> int:
    """Recompute the summary rows of cases filed in `month` from the raw rows; returns how many rows."""
    month = month.replace(day=1)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {connection.ops.quote_name(CaseMonthSummary._meta.db_table)} IN EXCLUSIVE MODE")
        counts = contributions(Case.objects.filter(created_at__gte=month_start(month),
                                                   created_at__lt=month_start(next_month(month))))
        CaseMonthSummary.objects.filter(month=month).delete()
        rows = [
            CaseMonthSummary(month=m, done_month=done, grid_id=grid, category_id=category, kind=kind,
                             **{name: c[name] for name in COUNTERS})
            for (m, done, grid, category, kind), c in counts.items() if any(c.values())
        ]
        CaseMonthSummary.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def months_with_cases() -> list[date]:
    """Every month (Asia/Shanghai) from the first case's to the last's, and those already summarised."""
    first = Case.objects.order_by("created_at").values_list("created_at", flat=True).first()
    last = Case.objects.order_by("-created_at").values_list("created_at", flat=True).first()
    months = set(CaseMonthSummary.objects.values_list("month", flat=True).distinct())
    if first is not None:
        m = month_of(first)
        while m <= month_of(last):
            months.add(m)
            m = next_month(m)
    return sorted(months)
