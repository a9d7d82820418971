"""One error body for the whole API: {"error": {"code": …, "message": …, "fields": {…}}}.

The message is in the request's language (Chinese by default, English under
`Accept-Language: en`: LocaleMiddleware picks it). The actions' refusals map as on the pages
(governance.http.error_status): a stale version (StaleVersion) is 409, PermissionDenied 403,
a Django ValidationError 400; outside the user's scope is 404."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.views import exception_handler as drf_exception_handler

from governance.actions import StaleVersion, validation_message
from governance.middleware import is_transient


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [m for v in detail.values() for m in _flatten(v)]
    if isinstance(detail, (list, tuple)):
        return [m for v in detail for m in _flatten(v)]
    return [str(detail)]


def _fields(detail) -> dict[str, list[str]]:
    if not isinstance(detail, dict):
        return {}
    return {str(k): _flatten(v) for k, v in detail.items() if k not in ("non_field_errors", NON_FIELD_ERRORS)}


def translate(exc: Exception) -> Exception:
    """An action's refusal (Django's exceptions) as DRF's; a write that lost a race for a lock
    (governance.middleware.is_transient) is a 409 here too, in the one shape."""
    if is_transient(exc):
        return Conflict(_("系统繁忙，您的操作没有保存，请稍后重试。"))
    if isinstance(exc, StaleVersion):
        return Conflict(str(exc.message))
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {(k if k != NON_FIELD_ERRORS else "non_field_errors"): list(v) for k, v in exc.message_dict.items()}
            error = exceptions.ValidationError(detail)
            error.message = validation_message(exc)
            return error
        error = exceptions.ValidationError({"non_field_errors": exc.messages})
        error.message = validation_message(exc)
        return error
    if isinstance(exc, Http404):
        return exceptions.NotFound(str(exc) if exc.args else _("不存在或不在您的辖区内。"))
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or _("您没有执行此操作的权限。"))
    return exc


DEFAULT_MESSAGES = {
    400: lambda: _("提交的数据有误。"),
    401: lambda: _("请先登录或提供有效的 API 令牌。"),
}


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def exception_handler(exc, context):
    exc = translate(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = getattr(exc, "detail", "")
    fields = _fields(detail)
    message = getattr(exc, "message", None)
    if message is None:
        flat = _flatten(detail)
        if isinstance(detail, dict) and fields:
            message = DEFAULT_MESSAGES[400]() if response.status_code == 400 else (flat[0] if flat else "")
            if "non_field_errors" in detail:
                message = "；".join(_flatten(detail["non_field_errors"]))
        else:
            message = "；".join(flat)
    if response.status_code == 401 and isinstance(exc, exceptions.NotAuthenticated):
        message = DEFAULT_MESSAGES[401]()
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.ValidationError):
        code = "invalid"
    response.data = error_body(code, str(message), fields)
    return response


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="机器可读的错误类别：invalid、not_authenticated、authentication_failed、"
                                           "permission_denied、not_found、conflict、throttled、method_not_allowed…")
    message = serializers.CharField(help_text="一句说明（中文；Accept-Language: en 时为英文）")
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()),
                                   help_text="各字段的错误（字段名 → 说明列表）；无则为空对象")


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()
