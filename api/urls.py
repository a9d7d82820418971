"""/api/: the REST API v1 and the admins' token page."""

from django.urls import include, path

from api import views

urlpatterns = [
    path("v1/", include("api.v1.urls")),
    path("tokens/", views.token_list, name="api-tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="api-token-revoke"),
]
