from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from governance import views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="registration/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", views.PasswordChange.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("territory/grids/search/", views.grid_search, name="grid-search"),
    path("territory/<str:code>/", views.region_detail, name="region"),
    path("system/", views.system_status, name="system-status"),
    path("grids/", include("grids.urls")),
    path("rosters/", include("rosters.urls")),
    path("registers/", include("parties.urls")),
    path("api/registers/", include("parties.api_urls")),
    path("cases/", include("disputes.urls")),
    path("disputes/", include("disputes.mediation_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
