"""Big case exports, written by a worker, and their retention."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from disputes.actions.exports import do_expire_export, do_write_case_export
from disputes.models import ExportJob


@shared_task
def write_case_export(job_id: int) -> dict[str, int]:
    job = do_write_case_export(job_id=job_id)
    return {"job": job.pk, "rows": job.total or 0}


@shared_task
def purge_expired_exports() -> dict[str, int]:
    """Delete the files of finished exports past their time (settings.CASE_EXPORT_KEEP_HOURS); rows stay."""
    expired = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.DONE, expires_at__lte=timezone.now()).order_by("pk")[:1000]:
        do_expire_export(actor=None, job=job)
        expired += 1
    return {"expired": expired}
