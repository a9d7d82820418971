from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.cache import cache_control
from django.views.i18n import JavaScriptCatalog

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
    # The strings of static/js in the user's language (served by the app: no CDN). base.html puts the
    # language in the URL, so the browser may keep each language's catalogue for a day.
    path("jsi18n/", cache_control(max_age=86400)(JavaScriptCatalog.as_view()), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]
