"""The report pages: one's own node (/reports/), a node's periods, a report with its comparisons,
freshness, the ranking of the children and drill-through to the cases, its .xlsx and its printable
A4 layout, confirm and publish (one view per action), and the 指标说明 page."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from governance.actions import validation_message
from governance.http import run_action
from governance.inputs import is_digits
from governance.models import Region
from governance.roles import Cap
from governance.scope import can
from governance.spreadsheets import xlsx_row
from reports import selectors
from reports.actions import do_confirm_snapshot, do_publish_report, do_save_scoring_sheet
from reports.assessment import assess
from reports.kpis import BY_CODE, END, KPIS, MIN_BASE, visit_quota
from reports.models import ScoringSheet, Snapshot, SnapshotStatus
from reports.periods import Kind, Period, parse
from reports.rankings import RANKABLE, rank

DEFAULT_RANKING = "closure_rate"


def _period_or_400(text: str) -> Period:
    try:
        return parse(text)
    except ValidationError as e:
        raise BadRequest(validation_message(e)) from None


def _get_report_for_user(request: HttpRequest, code: str, period_text: str) -> tuple[Region, Period, Snapshot]:
    """404 outside the user's scope, or when the period has no report yet."""
    period = _period_or_400(period_text)
    region = selectors.region_for_user(request.user, code)
    snap = selectors.snapshot_of(request.user, region, period)
    if snap is None:
        raise Http404(_("该区划本期报告尚未生成。"))
    return region, period, snap


def drill_url(code: str, kpi: str, period: Period) -> str:
    """The scoped list of the records behind a figure of node `code` (every list starts from the
    user's scope, so a link never shows more than the user may see)."""
    kpi_def = BY_CODE[kpi]
    end = period.last_day.isoformat()
    extra = {k: end if v == END else v for k, v in kpi_def.drill.items()}
    dated = {"grid": code, "from": period.first_day.isoformat(), "to": end}
    if kpi_def.drill_list == "territory":
        return reverse("region", args=[code])
    if kpi_def.drill_list == "risks":
        base, params = reverse("mediation:risks"), {"grid": code, **extra}
    elif kpi_def.drill_list == "visits":
        base, params = reverse("grids:visits"), {**dated, **extra}
    elif kpi_def.drill_list == "residents":
        base, params = reverse("parties:residents"), {"grid": code, **extra}
    elif kpi == "overdue_open":
        base, params = reverse("cases:list"), {"grid": code, **extra}
    else:
        base, params = reverse("cases:list"), {**dated, **extra}
    return f"{base}?{urlencode(params)}"


@login_required
def report_home(request: HttpRequest) -> HttpResponse:
    """One's own node: its latest report, or the list of one's nodes."""
    regions = selectors.report_regions(request.user)
    if len(regions) == 1:
        return redirect("reports:node", code=regions[0].code)
    return render(request, "reports/home.html", {"regions": regions})


@login_required
def report_node(request: HttpRequest, code: str) -> HttpResponse:
    region = selectors.region_for_user(request.user, code)
    periods = [parse(p) for p in selectors.periods_of(request.user, region)]
    groups = {kind: [p for p in periods if p.kind == kind] for kind in ("month", "quarter", "half", "year")}
    return render(request, "reports/node.html", {"region": region, "groups": groups})


def _ranking(request: HttpRequest, region: Region, period: Period) -> tuple[str, list, list]:
    by = request.GET.get("by", DEFAULT_RANKING)
    if by not in {k.code for k in RANKABLE}:
        raise BadRequest(_("排名指标不正确。"))
    children = selectors.children_of(request.user, region, period)
    previous = selectors.children_of(request.user, region, period.previous())
    rows = rank(by, [(s.node, s.current) for s in children], [(s.node, s.current) for s in previous])
    largest = max((abs(r.value) for r in rows if r.value is not None), default=0)
    chart = [(r, f"{100 * r.value / largest:.1f}" if largest and r.value is not None else "0") for r in rows]
    return by, rows, chart


def _rows(region: Region, period: Period, snap: Snapshot, compare: dict[str, Snapshot]) -> list[dict]:
    current, prev, last = snap.current, compare.get("previous"), compare.get("last_year")
    return [
        {
            "kpi": k,
            "value": current.get(k.code),
            "published": snap.kpis.get(k.code) if snap.restated_kpis is not None else None,
            "restated": snap.restated_kpis is not None and snap.kpis.get(k.code) != current.get(k.code),
            "previous": prev.current.get(k.code) if prev else None,
            "last_year": last.current.get(k.code) if last else None,
            "drill": drill_url(region.code, k.code, period),
        }
        for k in KPIS
    ]


@login_required
def report_detail(request: HttpRequest, code: str, period: str) -> HttpResponse:
    region, p, snap = _get_report_for_user(request, code, period)
    return _render_report(request, region, p, snap, "reports/report_detail.html")


def _render_report(request, region, p, snap, template, message="", status=200) -> HttpResponse:
    compare = selectors.comparisons(request.user, region, p)
    by, ranking, chart = _ranking(request, region, p)
    may_approve = can(request.user, Cap.APPROVE_REPORT, region.code)
    ctx = {
        "region": region,
        "period": p,
        "snap": snap,
        "compare": compare,
        "rows": _rows(region, p, snap, compare),
        "ranking": ranking,
        "chart": chart,
        "by": BY_CODE[by],
        "rankable": RANKABLE,
        "min_base": MIN_BASE,
        "restatements": list(snap.restatements.all()[:10]),
        "may_confirm": may_approve and snap.status == SnapshotStatus.DRAFT,
        "may_publish": may_approve and snap.status != SnapshotStatus.PUBLISHED,
        "error": message,
        "quota": visit_quota(),
    }
    return render(request, template, ctx, status=status)


