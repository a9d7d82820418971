"""The loop's configuration page: the case taxonomy with time limits per stage, and the working
calendar. Everyone signed in may read it (it explains the deadlines they see); city admins
change it, one view per change.

The same page exports and imports whole tables as spreadsheets (disputes.configuration_tables:
categories, time limits, dispute types, the calendar, departments): an upload is checked by a
dry run and shown as a preview; the confirm carries the file back signed, and is imported all or
nothing. One view per step: export, preview (the upload), confirm."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from functools import wraps

import tablib
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from import_export.results import Result

from disputes.actions import configuration as actions
from disputes.configuration_tables import ConfigurationTable, configuration_table, tables_for
from disputes.models import CalendarDay, Category, Stage, TimeLimit
from governance.http import error_status, run_action
from governance.inputs import parse_date, pick
from governance.resources import (
    MAX_UPLOAD_BYTES,
    base_error_messages,
    import_counts,
    preview_rows,
    read_spreadsheet,
    source_label,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The signed file of a preview: its own salt, so no other signed value of the site is accepted
# here, and an hour to read the preview before confirming.
SIGNING_SALT = "disputes.configuration-import"
PREVIEW_MAX_AGE = 60 * 60


def _config_page(request: HttpRequest, status: int = 200) -> HttpResponse:
    cats = list(Category.objects.select_related("parent").order_by("sort", "code"))
    limits = {(t.category_id, t.stage): t for t in TimeLimit.objects.all()}
    tops = [c for c in cats if c.parent_id is None]
    rows = []
    for top in tops:
        for c in [top] + [c for c in cats if c.parent_id == top.pk]:
            rows.append({"category": c, "limits": [limits.get((c.pk, s)) for s in Stage.values]})
    year = timezone.localdate().year
    days = CalendarDay.objects.filter(date__year__in=[year, year + 1])
    return render(request, "disputes/config.html", {
        "rows": rows, "tops": tops, "days": days, "can_configure": actions.may_configure(request.user),
        "stages": Stage.choices, "error": None, "tables": tables_for(request.user),
    }, status=status)


@login_required
def config(request: HttpRequest) -> HttpResponse:
    return _config_page(request)


def config_change(perform: Callable[[HttpRequest], str]) -> Callable[[HttpRequest], HttpResponse]:
    """One POST view per configuration change: the message on success, the page with the refusal
    (403 / 400) otherwise."""

    @login_required
    @require_POST
    @wraps(perform)
    def view(request: HttpRequest) -> HttpResponse:
        def refused(error: str, status: int) -> HttpResponse:
            messages.error(request, error)
            return _config_page(request, status=status)

        return run_action(request, lambda: perform(request), success_url=reverse("cases:config"), refused=refused)

    return view


@config_change
def set_time_limit(request: HttpRequest) -> str:
    p = request.POST
    category = pick(Category.objects.all(), p.get("category", ""), _("类别"), required=True)
    actions.do_set_time_limit(actor=request.user, category=category, stage=p.get("stage", ""),
                              amount=p.get("amount"), unit=p.get("unit", ""))
    return _("时限已保存。")


@config_change
def create_category(request: HttpRequest) -> str:
    p = request.POST
    parent = pick(Category.objects.all(), p.get("parent", ""), _("上级类别"))
    actions.do_create_category(actor=request.user, code=p.get("code", ""), name=p.get("name", ""), parent=parent)
    return _("类别已添加。")


@config_change
def set_category_active(request: HttpRequest) -> str:
    p = request.POST
    category = pick(Category.objects.all(), p.get("category", ""), _("类别"), required=True)
    actions.do_set_category_active(actor=request.user, category=category, active=p.get("active") == "1")
    return _("已保存。")


@config_change
def set_calendar_day(request: HttpRequest) -> str:
    p = request.POST
    day = parse_date(p.get("date", ""), _("日期"))
    if day is None:
        raise ValidationError(_("日期格式应为 YYYY-MM-DD。"))
    actions.do_set_calendar_day(actor=request.user, day=day, kind=p.get("kind", ""), note=p.get("note", ""))
    return _("工作日历已保存。")


@config_change
def remove_calendar_day(request: HttpRequest) -> str:
    entry = pick(CalendarDay.objects.all(), request.POST.get("day", ""), _("日期"), required=True)
    actions.do_remove_calendar_day(actor=request.user, entry=entry)
    return _("已删除。")


# ---------------------------------------------------------------- whole tables, from and to Excel


def _get_table(slug: str) -> ConfigurationTable:
    table = configuration_table(slug)
    if table is None:
        raise Http404(_("没有这张配置表。"))
    return table


def _refused(request: HttpRequest, exc: PermissionDenied | ValidationError) -> HttpResponse:
    """The configuration page with the refusal on top (403 / 400): the import forms live there."""
    error, status = error_status(exc)
    messages.error(request, error)
    return _config_page(request, status=status)


@login_required
@require_GET
def config_export(request: HttpRequest, table: str) -> HttpResponse:
    entry = _get_table(table)
    try:
        content = actions.do_export_configuration(actor=request.user, table=entry.slug)
    except PermissionDenied as e:
        return _refused(request, e)
    name = f"{source_label(entry.title)}-{timezone.localdate():%Y%m%d}.xlsx"
    return HttpResponse(content, content_type=XLSX, headers={
        "Content-Disposition": content_disposition_header(as_attachment=True, filename=name),
    })


def sign_upload(entry: ConfigurationTable, user_pk: int, name: str, content: bytes) -> str:
    """The uploaded file, for the preview's hidden field: signed with the table and the user, so
    the confirm imports exactly the file that was previewed, into that table, by that user."""
    return signing.dumps(
        {"table": entry.slug, "user": user_pk, "name": name, "file": base64.b64encode(content).decode("ascii")},
        salt=SIGNING_SALT, compress=True,
    )


def _unsign_upload(entry: ConfigurationTable, user_pk: int, payload: str) -> tuple[str, bytes]:
    try:
        data = signing.loads(payload, salt=SIGNING_SALT, max_age=PREVIEW_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError(_("预览已超过 1 小时，请重新上传文件。")) from None
    except signing.BadSignature:
        raise ValidationError(_("文件校验失败（内容可能被改动），请重新上传文件。")) from None
    if not isinstance(data, dict) or data.get("table") != entry.slug or data.get("user") != user_pk:
        raise ValidationError(_("文件校验失败（内容可能被改动），请重新上传文件。"))
    try:
        return str(data.get("name", "")), base64.b64decode(data.get("file", ""), validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise ValidationError(_("文件校验失败（内容可能被改动），请重新上传文件。")) from None


def _preview_page(request: HttpRequest, entry: ConfigurationTable, name: str, dataset: tablib.Dataset,
                  result: Result, payload: str = "", error: str = "", status: int = 200) -> HttpResponse:
    resource = entry.resource_for(request.user)
    counts = import_counts(result)
    return render(request, "disputes/config_import_preview.html", {
        "table": entry, "name": name, "counts": counts, "columns": resource.get_export_headers(),
        "rows": preview_rows(resource, result, dataset), "file_errors": base_error_messages(result),
        # The signed file, for the confirm; none when a row is invalid (the import would refuse it).
        "payload": payload, "error": error,
    }, status=status)


@login_required
@require_POST
def config_import(request: HttpRequest, table: str) -> HttpResponse:
    """The upload: a dry run of the whole file, shown as a preview (400 when a row is invalid)."""
    entry = _get_table(table)
    if not entry.may(request.user):  # before reading the file (the action checks again)
        return _refused(request, PermissionDenied(entry.refusal()))
    upload = request.FILES.get("file")
    if upload is None:
        return _refused(request, ValidationError(_("请选择要导入的文件（.xlsx 或 .csv）。")))
    if upload.size > MAX_UPLOAD_BYTES:
        return _refused(request, ValidationError(_("文件不能超过 1 MB。")))
    content = upload.read()
    try:
        dataset = read_spreadsheet(content)
        result = actions.preview_configuration_import(actor=request.user, table=entry.slug, dataset=dataset)
    except (PermissionDenied, ValidationError) as e:
        return _refused(request, e)
    invalid = import_counts(result)["invalid"]
    if invalid:
        error = _("有 %(n)s 行有误：改正后重新上传；有误时不会导入任何一行。") % {"n": invalid}
        return _preview_page(request, entry, upload.name, dataset, result, error=error, status=400)
    return _preview_page(request, entry, upload.name, dataset, result,
                         payload=sign_upload(entry, request.user.pk, upload.name, content))


@login_required
@require_POST
def config_import_confirm(request: HttpRequest, table: str) -> HttpResponse:
    """The confirm: the previewed file, checked again and imported in one transaction."""
    entry = _get_table(table)
    if not entry.may(request.user):
        return _refused(request, PermissionDenied(entry.refusal()))
    try:
        name, content = _unsign_upload(entry, request.user.pk, request.POST.get("payload", ""))
        dataset = read_spreadsheet(content)
    except ValidationError as e:
        return _refused(request, e)
    try:
        result = actions.do_import_configuration(actor=request.user, table=entry.slug, dataset=dataset)
    except actions.ImportRefused as e:
        return _preview_page(request, entry, name, dataset, e.result, error=e.message, status=400)
    except (PermissionDenied, ValidationError) as e:
        return _refused(request, e)
    counts = import_counts(result)
    messages.success(request, _("%(table)s已导入：新增 %(new)s 行，更新 %(updated)s 行，无变化 %(unchanged)s 行。")
                     % {"table": entry.title, **counts})
    return redirect("cases:config")
