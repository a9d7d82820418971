from django.urls import path

from rosters import views

app_name = "rosters"
urlpatterns = [
    path("", views.index, name="index"),
    path("history/", views.history, name="history"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/progress.json", views.job_progress, name="job-progress"),
    path("jobs/<int:pk>/confirm/", views.job_confirm, name="job-confirm"),
    path("jobs/<int:pk>/errors.xlsx", views.job_errors, name="job-errors"),
    path("grid_workers/passwords/", views.passwords, name="passwords"),
    path("<slug:kind>/template/", views.template, name="template"),
    path("<slug:kind>/export/", views.export, name="export"),
]
