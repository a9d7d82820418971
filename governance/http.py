"""What every app's views answer when an action refuses.

An action refuses with an exception; a view turns it into a status and one Chinese line:
a stale version (`StaleVersion`) is 409, `PermissionDenied` 403, `ValidationError` 400.
Reading posted values is `governance.inputs`."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
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


def run_action(
    request: HttpRequest, perform: Callable[[], str], *, success_url: str, refused: Callable[[str, int], HttpResponse]
) -> HttpResponse:
    """A page's write: `perform` calls the action and returns the success message, shown after a
    redirect (POST/redirect/GET); a refusal is answered by `refused(message, status)`, which
    re-renders the page with the message and what was typed."""
    try:
        done = perform()
    except (StaleVersion, PermissionDenied, ValidationError) as e:
        return refused(*error_status(e))
    messages.success(request, done)
    return redirect(success_url)
