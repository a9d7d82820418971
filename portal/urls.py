"""The site's URL map (ROOT_URLCONF): each app's pages under its prefix, and the pages that
combine several apps (home, territory)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.decorators.cache import cache_control
from django.views.i18n import JavaScriptCatalog

from governance import signin
from portal import map_views, views

# Every uncaught exception's page: an unreachable database is a 503 (governance.middleware), the rest 500.
handler500 = "governance.middleware.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("governance.urls")),  # sign-in, password, grid search, system status
    path("dashboard/<str:code>/", views.dashboard, name="dashboard"),
    path("territory/<str:code>/", views.region_detail, name="region"),
    path("territory/<str:code>/map/", map_views.region_map, name="region-map"),
    path("territory/<str:code>/map/grids.geojson", map_views.grids_geojson, name="region-map-grids"),
    path("territory/<str:code>/map/cases.geojson", map_views.cases_geojson, name="region-map-cases"),
    # A grid worker's own map: every grid they cover (portal.map_views), beside grids:mine.
    path("grids/mine/map/", map_views.my_map, name="my-map"),
    path("grids/mine/map/grids.geojson", map_views.my_grids_geojson, name="my-map-grids"),
    path("grids/mine/map/cases.geojson", map_views.my_cases_geojson, name="my-map-cases"),
    path("grids/", include("grids.urls")),
    path("rosters/", include("rosters.urls")),
    path("registers/", include("parties.urls")),
    path("api/registers/", include("parties.api_urls")),
    path("api/", include("api.urls")),  # /api/v1/ (REST, OpenAPI), /api/tokens/ (the admins' token page)
    path("open311/v2/", include("api.open311.urls")),  # Open311 GeoReport v2
    path("cases/", include("disputes.urls.cases")),
    path("disputes/", include("disputes.urls.mediation")),
    path("reports/", include("reports.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The strings of static/js in the user's language (served by the app: no CDN). base.html puts the
    # language in the URL, so the browser may keep each language's catalogue for a day.
    path("jsi18n/", cache_control(max_age=86400)(JavaScriptCatalog.as_view()), name="javascript-catalog"),
    path("admin/login/", signin.admin_login),  # the site's sign-in: lockout and second factor
    path("admin/", admin.site.urls),
]
