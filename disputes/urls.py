from django.urls import path

from disputes import views

app_name = "cases"
urlpatterns = [
    path("", views.case_index, name="list"),
    path("export.xlsx", views.case_export, name="export"),
    path("new/", views.case_new, name="new"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("grid-map/<str:code>/", views.grid_map, name="grid-map"),
    path("todo/", views.todo, name="todo"),
    path("notices/", views.notices, name="notices"),
    path("config/", views.config, name="config"),
    path("config/<slug:what>/", views.config_change, name="config-change"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/act/<slug:name>/", views.case_act, name="act"),
    path("<int:pk>/photos/<int:photo_pk>/", views.case_photo, name="photo"),
]
