"""The pages that combine several apps: home (each user lands where they work) and the territory
page (a leader's node: grids, grid workers and cases in progress per child, with drill-down)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from governance.models import Region
from governance.roles import Cap, Level
from governance.scope import can, get_in_scope_or_404, is_grid_worker_only, top_regions
from governance.selectors import grid_worker_count, grid_workers_of
from portal.selectors import territory_rows


def _get_region_for_user(request: HttpRequest, code: str) -> Region:
    return get_in_scope_or_404(Region.objects.all(), request.user, Cap.VIEW, code=code)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own page: grid workers on their grids, everyone else on their territory."""
    if is_grid_worker_only(request.user):
        return redirect("grids:mine")
    regions = top_regions(request.user)
    if len(regions) == 1:
        return redirect("region", code=regions[0].code)
    return render(request, "portal/home.html", {"regions": regions})


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
