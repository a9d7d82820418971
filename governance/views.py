from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from disputes.selectors import open_cases_by_child
from governance.forms import OwnPasswordChangeForm
from governance.models import Region, WorkerHeartbeat
from governance.roles import Cap, Level
from governance.scope import can, get_in_scope_or_404, is_grid_worker_only, scoped, top_regions
from governance.fields import grid_label
from governance.selectors import (
    GRID_SEARCH_CAPS,
    children_with_counts,
    grid_path,
    grid_worker_count,
    grid_workers_of,
    search_grids,
)


def _get_region_for_user(request: HttpRequest, code: str) -> Region:
    return get_in_scope_or_404(Region.objects.all(), request.user, Cap.VIEW, code=code)


class PasswordChange(auth_views.PasswordChangeView):
    """Django's password change (login required), written through do_change_own_password; where
    governance.middleware sends a user who must replace an issued password. Bad input: 400."""

    form_class = OwnPasswordChangeForm

    def form_invalid(self, form: OwnPasswordChangeForm) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 400
        return response


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own page: grid workers on their grids, everyone else on their territory."""
    if is_grid_worker_only(request.user):
        return redirect("grids:mine")
    regions = top_regions(request.user)
    if len(regions) == 1:
        return redirect("region", code=regions[0].code)
    return render(request, "governance/home.html", {"regions": regions})


@login_required
def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    region = _get_region_for_user(request, code)
    ancestors = list(Region.objects.filter(code__in=region.ancestor_codes()).only("code", "name", "level"))
    breadcrumbs = [(a, can(request.user, Cap.VIEW, a.code)) for a in ancestors]
    children = children_with_counts(request.user, region)
    chart = []
    if children:
        cases = open_cases_by_child(request.user, region.code, len(children[0].region.code))
        for row in children:
            row.open_cases, row.overdue_cases = cases.get(row.region.code, (0, 0))
        # Compared in a chart, most open cases first (the table below keeps the code order).
        largest = max(row.open_cases for row in children)
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
    return render(request, "governance/region_detail.html", ctx)


@login_required
def system_status(request: HttpRequest) -> HttpResponse:
    """Whether background work runs: the last heartbeat the Celery worker wrote."""
    if not scoped(Region.objects.filter(parent__isnull=True), request.user, Cap.CONFIGURE).exists():
        return render(request, "403.html", status=403)
    return render(request, "governance/system_status.html", {"last_beat": WorkerHeartbeat.objects.first()})


GRID_SEARCH_MAX_Q = 64


@login_required
@require_GET
def grid_search(request: HttpRequest) -> JsonResponse:
    """The grid picker's type-ahead: at most 20 grids where the user holds `cap` whose code starts
    with `q` or whose (community's) name contains it: code, name and the street › community path.
    Outside the scope a grid simply does not appear."""
    q = request.GET.get("q", "")
    cap = request.GET.get("cap", Cap.VIEW)
    if cap not in GRID_SEARCH_CAPS:
        return JsonResponse({"error": _("参数无效。")}, status=400)
    if len(q) > GRID_SEARCH_MAX_Q or not q.isprintable():
        return JsonResponse({"error": _("查找内容无效。")}, status=400)
    results = [
        {"code": g.code, "name": g.name, "path": grid_path(g), "label": grid_label(g)}
        for g in search_grids(request.user, cap, q)
    ]
    response = JsonResponse({"results": results})
    response["Cache-Control"] = "private, no-store"
    return response
