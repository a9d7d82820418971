"""Periodic case supervision: escalate overdue cases and warn of deadlines that are near."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from disputes.actions.cases import DUE_SOON, RED_CARD_AFTER, do_supervise_overdue, do_warn_due_soon
from disputes.kernel import StaleCase
from disputes.models import OPEN_STATUSES, Case, Supervision

# At ~20 ms a case, a run stays well inside the 10-minute beat interval; a backlog is
# worked off over the next runs, most overdue first.
MAX_PER_RUN = 5000


@shared_task
def supervise_overdue_cases() -> dict[str, int]:
    """Idempotent: each case gets each card once; running twice in a row changes nothing."""
    now = timezone.now()
    escalated = warned = 0
    overdue = Case.objects.filter(status__in=OPEN_STATUSES, deadline__lt=now).exclude(
        supervision=Supervision.RED
    ).exclude(supervision=Supervision.YELLOW, deadline__gt=now - RED_CARD_AFTER)
    for pk in list(overdue.order_by("deadline").values_list("pk", flat=True)[:MAX_PER_RUN]):
        try:
            if do_supervise_overdue(case_id=pk, now=now):
                escalated += 1
        except StaleCase:  # changed under us: the next run looks again
            continue
    soon = Case.objects.filter(status__in=OPEN_STATUSES, deadline__gte=now, deadline__lte=now + DUE_SOON)
    for pk in list(soon.order_by("deadline").values_list("pk", flat=True)[:MAX_PER_RUN]):
        if do_warn_due_soon(case_id=pk, now=now):
            warned += 1
    return {"escalated": escalated, "warned": warned}
