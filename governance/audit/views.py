"""The audit administrator's pages: the audit trail, searchable and exportable (the export audited).
Anyone without Cap.READ_AUDIT gets 403 (as the system page: the page is not an object in a scope)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from governance.actions import record_audit
from governance.audit.selectors import AuditSearch, may_read_audit, search_events
from governance.http import forbidden
from governance.models import Outcome
from governance.pagination import BadPageKey, pager_links, seek_page
from governance.roles import Cap
from governance.scope import region_codes
from governance.spreadsheets import xlsx_row

PAGE_SIZE = 50
EXPORT_MAX_ROWS = 100_000  # narrow the time range for more


@login_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    if not may_read_audit(request.user):
        return forbidden(request, _("只有审计管理员可以查看操作记录。"))
    search = AuditSearch.from_query(request.GET)
    qs = search_events(request.user, search)
    try:
        page = seek_page(request, qs, "at", PAGE_SIZE, counted=False)
    except BadPageKey:
        return render(request, "governance/audit_list.html",
                      {"search": search, "page": [], "errors": [_("页码无效。")], "outcomes": Outcome.choices}, status=400)
    context = {"search": search, "page": page, "errors": search.errors, "outcomes": Outcome.choices,
               **pager_links(request, page)}
    return render(request, "governance/audit_list.html", context, status=400 if search.errors else 200)


HEADER = ["编号", "时间", "操作人", "操作", "结果", "对象类型", "对象", "所属区划", "来源地址", "请求", "详情", "本条摘要"]


@transaction.atomic
def do_export_audit(*, actor, search: AuditSearch) -> tuple[list, int]:
    """The rows of an audit export (at most EXPORT_MAX_ROWS, newest first) and one audit row saying
    who exported what (filters, row count, region), written before the file leaves."""
    if not may_read_audit(actor):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("只有审计管理员可以导出操作记录。"))
    rows = list(search_events(actor, search).order_by("-at", "-id")[:EXPORT_MAX_ROWS])
    codes = region_codes(actor, Cap.READ_AUDIT)
    record_audit(actor=actor, action="audit.export", target=actor, region_code=codes[0] if len(codes) == 1 else "",
                 detail={"filters": search.as_dict(), "rows": len(rows), "scope": list(codes), "format": "xlsx"})
    return rows, len(rows)


@login_required
@require_GET
def audit_export(request: HttpRequest) -> HttpResponse:
    if not may_read_audit(request.user):
        return forbidden(request, _("只有审计管理员可以导出操作记录。"))
    search = AuditSearch.from_query(request.GET)
    if search.errors:
        return render(request, "governance/audit_list.html",
                      {"search": search, "page": [], "errors": search.errors, "outcomes": Outcome.choices}, status=400)
    rows, __ = do_export_audit(actor=request.user, search=search)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("操作记录"))
    ws.append(HEADER)
    for e in rows:
        ws.append(xlsx_row(ws, [
            e.pk, timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.actor.username if e.actor else "系统",
            e.action, e.get_outcome_display(), e.target_type, e.target_id, e.region_code, e.address or "",
            " ".join(str(e.context.get(k, "")) for k in ("method", "path")).strip(), _json(e.detail), e.row_hash,
        ]))
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="audit-{timezone.localdate():%Y%m%d}.xlsx"'
    response["Cache-Control"] = "no-store"
    wb.save(response)
    return response


def _json(value) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, sort_keys=True)
