from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_home, name="home"),
    path("indicators/", views.indicators, name="indicators"),
    path("scoring/", views.scoring_sheets, name="scoring"),
    path("<str:code>/assessment/<str:year>/", views.assessment, name="assessment"),
    path("<str:code>/", views.report_node, name="node"),
    path("<str:code>/<str:period>/", views.report_detail, name="detail"),
    path("<str:code>/<str:period>/xlsx/", views.report_xlsx, name="xlsx"),
    path("<str:code>/<str:period>/print/", views.report_print, name="print"),
    path("<str:code>/<str:period>/confirm/", views.report_confirm, name="confirm"),
    path("<str:code>/<str:period>/publish/", views.report_publish, name="publish"),
]
