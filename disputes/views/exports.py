"""The case list's export (/cases/export.xlsx, ?format=csv), and the page of a big export's job."""

from __future__ import annotations

import tempfile

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from disputes.actions.exports import do_download_export, do_export_cases, do_request_case_export, export_filters
from disputes.exports import CONTENT_TYPES, case_rows, csv_lines, file_name, write_xlsx
from disputes.models import ExportJob
from disputes.selectors.cases import case_list
from disputes.tasks.exports import write_case_export
from governance.actions import validation_message
from governance.outbox import later


def _bad(message: str) -> HttpResponse:
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


@login_required
@require_GET
def case_export(request: HttpRequest) -> HttpResponse:
    """What the list shows (same scope, same filters), without involved residents (personal data).
    Up to CASE_EXPORT_INLINE_ROWS rows it downloads at once; a bigger one goes to a worker and the
    user lands on its page."""
    file_format = request.GET.get("format", "xlsx")
    if file_format not in ExportJob.Format.values:
        return _bad(_("导出格式只能是 xlsx 或 csv。"))
    qs, _cleaned, errors = case_list(request.user, request.GET)
    if errors:
        return _bad("；".join(errors))
    filters = export_filters(request.GET)
    limit = settings.CASE_EXPORT_INLINE_ROWS
    try:
        if qs[: limit + 1].count() > limit:
            job = do_request_case_export(actor=request.user, filters=filters, file_format=file_format,
                                         enqueue=later(write_case_export))
            return redirect("cases:export-job", pk=job.pk)
        _count, qs = do_export_cases(actor=request.user, filters=filters, file_format=file_format)
    except ValidationError as e:
        return _bad(validation_message(e))
    name = file_name(file_format)
    if file_format == "csv":
        response = StreamingHttpResponse(csv_lines(case_rows(qs)), content_type=CONTENT_TYPES["csv"])
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    tmp = tempfile.TemporaryFile()
    write_xlsx(case_rows(qs), tmp)
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, filename=name, content_type=CONTENT_TYPES["xlsx"])


def _own_job(request: HttpRequest, pk: int) -> ExportJob:
    # An export belongs to the one who asked for it: anyone else gets a 404, not a 403.
    job = ExportJob.objects.filter(pk=pk, created_by=request.user).first()
    if job is None:
        raise Http404(_("不存在或不是您的导出。"))
    return job


@login_required
@require_GET
def export_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    recent = list(ExportJob.objects.filter(created_by=request.user).exclude(pk=job.pk)[:10])
    return render(request, "disputes/export_job.html", {"job": job, "recent": recent,
                                                        "keep_hours": settings.CASE_EXPORT_KEEP_HOURS})


@login_required
@require_GET
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    try:
        handle = do_download_export(actor=request.user, job=job)
    except PermissionDenied:
        raise Http404(_("不存在或不是您的导出。")) from None
    except (ValidationError, OSError):
        return render(request, "disputes/export_job.html", {"job": job, "recent": [], "gone": True,
                                                            "keep_hours": settings.CASE_EXPORT_KEEP_HOURS}, status=410)
    return FileResponse(handle, as_attachment=True, filename=file_name(job.file_format),
                        content_type=CONTENT_TYPES[job.file_format])
