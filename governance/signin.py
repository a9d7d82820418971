"""The sign-in pages: password, then (with an enrolled authenticator) a one-time code; the enrolment
of an authenticator with its recovery codes; the security administrator's list of lockouts.

Every password goes through `authenticate(request, …)`, so django-axes counts failures and refuses a
locked account or address (governance.identity). The Django admin's own sign-in sends here
(`admin_login`), so it has the same lockout and second factor.
"""

from __future__ import annotations

import base64

import segno
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from governance import identity
from governance.actions import validation_message
from governance.http import forbidden
from governance.models import User
from governance.passwords import issued_password_expired
from governance.roles import Cap

PENDING_SECONDS = 300  # the code must follow the password within five minutes


class SignInForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": gettext_lazy("用户名或密码不正确，请重新输入。"),
        "issued_expired": gettext_lazy("初始密码超过 %(days)s 天未使用，已经失效。请联系管理员重新发放。"),
    }

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if issued_password_expired(user):
            raise ValidationError(self.error_messages["issued_expired"], code="issued_expired",
                                  params={"days": settings.ISSUED_PASSWORD_DAYS})


def lockout_response(request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None):
    """What axes answers instead of the sign-in page once locked out: the same page, its message, 429."""
    message = identity.lockout_message()
    if request.path_info.startswith("/api/") or request.headers.get("accept", "").startswith("application/json"):
        return JsonResponse({"detail": message}, status=429)
    form = SignInForm(request, data=None, initial={"username": (credentials or {}).get("username", "")})
    return render(request, "registration/login.html", {"form": form, "locked_out": True, "lockout_message": message},
                  status=429)



class SignInView(auth_views.LoginView):
    """The password step. With a confirmed authenticator the user is not signed in yet: the session
    remembers who passed the password (for five minutes) and the code page follows."""

    form_class = SignInForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["signed_out_message"] = identity.sign_out_message(self.request.GET.get("signed_out", ""))
        return context

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def form_valid(self, form):
        user = form.get_user()
        next_url = self.get_success_url()
        if identity.has_second_factor(user):
            self.request.session.cycle_key()
            self.request.session[identity.PENDING] = {
                "user": user.pk, "backend": user.backend, "at": timezone.now().timestamp(), "next": next_url,
            }
            return redirect("login-verify")
        login(self.request, user)
        if identity.totp_required(user):
            self.request.session[identity.MUST_ENROL] = True
            return redirect("totp-enrol")
        return redirect(next_url)


class CodeForm(forms.Form):
    token = forms.CharField(label=gettext_lazy("验证码"), max_length=16, strip=True)


