"""The rosters pages. Every write and every audited read goes through rosters.actions; the pages
hand the actions that start a job the Celery task that runs it (see rosters.actions)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from urllib.parse import quote

import openpyxl
import tablib
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance.http import forbidden
from governance.outbox import later
from governance.pagination import CappedPaginator
from governance.roles import Cap
from governance.scope import can, get_in_scope_or_404
from rosters.actions import (
    IssuedPassword,
    do_confirm_import_job,
    do_create_import_job,
    do_download_error_file,
    do_export_roster,
    do_issue_initial_passwords,
)
from rosters.badrows import masked_bad_rows
from rosters.help import notes_for
from rosters.kinds import ROSTERS
from rosters.models import ImportJob
from rosters.passwords import ISSUE_LIMIT, passwords_workbook
from rosters.selectors import (
    WITHOUT_PASSWORD,
    import_jobs_for,
    import_region_code,
    may_import,
    password_overview,
    password_worker_page_rows,
    password_workers_for,
)
from rosters.sheets import csv_row, xlsx_cells
from rosters.tasks import run_import_job

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
ALLOWED_SUFFIXES = (".xlsx", ".xls", ".ods", ".csv")


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "403.html", status=403)


def _get_job_for_user(request: HttpRequest, pk: int) -> ImportJob:
    return get_in_scope_or_404(ImportJob.objects.select_related("created_by", "region"), request.user,
                               Cap.IMPORT_ROSTER, pk=pk)


def _kinds() -> list[tuple[str, str]]:
    return [(kind, roster.label) for kind, roster in ROSTERS.items()]


def _kind_notes() -> list[tuple[str, tuple]]:
    return [(roster.label, notes_for(kind)) for kind, roster in ROSTERS.items() if notes_for(kind)]


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Upload a roster (dry run first), templates and exports of each kind, the latest imports."""
    if not may_import(request.user):
        return _forbidden(request)
    error = ""
    status = 200
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        upload = request.FILES.get("file")
        region_code = import_region_code(request.user)
        if kind not in ROSTERS:
            error = _("请选择名册类型。")
        elif upload is None:
            error = _("请选择要上传的文件。")
        elif not upload.name.lower().endswith(ALLOWED_SUFFIXES):
            error = _("只支持 .xlsx、.xls、.ods 和 .csv 文件。")
        elif upload.size == 0:
            error = _("文件是空的。")
        elif upload.size > MAX_UPLOAD_BYTES:
            error = _("文件超过 200 MB，请拆分后上传，或使用命令行导入。")
        elif region_code is None:
            error = _("请先导入区划。")
        if error:
            status = 400
        else:
            job = do_create_import_job(actor=request.user, kind=kind, upload=upload, region_code=region_code,
                                       enqueue=later(run_import_job))
            return redirect("rosters:job", pk=job.pk)
    jobs = _mark_error_downloads(request.user, list(import_jobs_for(request.user)[:10]))
    return render(
        request, "rosters/index.html",
        {"kinds": _kinds(), "notes": _kind_notes(), "jobs": jobs, "error": error,
         "selected": request.POST.get("kind", "")},
        status=status,
    )


@login_required
def history(request: HttpRequest) -> HttpResponse:
    if not may_import(request.user):
        return _forbidden(request)
    page = CappedPaginator(import_jobs_for(request.user), 50).get_page(request.GET.get("page"))
    _mark_error_downloads(request.user, page.object_list)
    return render(request, "rosters/history.html", {"page": page})


def _may_reveal(user, job: ImportJob) -> bool:
    """Whether `user` may see the job's bad rows as typed (full ID numbers and phones) and download its
    error file: revealing personal data in the job's region."""
    return can(user, Cap.REVEAL_PII, job.region_id or "")


