"""Big case exports, written by a worker, and their retention.

An export runs once at a time (the job's lock, governance.locks.run_alone, held by the worker's
connection); a job left RUNNING by a worker that died is written again from the start when its
message comes back (acks late) or, sooner, when a worker starts (`resume_orphaned_exports`)."""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_ready
from django.utils import timezone

from disputes.actions.exports import do_expire_export, do_write_case_export
from disputes.models import ExportJob
from governance.locks import run_alone, send_again_running


@shared_task
def write_case_export(job_id: int) -> dict[str, int]:
    with run_alone(f"disputes.export-job:{job_id}", timeout=6 * 3600) as mine:
        if not mine:
            return {"job": job_id, "running_elsewhere": 1}
        job = do_write_case_export(job_id=job_id)
    return {"job": job.pk, "rows": job.total or 0}


@shared_task
def resume_orphaned_exports() -> int:
    """When a worker starts: send again every export left RUNNING; one whose worker died is written again."""
    return send_again_running(ExportJob.objects.filter(status=ExportJob.Status.RUNNING), write_case_export)


@worker_ready.connect
def _resume_at_start(**_kwargs) -> None:
    resume_orphaned_exports.delay()


@shared_task
def purge_expired_exports() -> dict[str, int]:
    """Delete the files of finished exports past their time (settings.CASE_EXPORT_KEEP_HOURS); rows stay."""
    expired = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.DONE, expires_at__lte=timezone.now()).order_by("pk")[:1000]:
        do_expire_export(actor=None, job=job)
        expired += 1
    return {"expired": expired}
