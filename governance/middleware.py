"""Middleware of the governance app."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from governance.passwords import password_expired

log = logging.getLogger(__name__)


class PasswordChangeRequiredMiddleware:
    """A user holding an issued (initial or reset) password, or one older than PASSWORD_MAX_AGE_DAYS
    (governance.passwords), reaches nothing but the password-change page (and signing out, switching
    language, the second-factor enrolment, static files) until they set a new one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and (
            getattr(user, "must_change_password", False) or password_expired(user)
        ):
            if not self._allowed(request.path_info):
                if request.path_info.startswith("/api/") or request.headers.get("accept", "").startswith(
                    "application/json"
                ):
                    if not user.must_change_password:
                        return JsonResponse({"detail": _("密码已过期，请先修改密码。")}, status=403)
                    return JsonResponse({"detail": _("请先修改初始密码。")}, status=403)
                return redirect(reverse("password_change"))
        return self.get_response(request)

    @staticmethod
    def _allowed(path: str) -> bool:
        allowed = (reverse("password_change"), reverse("password_change_done"), reverse("logout"),
                   reverse("set_language"), reverse("totp-enrol"), settings.STATIC_URL)
        return path.startswith(allowed)


# What a database says when a write could not wait its turn: SQLite's lock (past the busy timeout),
# PostgreSQL's serialisation failure, deadlock and lock-not-available.
TRANSIENT_PG_CODES = {"40001", "40P01", "55P03"}


def is_deadlock(exc: BaseException) -> bool:
    """PostgreSQL chose this transaction as a deadlock's victim (40P01)."""
    return (getattr(exc.__cause__, "pgcode", None) or getattr(exc, "pgcode", None)) == "40P01"


def is_transient(exc: BaseException) -> bool:
    if not isinstance(exc, OperationalError):
        return False
    code = getattr(exc.__cause__, "pgcode", None) or getattr(exc, "pgcode", None)
    return code in TRANSIENT_PG_CODES or "database is locked" in str(exc)


def is_unavailable(exc: BaseException | None) -> bool:
    """The database could not be reached or dropped the connection (a restart, a network cut): any
    OperationalError or InterfaceError that is not a lost lock race (those are answered 409)."""
    return isinstance(exc, (OperationalError, InterfaceError)) and not is_transient(exc)


def wants_json(request: HttpRequest) -> bool:
    return request.path_info.startswith(("/api/", "/open311/")) or request.headers.get("accept", "").startswith(
        "application/json")


# How long the 503 asks a client to wait before trying again (seconds).
UNAVAILABLE_RETRY_AFTER = 15


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with a Chinese message (JSON on the API), made without the database: no user, no session,
    no context processors — the page stands alone (templates/503.html)."""
    message = _("数据库暂时无法连接，系统正在自动重连。本次操作没有完成，请稍后重试。")
    if wants_json(request):
        # Both shapes: the API v1 error body (api.errors) and the {"detail"} of the other JSON answers.
        body = {"detail": message, "error": {"code": "unavailable", "message": message, "fields": {}}}
        response: HttpResponse = JsonResponse(body, status=503)
    else:
        response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
    response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500 (portal.urls): the one place a request meets an unreachable database, wherever it was
    raised — the first query of a request is usually in a middleware (the session, the user), where
    no process_exception sees it, and Django hands every uncaught exception to this view. Answered
    503 (database_unavailable_response); any other error is Django's plain 500 page."""
    from django.views.defaults import server_error as plain_server_error

    if is_unavailable(sys.exc_info()[1]):
        log.warning("database unavailable on %s %s: %s", request.method, request.path, sys.exc_info()[1])
        return database_unavailable_response(request)
    return plain_server_error(request)


class TransientDatabaseErrorMiddleware:
    """A write that lost a race for a lock is answered 409 with a Chinese message, never 500.
    Its transaction was rolled back whole (every write is one atomic action), so nothing is half
    written and the user may simply send it again.

    An unreachable database is not handled here but by `server_error` (handler500), which sees it
    wherever it was raised, in a view or in a middleware: 503, with the same message on every page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    # A deadlock victim's transaction was rolled back whole and nothing of it was committed or sent, so
    # the view is run again (the other transaction has finished by then): up to this many more times.
    DEADLOCK_RETRIES = 3

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_transient(exception):
            return None
        match = request.resolver_match
        while is_deadlock(exception) and match and getattr(request, "gridgov_retries", 0) < self.DEADLOCK_RETRIES:
            request.gridgov_retries = getattr(request, "gridgov_retries", 0) + 1
            log.info("deadlock on %s %s: running it again (%s)", request.method, request.path, request.gridgov_retries)
            try:
                return match.func(request, *match.args, **match.kwargs)
            except OperationalError as again:
                if not is_transient(again):
                    raise
                exception = again
        log.warning("transient database error on %s %s: %s: %s", request.method, request.path, type(exception).__name__, exception)
        message = _("系统繁忙，您的操作没有保存，请稍后重试。")
        if wants_json(request):
            return JsonResponse({"detail": message}, status=409)
        return render(request, "409.html", {"message": message}, status=409)


class AuditContextMiddleware:
    """Sets the audit context (source address, request id, method, path) for the request, which
    governance.actions.record_audit reads, and records a refused request (403, 429) as one audit row
    with outcome "refused" — the attempt, by whom, from where."""

    REFUSED_STATUSES = {403, 429}

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from governance.audit import context as audit_context

        values = audit_context.from_request(request)
        with audit_context.audit_context(**values):
            response = self.get_response(request)
            if not request.path_info.startswith(settings.STATIC_URL):
                if response.status_code in self.REFUSED_STATUSES:
                    self._record(request, response, "request.refused", "refused")
                elif self._superuser(request):
                    # The superuser is for installation only: every request it makes is on the record
                    # (its writes in /admin/ also leave their own admin.* row).
                    self._record(request, response, "superuser.request", "success")
        return response

    @staticmethod
    def _superuser(request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated and user.is_superuser)

    @staticmethod
    def _record(request: HttpRequest, response: HttpResponse, action: str, outcome: str) -> None:
        from governance.actions import record_audit

        user = getattr(request, "user", None)
        try:
            record_audit(
                actor=user if user is not None and user.is_authenticated else None,
                action=action,
                target_type="request",
                target_id=request.path_info[:64],
                outcome=outcome,
                detail={"status": response.status_code, "method": request.method},
            )
        except Exception:  # never turn the answer into a 500
            log.exception("could not record %s", action)