def _mark_error_downloads(user, jobs: list[ImportJob]) -> list[ImportJob]:
    for job in jobs:
        job.may_download_errors = bool(job.error_file) and _may_reveal(user, job)
    return jobs


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _get_job_for_user(request, pk)
    reveal = _may_reveal(request.user, job)
    shown = masked_bad_rows(job.bad_rows, reveal=reveal)
    bad_total = (job.counts or job.dry_counts or {}).get("bad", 0)
    counts = job.counts if job.phase == ImportJob.Phase.WRITE and job.counts else job.dry_counts
    return render(
        request, "rosters/job.html",
        {"job": job, "counts": counts, "bad_rows": shown, "bad_more": max(bad_total - len(shown), 0),
         "changes": job.changes if job.phase != ImportJob.Phase.WRITE else [],
         "changes_more": max((counts or {}).get("updated", 0) - len(job.changes or []), 0),
         "reveal": reveal, "writable": bool(counts) and (counts.get("new", 0) + counts.get("updated", 0)) > 0},
    )


@login_required
def job_progress(request: HttpRequest, pk: int) -> JsonResponse:
    job = _get_job_for_user(request, pk)
    return JsonResponse({
        "status": job.status, "status_label": job.get_status_display(), "phase": job.phase,
        "processed": job.processed, "total": job.total, "percent": job.percent, "active": job.is_active,
        "counts": job.counts if job.phase == ImportJob.Phase.WRITE else job.dry_counts,
    })


@login_required
@require_POST
def job_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    job = _get_job_for_user(request, pk)
    if job.file_expired_at:
        return render(request, "400.html", {"message": _("上传的源文件已过期删除，不能再确认导入，请重新上传。")},
                      status=409)
    if job.status != ImportJob.Status.CHECKED or job.source != "web":
        return render(request, "400.html", {"message": _("该文件不在待确认状态。")}, status=409)
    do_confirm_import_job(actor=request.user, job=job, enqueue=later(run_import_job))
    return redirect("rosters:job", pk=job.pk)


@login_required
def job_errors(request: HttpRequest, pk: int) -> HttpResponse:
    job = _get_job_for_user(request, pk)
    if not job.error_file:
        return render(request, "404.html", status=404)
    name = _("%(name)s-错误行.xlsx") % {"name": job.original_name.rsplit(".", 1)[0]}
    try:
        handle = do_download_error_file(actor=request.user, job=job)
    except OSError:  # removed from storage since
        return render(request, "404.html", status=404)
    except PermissionDenied as refusal:  # it holds full ID numbers and phones: revealing them is needed
        return forbidden(request, str(refusal))
    return FileResponse(handle, as_attachment=True, filename=name)


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def template(request: HttpRequest, kind: str) -> HttpResponse:
    """A blank template (header row and one example row), via django-import-export's tablib formats."""
    roster = ROSTERS.get(kind)
    if roster is None:
        return render(request, "404.html", status=404)
    data = tablib.Dataset(headers=[c.header for c in roster.columns], title=roster.sheet_title)
    if roster.example:
        data.append(roster.example)
    if request.GET.get("format") == "csv":
        body = "\ufeff" + data.export("csv")
        return _attachment(HttpResponse(body.encode("utf-8"), content_type="text/csv; charset=utf-8"),
                           _("%(kind)s导入模板.csv") % {"kind": roster.label})
    notes = notes_for(kind)
    if notes:  # a second sheet; the importer reads only the first
        help_sheet = tablib.Dataset(headers=[_("填写说明")], title=_("填写说明"))
        for note in notes:
            help_sheet.append([str(note)])
        body = tablib.Databook([data, help_sheet]).export("xlsx")
    else:
        body = data.export("xlsx")
    return _attachment(
        HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        _("%(kind)s导入模板.xlsx") % {"kind": roster.label},
    )


class _Echo:
    """A file for csv.writer that hands each line back instead of storing it (the export streams)."""

    def write(self, value: str) -> str:
        return value


