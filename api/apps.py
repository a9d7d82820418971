from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from api import authentication  # noqa: F401  (registers the token scheme with drf-spectacular)
        from governance.navigation import ADMIN, NAV, NavLink
        from governance.roles import Cap

        # The admins' token page, for those who manage users somewhere (governance.navigation's registry).
        if not any(link.url_name == "api-tokens" for link in NAV):
            NAV.append(NavLink(_("API 令牌"), "api-tokens", Cap.MANAGE_SECURITY, group=ADMIN, icon="lock"))  # the 管理 menu
