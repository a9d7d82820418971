from django.urls import path

from disputes.views import mediation as views

app_name = "mediation"
urlpatterns = [
    path("", views.desk, name="desk"),
    path("all/", views.dispute_index, name="list"),
    path("sessions/", views.session_index, name="sessions"),
    path("new/", views.dispute_new, name="new"),
    path("risks/", views.risk_list, name="risks"),
    path("risks/<int:pk>/", views.risk_detail, name="risk"),
    path("risks/<int:pk>/update/", views.risk_update, name="risk-update"),
    path("risks/<int:pk>/review/", views.risk_review, name="risk-review"),
    path("risks/<int:pk>/close/", views.risk_close, name="risk-close"),
    path("<int:pk>/", views.dispute_detail, name="detail"),
    path("<int:pk>/add-party/", views.dispute_add_party, name="add-party"),
    path("<int:pk>/parties/<int:party_pk>/reveal/", views.party_reveal, name="reveal"),
    path("<int:pk>/assess/", views.dispute_assess, name="assess"),
    path("<int:pk>/schedule/", views.dispute_schedule_session, name="schedule"),
    path("<int:pk>/record/", views.dispute_record_session, name="record"),
    path("<int:pk>/settle/", views.dispute_settle, name="settle"),
    path("<int:pk>/refer/", views.dispute_refer, name="refer"),
    path("<int:pk>/extend/", views.dispute_extend, name="extend"),
    path("<int:pk>/schedule-follow-up/", views.dispute_schedule_follow_up, name="schedule-follow-up"),
    path("<int:pk>/follow-up/", views.dispute_record_follow_up, name="follow-up"),
    path("<int:pk>/agreement.pdf", views.agreement, name="agreement"),
]
