from django.urls import path

from disputes import mediation_views as views

app_name = "mediation"
urlpatterns = [
    path("", views.desk, name="desk"),
    path("all/", views.dispute_index, name="list"),
    path("new/", views.dispute_new, name="new"),
    path("risks/", views.risk_list, name="risks"),
    path("risks/<int:pk>/", views.risk_detail, name="risk"),
    path("risks/<int:pk>/act/<slug:name>/", views.risk_act, name="risk-act"),
    path("<int:pk>/", views.dispute_detail, name="detail"),
    path("<int:pk>/act/<slug:name>/", views.dispute_act, name="act"),
    path("<int:pk>/agreement.pdf", views.agreement, name="agreement"),
    path("<int:pk>/parties/<int:party_pk>/reveal/", views.party_reveal, name="reveal"),
]
