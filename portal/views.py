"""The pages that combine several apps: home (each user lands where they work), the dashboard of a
node (驾驶舱: portal.dashboard) and the territory page (grids, grid workers and cases in progress
per child, with drill-down)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.actions import validation_message
from governance.models import Region
from governance.roles import Cap, Level, Role
from governance.scope import can, get_in_scope_or_404, holds_only, is_grid_worker_only, role_assignments, scoped, top_regions
from governance.selectors import grid_worker_count, grid_workers_of
from portal import dashboard as dash
from portal.selectors import territory_rows
from reports.kpis import BY_CODE
from reports.periods import Kind, parse
from reports.rankings import RANKABLE
from reports.registers import tallies_of


def _get_region_for_user(request: HttpRequest, code: str) -> Region:
    return get_in_scope_or_404(Region.objects.all(), request.user, Cap.VIEW, code=code)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands where it works: grid workers on their grids; leaders (city, district, street,
    community, party secretary, admins) on the dashboard of their own node; department handlers on
    their 待办, mediators on the mediation desk; anyone else on their territory, or picks one."""
    user = request.user
    if is_grid_worker_only(user):
        return redirect("grids:mine")
    if holds_only(user, Role.AUDIT_ADMIN):  # the audit administrator's work is the audit trail
        return redirect("audit-list")
    if holds_only(user, Role.DEPT_HANDLER):
        return redirect("cases:todo")
    if holds_only(user, Role.MEDIATOR):
        return redirect("mediation:desk")
    regions = top_regions(user)
    node = dash.dashboard_node(user)
    if len(regions) == 1:
        if node is not None and node.code == regions[0].code:
            return redirect("dashboard", code=node.code)
        return redirect("region", code=regions[0].code)
    leader_codes = {a.region_id for a in role_assignments(user) if a.role in dash.LEADER_ROLES}
    return render(request, "portal/home.html", {"regions": regions, "leader_codes": leader_codes})


def _map_ready() -> bool:
    """Whether the map partial (issue 14.3) is installed: the dashboard includes it, else leaves its slot."""
    try:
        get_template("portal/_map.html")
    except TemplateDoesNotExist:
        return False
    return True


def _dashboard_period(request: HttpRequest, now):
    """?period=2026-10 / 2026Q3 / 2026H1 / 2026, or ?kind=month|quarter|half|year (the current one);
    default this month. A period that has not begun is a 400."""
    text = request.GET.get("period", "").strip()
    if text:
        try:
            period = parse(text)
        except ValidationError as e:
            raise BadRequest(validation_message(e)) from None
        if period.start > now:
            raise BadRequest(_("报告期“%(p)s”尚未开始。") % {"p": period.code})
        return period
    kind = request.GET.get("kind", Kind.MONTH)
    if kind not in Kind.ALL:
        raise BadRequest(_("报告期类型不正确：可选月、季度、半年、年。"))
    return dash.current_period(kind, now)


@login_required
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    """驾驶舱: the node's KPIs this period with the change from the last, 12-month trends, the
    children ranked (drill-down to the grid), lists to act on and the registers at a glance."""
    region = _get_region_for_user(request, code)
    now = timezone.now()
    try:
        period = _dashboard_period(request, now)
        by = request.GET.get("by", dash.DEFAULT_RANKING)
        if by not in {k.code for k in RANKABLE}:
            raise BadRequest(_("排名指标不正确。"))
    except BadRequest as e:
        return render(request, "400.html", {"message": str(e)}, status=400)
    return _render_dashboard(request, region, period, by, now)


def _render_dashboard(request: HttpRequest, region: Region, period, by: str, now) -> HttpResponse:
    user = request.user
    ancestors = list(Region.objects.filter(code__in=region.ancestor_codes()).only("code", "name", "level"))
    children = list(scoped(Region.objects.filter(parent=region), user, Cap.VIEW).order_by("code"))
    sees_cases = can(user, Cap.VIEW_CASES, region.code)
    ctx = {
        "region": region,
        "breadcrumbs": [(a, can(user, Cap.VIEW, a.code)) for a in ancestors],
        "period": period,
        "periods": [(k, dash.current_period(k, now)) for k in Kind.ALL],
        "previous_period": period.previous(),
        "children": children,
        "child_level": Level(region.level + 1).label if region.level < Level.GRID else "",
        "sees_cases": sees_cases,
        "sees_registers": can(user, Cap.VIEW_REGISTER, region.code),
        "party_first": dash.leads_with_party_work(user, region),
        "lists": dash.act_lists(user, region, now),
        "workers": grid_workers_of(region) if region.is_grid else [],
        "by": BY_CODE[by],
        "rankable": RANKABLE,
    }
    query = f"?period={period.code}&by={by}"
    ctx["query"] = query
    if sees_cases:
        current, previous, source = dash.figures(region, children, period, now)
        ranking = dash.ranking(children, by, period, current, previous)
        trend = dash.trend(region, now, current[region.code] if period == dash.current_period(Kind.MONTH, now) else
                           dash.compute_month(region, now))
        ctx.update({
            "tiles": dash.tiles(region, period, current, previous),
            "previous_source": source,
            "ranking": ranking,
            "trend": trend,
            "chart_data": {
                "trend": trend,
                "ranking": [{"code": r.region.code, "name": r.region.name, "value": r.value, "rank": r.rank,
                             "band": r.band, "url": f"{reverse('dashboard', args=[r.region.code])}{query}"}
                            for r in ranking],
                "labels": {k: str(BY_CODE[k].name) for k in dash.TREND_KPIS},
                "by": {"code": by, "name": str(BY_CODE[by].name), "unit": str(BY_CODE[by].unit)},
                "period_url": reverse("dashboard", args=[region.code]),
            },
        })
    if ctx["sees_registers"]:
        ctx["registers"] = dash.registers(request.user, region, tallies_of(region))
    ctx["trend_labels"] = [(k, BY_CODE[k].name) for k in dash.TREND_KPIS]
    ctx["map_ready"] = _map_ready()
    return render(request, "portal/dashboard.html", ctx)


@login_required
def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    region = _get_region_for_user(request, code)
    ancestors = list(Region.objects.filter(code__in=region.ancestor_codes()).only("code", "name", "level"))
    breadcrumbs = [(a, can(request.user, Cap.VIEW, a.code)) for a in ancestors]
    children = territory_rows(request.user, region)
    # Compared in a chart, most open cases first (the table below keeps the code order).
    largest = max((row.open_cases for row in children), default=0)
    chart = [(row, *row.bar(largest)) for row in sorted(children, key=lambda r: -r.open_cases)]
    ctx = {
        "region": region,
        "breadcrumbs": breadcrumbs,
        "children": children,
        "chart": chart,
        "open_total": sum(row.open_cases for row in children),
        "overdue_total": sum(row.overdue_cases for row in children),
        # Every grid below lies under exactly one child, so the children's counts add up.
        "grid_total": 1 if region.is_grid else sum(row.grids for row in children),
        "worker_total": grid_worker_count(region.code),
        "workers": grid_workers_of(region) if region.is_grid else [],
        "child_level": Level(region.level + 1).label if region.level < Level.GRID else "",
    }
    return render(request, "portal/region_detail.html", ctx)
