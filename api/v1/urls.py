"""/api/v1/: the REST API (issue 15). Every URL here is in the schema at /api/v1/schema/
(api/tests/test_schema.py checks it)."""

from __future__ import annotations

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api.v1 import cases, disputes, registers, reports, risks, territory, visits
from api.v1.base import not_found

app_name = "api-v1"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-v1:schema", template_name="api/swagger_ui.html"),
         name="docs"),
    path("me/", territory.MeView.as_view(), name="me"),
    path("territory/", territory.TerritoryRootView.as_view(), name="territory"),
    path("territory/<str:code>/", territory.TerritoryNodeView.as_view(), name="territory-node"),
    path("residents/", registers.ResidentListView.as_view(), name="residents"),
    path("residents/search/", registers.ResidentSearchView.as_view(), name="resident-search"),
    path("residents/<int:pk>/", registers.ResidentDetailView.as_view(), name="resident"),
    path("residents/<int:pk>/reveal/", registers.ResidentRevealView.as_view(), name="resident-reveal"),
    path("houses/", registers.HouseListView.as_view(), name="houses"),
    path("houses/<int:pk>/", registers.HouseDetailView.as_view(), name="house"),
    path("units/", registers.UnitListView.as_view(), name="units"),
    path("units/<int:pk>/", registers.UnitDetailView.as_view(), name="unit"),
    path("units/<int:pk>/reveal/", registers.UnitRevealView.as_view(), name="unit-reveal"),
    path("party-branches/", registers.PartyBranchListView.as_view(), name="party-branches"),
    path("party-branches/<int:pk>/", registers.PartyBranchDetailView.as_view(), name="party-branch"),
    path("categories/", cases.CategoryListView.as_view(), name="categories"),
    path("cases/", cases.CaseListView.as_view(), name="cases"),
    path("cases/<int:pk>/", cases.CaseDetailView.as_view(), name="case"),
    path("cases/<int:pk>/photos/<int:photo_pk>/", cases.CasePhotoView.as_view(), name="case-photo"),
    *[path(f"cases/<int:pk>/{name}/", view.as_view(), name=f"case-{name}") for name, view in cases.ACTION_VIEWS.items()],
    path("todo/", cases.TodoView.as_view(), name="todo"),
    path("dispute-types/", disputes.DisputeTypeListView.as_view(), name="dispute-types"),
    path("disputes/", disputes.DisputeListView.as_view(), name="disputes"),
    path("disputes/<int:pk>/", disputes.DisputeDetailView.as_view(), name="dispute"),
    path("disputes/<int:pk>/parties/<int:party_pk>/reveal/", disputes.PartyRevealView.as_view(), name="dispute-party-reveal"),
    *[path(f"disputes/<int:pk>/{name}/", view.as_view(), name=f"dispute-{name}") for name, view in disputes.STEP_VIEWS.items()],
    path("risks/", risks.RiskListView.as_view(), name="risks"),
    path("risks/<int:pk>/", risks.RiskDetailView.as_view(), name="risk"),
    *[path(f"risks/<int:pk>/{name}/", view.as_view(), name=f"risk-{name}") for name, view in risks.STEP_VIEWS.items()],
    path("visits/", visits.VisitListView.as_view(), name="visits"),
    path("visits/<int:pk>/", visits.VisitDetailView.as_view(), name="visit"),
    path("kpis/", reports.KpiListView.as_view(), name="kpis"),
    path("reports/<str:code>/", reports.ReportPeriodsView.as_view(), name="report-periods"),
    path("reports/<str:code>/<str:period>/", reports.ReportSnapshotView.as_view(), name="report"),
    # Anything else under /api/v1/ (a negative id, a typo) is a 404 in the API's error shape, not an HTML page.
    re_path(r"^.*$", not_found, name="not-found"),
]
