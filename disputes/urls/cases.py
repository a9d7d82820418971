from django.urls import path

from disputes.views import cases as views
from disputes.views import configuration, exports, mediation

app_name = "cases"
urlpatterns = [
    path("", views.case_index, name="list"),
    path("export.xlsx", exports.case_export, name="export"),
    path("exports/<int:pk>/", exports.export_job, name="export-job"),
    path("exports/<int:pk>/download/", exports.export_download, name="export-download"),
    path("new/", views.case_new, name="new"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("grid-map/<str:code>/", views.grid_map, name="grid-map"),
    path("todo/", views.todo, name="todo"),
    path("notices/", views.notices, name="notices"),
    path("config/", configuration.config, name="config"),
    path("config/limit/", configuration.set_time_limit, name="config-limit"),
    path("config/category/", configuration.create_category, name="config-category"),
    path("config/active/", configuration.set_category_active, name="config-active"),
    path("config/day/", configuration.set_calendar_day, name="config-day"),
    path("config/remove-day/", configuration.remove_calendar_day, name="config-remove-day"),
    path("config/<slug:table>/export.xlsx", configuration.config_export, name="config-export"),
    path("config/<slug:table>/import/", configuration.config_import, name="config-import"),
    path("config/<slug:table>/import/confirm/", configuration.config_import_confirm, name="config-import-confirm"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/accept/", views.case_accept, name="accept"),
    path("<int:pk>/reject/", views.case_reject, name="reject"),
    path("<int:pk>/assign/", views.case_assign, name="assign"),
    path("<int:pk>/handle/", views.case_handle, name="handle"),
    path("<int:pk>/send-back/", views.case_send_back, name="send-back"),
    path("<int:pk>/convert-to-dispute/", mediation.case_convert_to_dispute, name="convert"),
    path("<int:pk>/verify/", views.case_verify, name="verify"),
    path("<int:pk>/rate/", views.case_rate, name="rate"),
    path("<int:pk>/comment/", views.case_comment, name="comment"),
    path("<int:pk>/escalate/", views.case_escalate, name="escalate"),
    path("<int:pk>/extend/", views.case_request_extension, name="extend"),
    path("<int:pk>/decide/", views.case_decide_extension, name="decide"),
    path("<int:pk>/merge/", views.case_merge, name="merge"),
    path("<int:pk>/photos/<int:photo_pk>/", views.case_photo, name="photo"),
]
