"""What every /api/v1/ view shares: token or session authentication (session with CSRF, for the
Swagger UI's "Try it out" in a signed-in browser), signed-in users only, throttles per user and per
token, the one error shape, JSON only (settings.REST_FRAMEWORK: DRF's browsable HTML pages break the
strict CSP), no caching (the answers carry personal data), cursor pages, and a bounded id in paths."""

from __future__ import annotations

from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import generics
from rest_framework.authentication import SessionAuthentication
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import IsAuthenticated

from api.authentication import TokenAuthentication
from api.errors import error_body, exception_handler
from api.throttling import TokenThrottle, UserThrottle

MAX_ID = 2**31 - 1  # larger ids exist nowhere: 404 before any query (SQLite would overflow)


class NewestFirst(CursorPagination):
    """Cursor pages by id, newest first: no COUNT(*), stable under inserts."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ApiMixin:
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = [UserThrottle, TokenThrottle]

    def get_exception_handler(self):
        return exception_handler

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        return response


class ApiView(ApiMixin, generics.GenericAPIView):
    pagination_class = NewestFirst

    def get_queryset(self):
        """Unused: each view reads through its app's selectors; nothing is read from it."""
        return []


@csrf_exempt  # answers nothing but a 404: no state to protect
def not_found(request, *args, **kwargs) -> JsonResponse:
    response = JsonResponse(error_body("not_found", _("不存在或不在您的辖区内。")), status=404,
                            json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, no-store"
    return response


def bounded_id(value) -> int:
    value = int(value)
    if value > MAX_ID:
        raise Http404(_("不存在或不在您的辖区内。"))
    return value


def digits(value: str, limit: int) -> bool:
    return value.isascii() and value.isdigit() and len(value) <= limit