@login_required
def report_print(request: HttpRequest, code: str, period: str) -> HttpResponse:
    region, p, snap = _get_report_for_user(request, code, period)
    return _render_report(request, region, p, snap, "reports/report_print.html")


@login_required
def report_xlsx(request: HttpRequest, code: str, period: str) -> HttpResponse:
    region, p, snap = _get_report_for_user(request, code, period)
    compare = selectors.comparisons(request.user, region, p)
    by, ranking, _chart = _ranking(request, region, p)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("指标"))
    ws.append(xlsx_row(ws, [f"{region.name}（{region.code}）{p.label}", "", "", "", "", ""]))
    ws.append(xlsx_row(ws, [_("计算时间"), snap.computed_at.isoformat(timespec="seconds"), _("状态"), snap.get_status_display(),
                            _("已更正") if snap.restated_at else "", ""]))
    ws.append(xlsx_row(ws, [_("指标代码"), _("指标"), _("本期"), _("上期"), _("去年同期"), pgettext("unit of measure", "单位")]))
    for row in _rows(region, p, snap, compare):
        k = row["kpi"]
        ws.append(xlsx_row(ws, [k.code, str(k.name), row["value"], row["previous"], row["last_year"], str(k.unit)]))
    ws2 = wb.create_sheet(_("下级排名"))
    ws2.append(xlsx_row(ws2, [_("排名指标"), str(BY_CODE[by].name), "", "", ""]))
    ws2.append(xlsx_row(ws2, [_("名次"), _("名称"), _("编码"), _("数值"), _("较上期")]))
    for r in ranking:
        ws2.append(xlsx_row(ws2, [r.rank if r.rank else _("样本不足"), r.region.name, r.region.code, r.value, r.change]))
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="report-{region.code}-{p.code}.xlsx"'
    wb.save(response)
    return response


def _approval(request: HttpRequest, code: str, period: str, act, done: str) -> HttpResponse:
    region, p, snap = _get_report_for_user(request, code, period)
    return run_action(
        request,
        lambda: (act(actor=request.user, snapshot=snap), done)[1],
        success_url=reverse("reports:detail", args=[region.code, p.code]),
        refused=lambda message, status: _render_report(request, region, p, snap, "reports/report_detail.html", message, status),
    )


@login_required
@require_POST
def report_confirm(request: HttpRequest, code: str, period: str) -> HttpResponse:
    return _approval(request, code, period, do_confirm_snapshot, _("本期报告已确认。"))


@login_required
@require_POST
def report_publish(request: HttpRequest, code: str, period: str) -> HttpResponse:
    return _approval(request, code, period, do_publish_report, _("本期报告及下级排名已发布。"))


@login_required
def indicators(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/indicators.html", {"kpis": KPIS, "min_base": MIN_BASE, "quota": visit_quota()})


@login_required
def assessment(request: HttpRequest, code: str, year: str) -> HttpResponse:
    """考评: the year's snapshots of the node's children scored on a sheet (?sheet=<id>, default the newest)."""
    period = _period_or_400(year)
    if period.kind != Kind.YEAR:
        raise BadRequest(_("考评按年度进行，报告期须为年份，如 2026。"))
    region = selectors.region_for_user(request.user, code)
    sheets = list(ScoringSheet.objects.order_by("name", "-version"))
    wanted = request.GET.get("sheet", "")
    if wanted and not is_digits(wanted):
        raise BadRequest(_("考评细则参数无效。"))
    sheet = next((s for s in sheets if str(s.pk) == wanted), None) if wanted else (
        max(sheets, key=lambda s: s.created_at) if sheets else None)
    if wanted and sheet is None:
        raise Http404(_("考评细则不存在。"))
    children = selectors.children_of(request.user, region, period)
    scores = assess(sheet, period, [(s.node, s.current) for s in children]) if sheet else []
    ctx = {"region": region, "period": period, "sheet": sheet, "sheets": sheets, "scores": scores, "kpis": BY_CODE}
    return render(request, "reports/assessment.html", ctx)


@login_required
def scoring_sheets(request: HttpRequest) -> HttpResponse:
    """The scoring sheets and their versions; a POST saves a new version (do_save_scoring_sheet, audited)."""
    sheets = list(ScoringSheet.objects.order_by("name", "-version"))
    form = {"name": "", "weights": "", "deductions": "", "note": ""}
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in form}

        def perform() -> str:
            try:
                weights = json.loads(form["weights"] or "{}")
                deductions = json.loads(form["deductions"] or "{}")
            except ValueError:
                raise ValidationError(_("权重和扣分规则须为 JSON，如 {\"closure_rate\": 40}。")) from None
            sheet = do_save_scoring_sheet(actor=request.user, name=form["name"], weights=weights,
                                          deductions=deductions, note=form["note"])
            return _("已保存考评细则“%(name)s”第 %(v)s 版。") % {"name": sheet.name, "v": sheet.version}

        return run_action(
            request, perform, success_url=reverse("reports:scoring"),
            refused=lambda message, status: render(
                request, "reports/scoring_sheets.html", {"sheets": sheets, "form": form, "error": message}, status=status),
        )
    if sheets:
        latest = sheets[0]
        form = {"name": latest.name, "weights": json.dumps(latest.weights, ensure_ascii=False),
                "deductions": json.dumps(latest.deductions, ensure_ascii=False), "note": ""}
    return render(request, "reports/scoring_sheets.html", {"sheets": sheets, "form": form, "kpis": KPIS})
