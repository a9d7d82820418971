"""The background part: a dry run or an import of one uploaded file (ImportJob), and the
retention rule for uploaded files.

These stand on top of the actions (rosters.actions), like the pages: they run the pipeline
through rosters.actions.run_import and expire files through do_expire_import_file. The actions
that start a job are handed `governance.outbox.later(run_import_job)` by the pages instead of
importing it, so the imports run one way.

A job runs once, and a killed worker's job is finished, not lost or doubled:
- `run_import_job` holds the job's lock (governance.locks.run_alone: on PostgreSQL an advisory lock
  the database drops with a dead worker's connection) for the whole run; a second delivery while it
  runs returns at once ("running elsewhere").
- A job found RUNNING with its lock free lost its worker (SIGKILL, out of memory, a restart): it is
  resumed. A dry run starts again (it writes nothing); an import skips the batches already written
  (rosters.models.WrittenBatch, recorded in each batch's own transaction, so a batch is written
  whole or not at all) with their counts, and writes the rest. Its error file holds every refused
  row of the file once: a skipped batch's as that batch recorded them when it was written.
- Who resumes it: the message itself, given back by Redis (acks late) after the visibility
  timeout, or sooner `resume_orphaned_jobs`, sent when a worker starts.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from governance.locks import run_alone, send_again_running
from rosters.actions import do_expire_import_file, run_import
from rosters.engine import Result, context_for
from rosters.kinds import get_roster
from rosters.models import ImportJob, WrittenBatch
from rosters.readers import FileProblem

log = logging.getLogger(__name__)


def execute_job(job: ImportJob, path: Path, *, dry_run: bool, error_path: Path | None) -> Result | None:
    """Run one phase of a job on `path`, keeping the job row up to date. None if the file was refused.
    An import resumed after its worker died skips the batches it had written (WrittenBatch)."""
    roster = get_roster(job.kind)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, processed=0)

    def progress(done: int, total: int | None, counts: dict) -> None:
        ImportJob.objects.filter(pk=job.pk).update(processed=done, total=total)

    ctx = context_for(job.created_by, dry_run=dry_run, job=job)
    if not dry_run:
        ctx.written = {(first, last): counts for first, last, counts in
                       WrittenBatch.objects.filter(job=job).values_list("first_row", "last_row", "counts")}
        ctx.refused_when_written = partial(refused_when_written, job)
    try:
        result = run_import(roster, path, ctx=ctx, filename=job.original_name, error_path=error_path,
                            progress=progress)
    except FileProblem as problem:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, message=str(problem), finished_at=timezone.now()
        )
        return None
    except Exception:
        log.exception("roster import %s failed", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, finished_at=timezone.now(), message=stopped_message(job),
        )
        raise
    fields = {
        "processed": result.rows_read,
        "total": result.rows_read,
        "bad_rows": result.bad_rows,
        "error_file": _media_name(result.error_file),
    }
    if dry_run:
        fields.update(status=ImportJob.Status.CHECKED, dry_counts=result.counts, changes=result.changes)
    else:
        fields.update(status=ImportJob.Status.DONE, counts=result.counts, finished_at=timezone.now())
    ImportJob.objects.filter(pk=job.pk).update(**fields)
    return result


def refused_when_written(job: ImportJob, first_row: int) -> dict[int, tuple[str, str]] | None:
    """The rows that the job's batch starting at `first_row` refused when it was written, {file row: (error
    code, reason)}; None if it recorded none (written before WrittenBatch kept them)."""
    refused = WrittenBatch.objects.filter(job=job, first_row=first_row).values_list("refused", flat=True).first()
    return None if refused is None else {number: (code, reason) for number, code, reason in refused}


def stopped_message(job: ImportJob) -> str:
    """Where a failed import stopped: which rows are written (whole batches), and that the rest are not."""
    last = WrittenBatch.objects.filter(job=job).order_by("-last_row").values_list("last_row", flat=True).first()
    if last is None:
        return gettext("处理文件时发生系统错误，没有写入任何行。请联系管理员。")
    return gettext("处理文件时发生系统错误：已完整写入 %(batches)s 批（至文件第 %(row)s 行），其余行没有写入。"
                   "请联系管理员；修复后重新导入同一文件，已写入的行不会重复。") % {
        "batches": WrittenBatch.objects.filter(job=job).count(), "row": last}


def _media_name(path: Path | None) -> str:
    if path is None:
        return ""
    try:
        return str(Path(path).resolve().relative_to(Path(settings.MEDIA_ROOT).resolve()))
    except ValueError:
        return ""


def error_path_for(job: ImportJob, phase: str) -> Path:
    day = timezone.localdate()
    return Path(settings.MEDIA_ROOT) / "rosters" / "errors" / f"{day:%Y/%m}" / f"job{job.pk}-{phase}-errors.xlsx"


def job_lock(job_id: int) -> str:
    return f"rosters.import-job:{job_id}"


@shared_task
def run_import_job(job_id: int) -> str:
    with run_alone(job_lock(job_id), timeout=24 * 3600) as mine:
        if not mine:
            return "running elsewhere"
        return _run_job(job_id)


def _run_job(job_id: int) -> str:
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    # RUNNING with its lock free (we hold it now): the worker that ran it died; it is resumed.
    if job is None or job.status not in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING):
        return "skipped"
    if job.status == ImportJob.Status.RUNNING:
        log.warning("roster import job %s was left running by a worker that stopped: resuming it", job.pk)
    if not job.file:  # deleted by the retention rule meanwhile
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, finished_at=timezone.now(),
            message=gettext("上传的源文件已过期删除，请重新上传。"),
        )
        return ImportJob.Status.FAILED.value
    dry_run = job.phase == ImportJob.Phase.CHECK
    execute_job(job, Path(job.file.path), dry_run=dry_run, error_path=error_path_for(job, job.phase))
    return ImportJob.objects.values_list("status", flat=True).get(pk=job_id)


@shared_task
def resume_orphaned_jobs() -> int:
    """When a worker starts: send again every job left RUNNING; one whose worker died is resumed."""
    return send_again_running(ImportJob.objects.filter(status=ImportJob.Status.RUNNING), run_import_job)


@worker_ready.connect
def _resume_at_start(**_kwargs) -> None:
    resume_orphaned_jobs.delay()


def expired_upload_jobs(now: datetime | None = None) -> QuerySet[ImportJob]:
    """Jobs whose uploaded file, bad rows or error file are past ROSTER_UPLOAD_RETENTION_DAYS: counted
    from when the job finished (a dry run never confirmed: from its upload). A command-line import
    has no upload, but its bad rows go too. Queued or running jobs are left alone."""
    days = settings.ROSTER_UPLOAD_RETENTION_DAYS
    if days <= 0:
        return ImportJob.objects.none()
    cutoff = (now or timezone.now()) - timedelta(days=days)
    return (
        ImportJob.objects.filter(file_expired_at__isnull=True)
        .exclude(file="", error_file="", bad_rows=[])
        .exclude(status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING])
        .filter(Q(finished_at__lte=cutoff) | Q(finished_at__isnull=True, created_at__lte=cutoff))
    )


@shared_task
def purge_expired_uploads() -> int:
    """Celery beat, daily: delete the uploaded roster files, bad rows and error files past their retention period."""
    expired = 0
    for job in list(expired_upload_jobs().order_by("pk")):
        do_expire_import_file(actor=None, job=job)
        expired += 1
    return expired
