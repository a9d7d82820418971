"""The reporting cycles on Celery beat (Asia/Shanghai, settings.CELERY_TIMEZONE):

- 每月一梳理一报告: the 1st of every month, 02:00, for the month before;
- 每季一调度一通报: the 1st of January, April, July and October, 02:30, for the quarter before;
- 半年一述职一督查: 1 January and 1 July, 03:00, for the half-year before;
- 每年一总结一考评: 1 January, 03:30, for the year before;
- catch-up: every hour at :45, and once when a worker starts, any complete period of the last
  CATCH_UP_LIMIT[kind] without a finished full run (beat was down) is run, oldest first, at most
  MAX_CATCH_UP a time; never before the platform's first audit row (no periods before it existed).

Beside the cycles, every night: at 01:30 `reconcile_case_summaries` compares the last 13 months of
case summaries with the raw rows and rebuilds any that drifted (reports.reconcile: the run fails,
SummaryDrift, when one did, so the system page shows it); at 01:50 `count_register_tallies`
recounts the registers at a glance for the dashboards (reports.registers), also once when a worker
starts.

The cycle's own lock (reports.actions.do_run_cycle) makes a task that runs twice, or on two
workers at once, write each snapshot once.
"""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_ready
from django.utils import timezone

from governance.models import AuditEvent
from reports.actions import do_run_cycle
from reports.kpis import DEFINITION_VERSION
from reports.models import CycleRun
from reports.periods import Kind, complete_periods, last_complete, parse
from reports.reconcile import SummaryDrift, reconcile_summaries
from reports.registers import count_registers

CATCH_UP_LIMIT = {Kind.MONTH: 12, Kind.QUARTER: 4, Kind.HALF: 2, Kind.YEAR: 1}
MAX_CATCH_UP = 6


def _run(kind: str) -> dict:
    period = last_complete(kind)
    return {"period": period.code, **do_run_cycle(actor=None, period=period)}


@shared_task
def run_monthly_cycle() -> dict:
    return _run(Kind.MONTH)


@shared_task
def run_quarterly_cycle() -> dict:
    return _run(Kind.QUARTER)


@shared_task
def run_half_year_cycle() -> dict:
    return _run(Kind.HALF)


@shared_task
def run_yearly_cycle() -> dict:
    return _run(Kind.YEAR)


@shared_task
def run_cycle(period_code: str, root: str = "") -> dict:
    return do_run_cycle(actor=None, period=parse(period_code), root=root)


def missed_periods(now=None) -> list:
    """Complete periods (oldest first) with no finished full run, within the look-back and not
    before the first audit row."""
    now = now or timezone.now()
    first = AuditEvent.objects.order_by("at").values_list("at", flat=True).first()
    if first is None:
        return []
    done = set(
        CycleRun.objects.filter(root="", definition_version=DEFINITION_VERSION, finished_at__isnull=False)
        .values_list("period", flat=True)
    )
    missed = []
    for kind, limit in CATCH_UP_LIMIT.items():
        missed += [p for p in complete_periods(kind, first, now, limit) if p.code not in done]
    return sorted(missed, key=lambda p: (p.end, p.months))


@shared_task
def catch_up_cycles() -> list[str]:
    ran = []
    for period in missed_periods()[:MAX_CATCH_UP]:
        do_run_cycle(actor=None, period=period)
        ran.append(period.code)
    return ran


@shared_task
def reconcile_case_summaries() -> dict:
    """Nightly: rebuild the recent months whose summaries drifted; fail (SummaryDrift) when any did."""
    drifted = reconcile_summaries()
    if drifted:
        raise SummaryDrift(", ".join(f"{m}: {n}" for m, n in sorted(drifted.items())))
    return drifted


@shared_task
def count_register_tallies() -> dict:
    return count_registers()


@worker_ready.connect
def _catch_up_at_start(**_kwargs) -> None:
    catch_up_cycles.delay()
    count_register_tallies.delay()
