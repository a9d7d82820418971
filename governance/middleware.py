"""Middleware of the governance app."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _


class PasswordChangeRequiredMiddleware:
    """A user holding an issued (initial or reset) password reaches nothing but the password-change
    page (and signing out, switching language, static files) until they set their own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            if not self._allowed(request.path_info):
                if request.path_info.startswith("/api/") or request.headers.get("accept", "").startswith(
                    "application/json"
                ):
                    return JsonResponse({"detail": _("请先修改初始密码。")}, status=403)
                return redirect(reverse("password_change"))
        return self.get_response(request)

    @staticmethod
    def _allowed(path: str) -> bool:
        allowed = (reverse("password_change"), reverse("password_change_done"), reverse("logout"),
                   reverse("set_language"), settings.STATIC_URL)
        return path.startswith(allowed)
