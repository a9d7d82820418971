"""What every app's views answer when an action refuses.

An action refuses with an exception; a view turns it into a status and one Chinese line:
a stale version (`StaleVersion`) is 409, `PermissionDenied` 403, `ValidationError` 400.
Reading posted values is `governance.inputs`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from governance.actions import StaleVersion, validation_message


def error_status(exc: Exception) -> tuple[str, int]:
    """The message and HTTP status for an action's refusal."""
    if isinstance(exc, StaleVersion):
        return str(exc.message), 409
    if isinstance(exc, PermissionDenied):
        return str(exc) or _("您没有执行此操作的权限。"), 403
    if isinstance(exc, ValidationError):
        return validation_message(exc), 400
    raise TypeError(f"not an action's refusal: {exc!r}")


def forbidden(request: HttpRequest, message: str = "") -> HttpResponse:
    return render(request, "403.html", {"message": message} if message else {}, status=403)
