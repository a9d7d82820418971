"""Periodic case supervision: escalate overdue cases and warn of deadlines that are near."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from disputes.actions import DUE_SOON, RED_CARD_AFTER, do_supervise_overdue, do_warn_due_soon
from disputes.models import OPEN_STATUSES, Case, Supervision
from disputes.actions import StaleCase


@shared_task
def supervise_overdue_cases() -> dict[str, int]:
    """Idempotent: each case gets each card once; running twice in a row changes nothing."""
    now = timezone.now()
    escalated = warned = 0
    overdue = Case.objects.filter(status__in=OPEN_STATUSES, deadline__lt=now).exclude(
        supervision=Supervision.RED
    ).exclude(supervision=Supervision.YELLOW, deadline__gt=now - RED_CARD_AFTER)
    for pk in overdue.values_list("pk", flat=True).iterator():
        try:
            if do_supervise_overdue(case_id=pk, now=now):
                escalated += 1
        except StaleCase:  # changed under us: the next run looks again
            continue
    soon = Case.objects.filter(status__in=OPEN_STATUSES, deadline__gte=now, deadline__lte=now + DUE_SOON)
    for pk in soon.values_list("pk", flat=True).iterator():
        if do_warn_due_soon(case_id=pk, now=now):
            warned += 1
    return {"escalated": escalated, "warned": warned}

# Dispute tasks live in their own module; import them so the worker registers them.
from disputes.mediation_tasks import remind_follow_ups  # noqa: E402,F401
