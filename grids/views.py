from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from governance.models import Region, RoleAssignment
from governance.roles import Role


@login_required
def my_grids(request: HttpRequest) -> HttpResponse:
    """A grid worker's home: the grids they cover, with the colleagues who share each one."""
    grid_codes = [a.region_id for a in RoleAssignment.objects.filter(user=request.user, role=Role.GRID_WORKER)]
    grids = list(Region.objects.filter(code__in=grid_codes).select_related("parent", "parent__parent"))
    colleagues: dict[str, list[str]] = {}
    for a in (
        RoleAssignment.objects.filter(role=Role.GRID_WORKER, region_id__in=grid_codes)
        .exclude(user=request.user)
        .select_related("user")
    ):
        colleagues.setdefault(a.region_id, []).append(a.user.get_full_name())
    rows = [(g, colleagues.get(g.code, [])) for g in grids]
    return render(request, "grids/my_grids.html", {"rows": rows})
