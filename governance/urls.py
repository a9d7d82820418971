"""governance's own pages: signing in and out, the password, the grid picker's search and the
system status. portal.urls (the site's URL map) includes them at the root."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from governance import signin, views
from governance.audit import views as audit_views

urlpatterns = [
    path("login/", signin.SignInView.as_view(), name="login"),
    path("login/verify/", signin.verify, name="login-verify"),
    path("account/two-factor/", signin.totp_enrol, name="totp-enrol"),
    path("security/lockouts/", signin.lockouts, name="security-lockouts"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", views.PasswordChange.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("territory/grids/search/", views.grid_search, name="grid-search"),
    path("system/", views.system_status, name="system-status"),
    path("healthz", views.healthz, name="healthz"),
    path("audit/", audit_views.audit_list, name="audit-list"),
    path("audit/export.xlsx", audit_views.audit_export, name="audit-export"),
]