@login_required
def export(request: HttpRequest, kind: str) -> HttpResponse:
    """Everything of one kind in the user's scope, in the import layout (re-importable)."""
    roster = ROSTERS.get(kind)
    if roster is None:
        return render(request, "404.html", status=404)
    if not may_import(request.user):
        return _forbidden(request)
    header = [c.header for c in roster.columns]
    rows = do_export_roster(actor=request.user, kind=kind, region_code=import_region_code(request.user) or "",
                            file_format=request.GET.get("format", "xlsx"))
    stamp = timezone.localtime().strftime("%Y%m%d")
    # User text that a spreadsheet would evaluate (a name =HYPERLINK(…)) is written as text (rosters.sheets).
    if request.GET.get("format") == "csv":
        writer = csv.writer(_Echo())

        def stream() -> Iterator[str]:
            yield "\ufeff" + writer.writerow(header)
            for row in rows:
                yield writer.writerow(csv_row(row))

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
        return _attachment(response, f"{roster.label}-{stamp}.csv")
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet(roster.sheet_title)
    ws.append(header)
    for row in rows:
        ws.append(xlsx_cells(ws, row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return _attachment(
        HttpResponse(buffer.getvalue(),
                     content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        f"{roster.label}-{stamp}.xlsx",
    )


PASSWORD_STATES = {"missing": WITHOUT_PASSWORD, "must_change": Q(must_change_password=True) & ~WITHOUT_PASSWORD}


@login_required
def passwords(request: HttpRequest) -> HttpResponse:
    """Initial passwords for grid workers in the admin's scope: issue to everyone still without a
    usable password, or reset chosen ones. The passwords come back once, as an .xlsx; only their
    hashes are stored, and the workers must change them at first login."""
    if not may_import(request.user):
        return _forbidden(request)
    workers = password_workers_for(request.user)
    error = ""
    status = 200
    if request.method == "POST":
        mode = request.POST.get("action", "")
        ids: list[int] = []
        if mode == "missing":
            ids = list(workers.filter(WITHOUT_PASSWORD).order_by("pk").values_list("pk", flat=True)[:ISSUE_LIMIT])
            if not ids:
                error = _("没有尚未设置密码的网格员。")
        elif mode == "reset":
            try:
                ids = sorted({int(v) for v in request.POST.getlist("user")})
            except ValueError:
                ids, error = [], _("所选人员有误，请重新勾选。")
            if not error and not ids:
                error = _("请勾选要重置密码的网格员。")
            elif len(ids) > ISSUE_LIMIT:
                error = _("一次最多重置 %(limit)s 人。") % {"limit": ISSUE_LIMIT}
            elif ids and workers.filter(pk__in=ids).count() != len(ids):
                raise Http404(_("不存在或不在您的辖区内。"))
        else:
            error = _("请选择要执行的操作。")
        status = 400
        if not error:
            issued = do_issue_initial_passwords(actor=request.user, user_ids=ids,
                                                only_without_password=mode == "missing")
            if issued:
                return _passwords_download(issued)
            error, status = _("这些网格员刚刚已由他人生成了密码，请刷新页面。"), 409
    state = request.GET.get("state", "")
    listed = workers.filter(PASSWORD_STATES[state]) if state in PASSWORD_STATES else workers
    q = request.GET.get("q", "").strip()[:64]
    if not q.isprintable():  # a NUL would reach the database (PostgreSQL refuses it: a 500)
        raise BadRequest(_("查找内容无效。"))
    if q:
        listed = listed.filter(Q(username__icontains=q) | Q(name__icontains=q))
    page = CappedPaginator(password_worker_page_rows(listed), 50).get_page(request.GET.get("page"))
    return render(
        request, "rosters/passwords.html",
        {"page": page, "overview": password_overview(workers), "error": error, "q": q, "state": state,
         "limit": ISSUE_LIMIT},
        status=status,
    )


def _passwords_download(issued: list[IssuedPassword]) -> HttpResponse:
    issued = sorted(issued, key=lambda i: (i.grids[0][0] if i.grids else "", i.user.username))
    rows = [(i.user.username, i.user.name, "、".join(name for _code, name in i.grids), i.password) for i in issued]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(passwords_workbook(rows),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Cache-Control"] = "no-store"
    return _attachment(response, _("网格员初始密码-%(stamp)s.xlsx") % {"stamp": stamp})
