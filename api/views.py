"""/api/tokens/: the security administrator (MANAGE_SECURITY on a node above the user) issues and revokes API tokens
for the accounts in their scope (governance.tokens.managed_users). A new token is shown once, in
the answer to the POST that issued it; the list shows prefixes only. Issue and revoke are
governance's do_issue_api_token / do_revoke_api_token (one audit row each)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance.actions import do_issue_api_token, do_revoke_api_token, validation_message
from governance.http import forbidden
from governance.models import ApiToken
from governance.roles import Cap
from governance.scope import region_codes
from governance.tokens import managed_users

LIST_LIMIT = 100


def _may_manage(user) -> bool:
    return user.is_superuser or bool(region_codes(user, Cap.MANAGE_SECURITY))  # the security administrator's


def _context(request: HttpRequest, **extra) -> dict:
    users = managed_users(request.user)
    q = request.GET.get("q", "").strip()[:150]
    tokens = ApiToken.objects.filter(user__in=users).select_related("user", "created_by")
    if q:
        tokens = tokens.filter(user__username__startswith=q)
    return {"tokens": list(tokens.order_by("-created_at", "-id")[:LIST_LIMIT]), "q": q, "now": timezone.now(),
            "limit": LIST_LIMIT, **extra}


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    if not _may_manage(request.user):
        return forbidden(request, _("只有管理员可以管理 API 令牌。"))
    if request.method != "POST":
        return _no_store(render(request, "api/tokens.html", _context(request)))
    p = request.POST
    username = p.get("username", "").strip()[:150]
    user = managed_users(request.user).filter(username=username).first()
    error, status, issued = "", 200, None
    days = p.get("days", "").strip()
    if user is None:
        error, status = _("用户不存在或不在您的管辖范围内。"), 400
    elif days and (not days.isascii() or not days.isdigit() or not 1 <= int(days) <= 3650):
        error, status = _("有效天数须为 1 至 3650 的整数（留空：不过期）。"), 400
    else:
        expires = timezone.now() + timedelta(days=int(days)) if days else None
        try:
            row, token = do_issue_api_token(actor=request.user, user=user, name=p.get("name", ""), expires_at=expires)
        except ValidationError as e:
            error, status = validation_message(e), 400
        except PermissionDenied as e:
            error, status = str(e), 403
        else:
            issued = {"row": row, "token": token}
    ctx = _context(request, issued=issued, error=error, posted={"username": username, "name": p.get("name", ""),
                                                                 "days": days})
    return _no_store(render(request, "api/tokens.html", ctx, status=status))


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    if not _may_manage(request.user):
        return forbidden(request, _("只有管理员可以管理 API 令牌。"))
    token = ApiToken.objects.filter(pk=pk, user__in=managed_users(request.user)).select_related("user").first()
    if token is None:
        raise Http404(_("不存在或不在您的辖区内。"))
    try:
        do_revoke_api_token(actor=request.user, token=token)
    except ValidationError as e:
        return _no_store(render(request, "api/tokens.html", _context(request, error=validation_message(e)), status=400))
    return redirect("api-tokens")