def _pending_user(request: HttpRequest) -> tuple[User | None, dict]:
    pending = request.session.get(identity.PENDING)
    if not isinstance(pending, dict):
        return None, {}
    if timezone.now().timestamp() - float(pending.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(identity.PENDING, None)
        return None, {}
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    return user, pending


@sensitive_post_parameters("token")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step: a code from the authenticator app, or one of the recovery codes. A wrong code
    counts as a failed sign-in of the account (lockout)."""
    user, pending = _pending_user(request)
    if user is None:
        return redirect(f"{reverse('login')}?{urlencode({'signed_out': 'pending'})}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        credentials = {"username": user.username}
        if not AxesProxyHandler.is_allowed(request, credentials):
            request.session.pop(identity.PENDING, None)
            return lockout_response(request, None, credentials)
        token = form.cleaned_data["token"].replace(" ", "").replace("-", "").lower()
        device = identity.match_second_factor(user, token) if token.isalnum() else None
        if device is not None:
            request.session.pop(identity.PENDING, None)
            user.backend = pending["backend"]
            user.otp_device = device  # django_otp's user_logged_in receiver keeps it in the session
            login(request, user)
            otp_login(request, device)
            next_url = pending.get("next") or settings.LOGIN_REDIRECT_URL
            if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                next_url = settings.LOGIN_REDIRECT_URL
            return redirect(next_url)
        user_login_failed.send(sender=__name__, credentials={**credentials, "step": "otp"}, request=request)
        form.add_error("token", _("验证码不正确，请重新输入。"))
    status = 400 if request.method == "POST" else 200
    return render(request, "registration/verify.html", {"form": form}, status=status)


def _qr_svg(uri: str) -> str:
    return segno.make(uri, error="m").svg_inline(scale=4, border=2, dark="#000", light="#fff")


def _spaced(key_hex: str) -> str:
    b32 = base64.b32encode(bytes.fromhex(key_hex)).decode()
    return " ".join(b32[i:i + 4] for i in range(0, len(b32), 4))


@login_required
@sensitive_post_parameters("token", "password")
@never_cache
@require_http_methods(["GET", "POST"])
def totp_enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the key), confirm with a code; the
    recovery codes are shown once, on the page that answers the confirmation."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = request.user
    if request.method == "POST" and request.POST.get("action") == "remove":
        if not user.check_password(request.POST.get("password", "")):  # a borrowed session cannot switch it off
            messages.error(request, _("密码不正确，两步验证没有关闭。"))
            return redirect("totp-enrol")
        try:
            identity.do_remove_second_factor(actor=user)
        except PermissionDenied as exc:
            return forbidden(request, str(exc))
        messages.success(request, _("已关闭两步验证。"))
        return redirect("totp-enrol")
    key = request.session.get(identity.ENROL_KEY)
    if not key:
        key = identity.new_totp_key()
        request.session[identity.ENROL_KEY] = key
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = identity.do_enrol_totp(actor=user, key=key, token=form.cleaned_data["token"].replace(" ", ""))
        except ValidationError as exc:
            form.add_error("token", validation_message(exc))
        else:
            otp_login(request, device)
            request.session.pop(identity.ENROL_KEY, None)
            request.session.pop(identity.MUST_ENROL, None)
            return render(request, "governance/recovery_codes.html", {"codes": codes})
    enrolled = identity.confirmed_totp(user)
    uri = TOTPDevice(user=user, key=key).config_url
    return render(request, "governance/totp_enrol.html", {
        "form": form, "qr_svg": _qr_svg(uri), "key_text": _spaced(key), "enrolled": enrolled,
        "required": identity.totp_required(user), "must_enrol": bool(request.session.get(identity.MUST_ENROL)),
    }, status=400 if request.method == "POST" else 200)


LOCKOUTS_SHOWN = 200


@login_required
@require_http_methods(["GET", "POST"])
def lockouts(request: HttpRequest) -> HttpResponse:
    """The security administrator's list of accounts and addresses locked now, each with 解除锁定."""
    if not identity.holds_anywhere(request.user, Cap.MANAGE_SECURITY):
        return forbidden(request, _("只有安全管理员可以查看和解除锁定。"))
    context = {"limit": settings.AXES_FAILURE_LIMIT, "minutes": identity.lockout_minutes()}
    if request.method == "POST":
        try:
            identity.do_unlock_account(actor=request.user, kind=request.POST.get("kind", ""),
                                       value=request.POST.get("value", "")[:150])
        except ValidationError as exc:
            return render(request, "governance/lockouts.html", {
                **context, "locked": identity.lockouts(LOCKOUTS_SHOWN), "error": validation_message(exc),
            }, status=400)
        messages.success(request, _("已解除锁定。"))
        return redirect("security-lockouts")
    return render(request, "governance/lockouts.html", {**context, "locked": identity.lockouts(LOCKOUTS_SHOWN)})


def admin_login(request: HttpRequest) -> HttpResponse:
    """/admin/login/: the site's sign-in (lockout, second factor), then back to the admin. A signed-in
    account that is not a superuser is told so instead of being sent round in a loop."""
    if request.user.is_authenticated:
        return forbidden(request, _("后台管理仅限超级管理员使用。"))
    next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
    return redirect(f"{reverse('login')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")
