"""The territory map: a full-size page and the two GeoJSON feeds its map (static/js/map.js) reads.
Outside the user's scope every one is a 404.

A grid worker's map ("my grid", grids:mine) has its own page and feed pair under /grids/mine/map/: the
grids they cover (grids.selectors.my_grids — their grid-worker roles, read through scope), however
many and wherever they lie, with no territory named in the URL or the query (so none outside scope can
be asked for). A user who covers no grid gets a 404 (nothing to show)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from governance.models import Region
from governance.roles import Cap
from governance.scope import can, get_in_scope_or_404
from grids.selectors import my_grids
from portal.map_selectors import (
    BadMapInput,
    case_features,
    grid_features,
    my_case_features,
    my_grid_features,
    parse_bbox,
    parse_kpi,
    parse_period,
)


def _get_region_for_user(request: HttpRequest, code: str) -> Region:
    return get_in_scope_or_404(Region.objects.all(), request.user, Cap.VIEW, code=code)


def _get_my_grids_for_user(request: HttpRequest) -> list[Region]:
    grids = my_grids(request.user)
    if not grids:
        raise Http404(_("您还没有被分配网格。"))
    return grids


def _kpi_param(request: HttpRequest) -> str | None:
    try:
        return parse_kpi(request.GET.get("kpi") or None)
    except BadMapInput:
        return None


def _geojson(data: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/geo+json; charset=utf-8"
    response["Cache-Control"] = "private, no-store"
    return response


def _bad(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=400, json_dumps_params={"ensure_ascii": False})


@login_required
@require_GET
def region_map(request: HttpRequest, code: str) -> HttpResponse:
    region = _get_region_for_user(request, code)
    ancestors = list(Region.objects.filter(code__in=region.ancestor_codes()).only("code", "name", "level"))
    breadcrumbs = [(a, can(request.user, Cap.VIEW, a.code)) for a in ancestors]
    return render(request, "portal/region_map.html",
                  {"region": region, "breadcrumbs": breadcrumbs, "kpi": _kpi_param(request)})


@login_required
@require_GET
def grids_geojson(request: HttpRequest, code: str) -> HttpResponse:
    region = _get_region_for_user(request, code)
    try:
        kpi = parse_kpi(request.GET.get("kpi"))
        period = parse_period(request.GET.get("period"))
    except BadMapInput as e:
        return _bad(str(e))
    return _geojson(grid_features(request.user, region, kpi, period))


@login_required
@require_GET
def cases_geojson(request: HttpRequest, code: str) -> HttpResponse:
    region = _get_region_for_user(request, code)
    try:
        bbox = parse_bbox(request.GET.get("bbox"))
        return _geojson(case_features(request.user, region, request.GET.get("status") or "open", bbox))
    except BadMapInput as e:
        return _bad(str(e))


@login_required
@require_GET
def my_map(request: HttpRequest) -> HttpResponse:
    grids = _get_my_grids_for_user(request)
    kpi = _kpi_param(request) if request.GET.get("kpi") else "overdue_open"  # as on 我的网格
    return render(request, "portal/my_map.html", {"grids": grids, "kpi": kpi})


@login_required
@require_GET
def my_grids_geojson(request: HttpRequest) -> HttpResponse:
    grids = _get_my_grids_for_user(request)
    try:
        kpi = parse_kpi(request.GET.get("kpi"))
        period = parse_period(request.GET.get("period"))
    except BadMapInput as e:
        return _bad(str(e))
    return _geojson(my_grid_features(grids, kpi, period))


@login_required
@require_GET
def my_cases_geojson(request: HttpRequest) -> HttpResponse:
    grids = _get_my_grids_for_user(request)
    try:
        bbox = parse_bbox(request.GET.get("bbox"))
        return _geojson(my_case_features(request.user, grids, request.GET.get("status") or "open", bbox))
    except BadMapInput as e:
        return _bad(str(e))
