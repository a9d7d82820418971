"""governance's own pages: the password change, the system status and the grid picker's search.
Signing in and out are Django's views (governance.urls); the home and territory pages are portal's."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from governance.celery import app as celery_app
from governance.fields import grid_label
from governance.forms import OwnPasswordChangeForm
from governance.http import forbidden
from governance.jobs import background_stopped, periodic_jobs
from governance.models import OutboxTask, WorkerHeartbeat
from governance.passwords import password_expired
from governance.roles import Cap
from governance.scope import runs_the_system
from governance.selectors import GRID_SEARCH_CAPS, grid_path, search_grids


class PasswordChange(auth_views.PasswordChangeView):
    """Django's password change (login required), written through do_change_own_password; where
    governance.middleware sends a user who must replace an issued password. Bad input: 400."""

    form_class = OwnPasswordChangeForm

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "password_expired": password_expired(self.request.user),
                "max_age_days": settings.PASSWORD_MAX_AGE_DAYS, "history": settings.PASSWORD_HISTORY}

    def form_invalid(self, form: OwnPasswordChangeForm) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 400
        return response


@login_required
def system_status(request: HttpRequest) -> HttpResponse:
    """Whether background work runs: the worker's last heartbeat, the tasks waiting in the outbox for
    the broker, and each periodic job's last run beside its schedule (late ones marked)."""
    if not runs_the_system(request.user):
        return forbidden(request)
    unsent = OutboxTask.objects.filter(sent_at__isnull=True)
    return render(request, "governance/system_status.html", {
        "last_beat": WorkerHeartbeat.objects.first(), "jobs": periodic_jobs(), "stopped": background_stopped(),
        "inline": settings.CELERY_TASK_ALWAYS_EAGER,
        # Tasks queued by writes that the broker has not taken yet (governance.outbox): Redis is or was down.
        "unsent": unsent.count(), "oldest_unsent": unsent.order_by("created_at").first(),
    })


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 while the pages can work — the database answers; 503 when it does not.
    An unreachable broker (Redis) is "degraded" but still 200: the pages work without it (the cache
    falls back to memory, queued tasks wait in the outbox, governance.outbox), and a load balancer that
    took every web server out of service for it would stop them all. "outbox": tasks not sent yet.
    No sign-in, no personal data."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except DatabaseError:
        checks["database"] = "error"
    if settings.CELERY_TASK_ALWAYS_EAGER:
        checks["broker"] = "inline"  # no broker: tasks run in the web process
    else:
        try:
            with celery_app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            checks["broker"] = "ok"
        except Exception:  # any transport's connection error: the broker is unreachable
            checks["broker"] = "error"
    if checks["database"] == "ok":
        checks["outbox"] = OutboxTask.objects.filter(sent_at__isnull=True).count()
    if checks["database"] != "ok":
        status, code = "error", 503
    elif checks["broker"] == "error":
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    response = JsonResponse({"status": status, **checks}, status=code)
    response["Cache-Control"] = "no-store"
    return response


GRID_SEARCH_MAX_Q = 64


@login_required
@require_GET
def grid_search(request: HttpRequest) -> JsonResponse:
    """The grid picker's type-ahead: at most 20 grids where the user holds `cap` whose code starts
    with `q` or whose (community's) name contains it: code, name and the street › community path.
    Outside the scope a grid simply does not appear."""
    q = request.GET.get("q", "")
    cap = request.GET.get("cap", Cap.VIEW)
    if cap not in GRID_SEARCH_CAPS:
        return JsonResponse({"error": _("参数无效。")}, status=400)
    if len(q) > GRID_SEARCH_MAX_Q or not q.isprintable():
        return JsonResponse({"error": _("查找内容无效。")}, status=400)
    results = [
        {"code": g.code, "name": g.name, "path": grid_path(g), "label": grid_label(g)}
        for g in search_grids(request.user, cap, q)
    ]
    response = JsonResponse({"results": results})
    response["Cache-Control"] = "private, no-store"
    return response
