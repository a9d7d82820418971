"""Periodic dispute work: remind owners of follow-up visits (回访) that are due."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from disputes.actions.mediation import do_remind_follow_up
from disputes.models import FollowUp


@shared_task
def remind_follow_ups() -> dict[str, int]:
    """Idempotent: each due follow-up is reminded once (reminded_at)."""
    now = timezone.now()
    due = FollowUp.objects.filter(
        done_at__isnull=True, cancelled=False, reminded_at__isnull=True, due__lte=timezone.localdate(now)
    )
    reminded = 0
    for pk in due.values_list("pk", flat=True).iterator():
        if do_remind_follow_up(follow_up_id=pk, now=now):
            reminded += 1
    return {"reminded": reminded}
