"""Case exports: each one audited with its region (the common node of the exporter's scope), its
filters and its row count, counted before the first row leaves (as the roster exports do).

- `do_export_cases`: a small export, written by the request itself;
- `do_request_case_export`: a big one, queued as an `ExportJob` for a worker;
- `do_write_case_export`: the worker writes the job's file (the rows the requester may see now);
- `do_download_export`: the requester takes the file (audited too: the data leaves here);
- `do_expire_export`: the retention rule deletes the file.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _

from disputes.exports import case_rows, file_name, write_csv, write_xlsx
from disputes.models import ExportJob
from disputes.selectors.cases import case_list
from governance.actions import record_audit
from governance.models import User
from governance.roles import Cap
from governance.scope import region_codes

FILTER_KEYS = ("status", "category", "grid", "overdue", "supervision", "from", "to", "q", "closed_before", "kind", "merged",
               "self_handled", "rework", "rated", "rated_before", "on_time", "outcome", "settled_before")


def export_filters(params) -> dict[str, str]:
    """The list filters of a request, as plain strings (kept on the job, replayed by the worker)."""
    return {k: str(params.get(k))[:100] for k in FILTER_KEYS if params.get(k)}


def export_region(actor: User) -> str:
    """The common node of the exporter's scope ("" for a superuser or a scope over several cities)."""
    if actor.is_superuser:
        return ""
    codes = sorted(region_codes(actor, Cap.VIEW_CASES))
    if not codes:
        return ""
    first, last = codes[0], codes[-1]
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]


def _check_format(file_format: str) -> None:
    if file_format not in ExportJob.Format.values:
        raise ValidationError(_("导出格式只能是 xlsx 或 csv。"))


def _scoped_cases(actor: User, filters: dict):
    qs, cleaned, errors = case_list(actor, filters)
    if errors:
        raise ValidationError(errors)
    return qs, cleaned


@transaction.atomic
def do_export_cases(*, actor: User, filters: dict, file_format: str) -> tuple[int, object]:
    """A small export: (rows counted, the case queryset to write). Audited before any row leaves."""
    _check_format(file_format)
    qs, _cleaned = _scoped_cases(actor, filters)
    count = qs.count()
    record_audit(actor=actor, action="case.export", target=actor, region_code=export_region(actor),
                 detail={"format": file_format, "rows": count, "filters": filters, "background": False})
    return count, qs


@transaction.atomic
def do_request_case_export(
    *, actor: User, filters: dict, file_format: str, enqueue: Callable[[int], object]
) -> ExportJob:
    """Queue a big export for a worker: `enqueue(job id)`, in this transaction (the view hands it
    governance.outbox.later(write_case_export), which sends it once committed, as rosters' jobs)."""
    _check_format(file_format)
    _scoped_cases(actor, filters)  # bad filters are refused now, not in the worker
    job = ExportJob.objects.create(created_by=actor, file_format=file_format, filters=filters,
                                   region_code=export_region(actor))
    record_audit(actor=actor, action="case.export.request", target=job, region_code=job.region_code,
                 detail={"format": file_format, "filters": filters})
    enqueue(job.pk)
    return job


def do_write_case_export(*, job_id: int) -> ExportJob:
    """The worker's part: count, audit, then write the rows the requester may see now into the job's
    file, with progress. Not one transaction (a city's export takes minutes): the audit row is
    committed before the first row is read; a failure marks the job failed, with no file."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().get(pk=job_id)
        # RUNNING: its worker died mid-file (the task holds the job's lock, so no live worker runs it);
        # the file is written again from the start (nothing of it was kept: it is saved only at the end).
        if job.status not in (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING):
            return job  # done already
        job.status = ExportJob.Status.RUNNING
        job.save(update_fields=["status"])
    try:
        qs, _cleaned = _scoped_cases(job.created_by, job.filters)
        with transaction.atomic():
            job.total = qs.count()
            ExportJob.objects.filter(pk=job.pk).update(total=job.total)
            record_audit(actor=job.created_by, action="case.export", target=job, region_code=job.region_code,
                         detail={"format": job.file_format, "rows": job.total, "filters": job.filters, "background": True})
        def progress(n: int) -> None:
            ExportJob.objects.filter(pk=job.pk).update(processed=n)

        with tempfile.TemporaryFile() as tmp:
            (write_xlsx if job.file_format == "xlsx" else write_csv)(case_rows(qs), tmp, progress)
            tmp.seek(0)
            job.file.save(file_name(job.file_format), File(tmp), save=False)
    except Exception as exc:
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED, finished_at=timezone.now(),
                                                   message=str(exc)[:500])
        raise
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE, file=job.file.name, finished_at=now,
        expires_at=now + timedelta(hours=settings.CASE_EXPORT_KEEP_HOURS),
    )
    job.refresh_from_db()
    return job


@transaction.atomic
def do_download_export(*, actor: User, job: ExportJob) -> FieldFile:
    """Open a finished export for its requester. Raises OSError, auditing nothing, when the file is gone."""
    if job.created_by_id != actor.pk:
        raise PermissionDenied(_("只有导出人本人可以下载该文件。"))
    if job.status != ExportJob.Status.DONE or not job.file:
        raise ValidationError(_("该导出文件尚未生成或已过期删除。"))
    handle = job.file.open("rb")
    record_audit(actor=actor, action="case.export.download", target=job, region_code=job.region_code,
                 detail={"format": job.file_format, "rows": job.total})
    return handle


@transaction.atomic
def do_expire_export(*, actor: User | None, job: ExportJob) -> ExportJob:
    """The retention rule: delete the file (after the commit), keep the row."""
    job = ExportJob.objects.select_for_update().get(pk=job.pk)
    name, storage = job.file.name, job.file.storage
    job.file = ""
    job.status = ExportJob.Status.EXPIRED
    job.save(update_fields=["file", "status"])
    record_audit(actor=actor, action="case.export.expire", target=job, region_code=job.region_code,
                 detail={"rows": job.total})
    if name:
        transaction.on_commit(lambda: storage.delete(name))
    return job

