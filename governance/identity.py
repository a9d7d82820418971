"""Identity (GB/T 22239-2019 8.1.4.1): who may sign in, for how long, and with which second factor.

- **Lockout** (django-axes, settings AXES_*): failed sign-ins are counted per account and per client
  address; past the limit either is locked for the cool-off. `governance.signin.lockout_response` answers with the
  sign-in page and a Chinese message (429). A security administrator lists and lifts lockouts
  (`do_unlock_account`, /security/lockouts/).
- **Sessions** (`SessionLimitsMiddleware`): signed out after SESSION_IDLE_MINUTES without a request
  and SESSION_COOKIE_AGE after signing in; with ONE_SESSION_PER_ACCOUNT a new sign-in ends the other
  session. The sign-in page then says why.
- **Second factor** (django-otp, TOTP with static recovery codes): the sign-in view (governance.signin)
  asks for a code after the password when the account has a confirmed device; every administrator's
  role (`roles.TOTP_REQUIRED_ROLES`) and superusers must enrol — `SecondFactorRequiredMiddleware`
  keeps them on the enrolment page until they have.
- **Audit**: sign-in, failed sign-in, sign-out (with its reason), lockout, unlock, second-factor
  enrolment and failures each leave one AuditEvent (`auth.*`, `otp.*`).
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from importlib import import_module

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp.oath import TOTP

from governance.actions import record_audit
from governance.addresses import client_address
from governance.models import User
from governance.roles import TOTP_REQUIRED_ROLES, Cap

log = logging.getLogger(__name__)

# Session keys.
SIGNED_IN_AT = "gridgov.signed_in_at"  # POSIX seconds of the sign-in
SEEN_AT = "gridgov.seen_at"  # of the latest request (written at most once a minute)
MUST_ENROL = "gridgov.must_enrol_totp"  # signed in with a password only; may reach the enrolment page only
PENDING = "gridgov.pending_sign_in"  # password accepted, second factor awaited (not signed in yet)
ENROL_KEY = "gridgov.totp_key"  # the key being enrolled, until a code from it is confirmed
SEEN_GRANULARITY = 60  # seconds: the idle clock is kept to the minute, not written on every request

RECOVERY_CODES = 10


# --- the client address ---------------------------------------------------------------------------

# --- lockout --------------------------------------------------------------------------------------

def lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_message() -> str:
    return _("登录失败次数过多，账号或本机地址已被锁定 %(minutes)s 分钟。请稍后再试，或联系安全管理员解锁。") % {
        "minutes": lockout_minutes()
    }


def lockouts(limit: int = 200) -> list[dict]:
    """What is locked now, newest first: each account, and each address, whose failures within the
    cool-off reach the limit (an address trying many accounts once each is locked as an address).
    Each: kind ("account" / "address"), value, failures, last attempt."""
    from axes.models import AccessAttempt

    recent = AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)
    found = []
    for kind, field in (("account", "username"), ("address", "ip_address")):
        rows = (recent.exclude(**{f"{field}__isnull": True}).values(field)
                .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
                .filter(failures__gte=settings.AXES_FAILURE_LIMIT).order_by("-last")[:limit])
        found += [{"kind": kind, "value": r[field], "failures": r["failures"], "last": r["last"]} for r in rows]
    return sorted(found, key=lambda r: r["last"], reverse=True)[:limit]


@transaction.atomic
def do_unlock_account(*, actor: User, kind: str, value: str) -> int:
    """A security administrator lifts a lockout: every counted failure of the account (kind "account")
    or of the address ("address"). Returns how many attempt records were removed."""
    from axes.models import AccessAttempt

    if not holds_anywhere(actor, Cap.MANAGE_SECURITY):
        raise PermissionDenied(_("只有安全管理员可以解除锁定。"))
    field = {"account": "username", "address": "ip_address"}.get(kind)
    if field is None or not value:
        raise ValidationError(_("请选择要解除的锁定。"))
    removed = AccessAttempt.objects.filter(**{field: value}).delete()[0]
    if not removed:
        raise ValidationError(_("该锁定记录不存在或已解除。"))
    account = User.objects.filter(username=value).first() if kind == "account" else None
    record_audit(actor=actor, action="auth.unlock", target=account or actor,
                 detail={"kind": kind, "value": value, "attempts": removed})
    return removed


def holds_anywhere(user: User, cap: str) -> bool:
    from governance.scope import region_codes

    return user.is_authenticated and user.is_active and (user.is_superuser or bool(region_codes(user, cap)))


# --- the audit of signing in and out -------------------------------------------------------------

@receiver(user_logged_in, dispatch_uid="gridgov.identity.signed_in")
def _signed_in(sender, request: HttpRequest, user: User, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    now = timezone.now().timestamp()
    request.session[SIGNED_IN_AT] = now
    request.session[SEEN_AT] = now
    if settings.ONE_SESSION_PER_ACCOUNT:
        if request.session.session_key is None:
            request.session.save()
        previous = user.current_session_key
        if previous and previous != request.session.session_key:
            import_module(settings.SESSION_ENGINE).SessionStore(session_key=previous).delete()
        User.objects.filter(pk=user.pk).update(current_session_key=request.session.session_key)
        user.current_session_key = request.session.session_key
    device = getattr(user, "otp_device", None)
    record_audit(actor=user, action="auth.sign_in", target=user,
                 detail={"address": client_address(request) or "", "second_factor": device is not None})


@receiver(user_logged_out, dispatch_uid="gridgov.identity.signed_out")
def _signed_out(sender, request: HttpRequest, user: User | None, **kwargs) -> None:
    if user is None:
        return
    reason = getattr(request, "gridgov_sign_out_reason", "user") if request is not None else "user"
    record_audit(actor=user, action="auth.sign_out", target=user,
                 detail={"reason": reason, "address": (client_address(request) if request else None) or ""})


@receiver(user_login_failed, dispatch_uid="gridgov.identity.failed")
def _sign_in_failed(sender, credentials: dict, request: HttpRequest | None = None, **kwargs) -> None:
    username = str(credentials.get("username", ""))[:150]
    account = User.objects.filter(username=username).first() if username else None
    record_audit(actor=None, action="auth.sign_in.failed", target=account or User(pk=0), detail={
        "username": username, "address": (client_address(request) if request else None) or "",
        "locked_out": bool(getattr(request, "axes_locked_out", False)),
        "step": str(credentials.get("step", "password")),
    })


@receiver(user_locked_out, dispatch_uid="gridgov.identity.locked_out")
def _locked_out(sender, request: HttpRequest, username: str | None, ip_address: str | None, **kwargs) -> None:
    account = User.objects.filter(username=username).first() if username else None
    record_audit(actor=None, action="auth.lockout", target=account or User(pk=0),
                 detail={"username": username or "", "address": ip_address or "", "minutes": lockout_minutes()})


# --- sessions -------------------------------------------------------------------------------------

def _wants_json(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/") or request.headers.get("accept", "").startswith("application/json")


SIGN_OUT_MESSAGES = {
    "idle": lambda: _("您已超过 %(minutes)s 分钟没有操作，为保护数据已自动退出，请重新登录。")
    % {"minutes": settings.SESSION_IDLE_MINUTES},
    "expired": lambda: _("本次登录已达 %(hours)s 小时上限，请重新登录。")
    % {"hours": f"{settings.SESSION_COOKIE_AGE / 3600:g}"},
    "elsewhere": lambda: _("您的账号已在其他地方登录，本次会话已结束。"),
    "pending": lambda: _("验证码输入超时，请重新登录。"),
}


def sign_out_message(reason: str) -> str:
    make = SIGN_OUT_MESSAGES.get(reason)
    return make() if make else ""


class SessionLimitsMiddleware:
    """Ends a session idle for SESSION_IDLE_MINUTES, older than SESSION_COOKIE_AGE since the sign-in,
    or (ONE_SESSION_PER_ACCOUNT) replaced by a newer sign-in of the account; the user is sent to the
    sign-in page, which says why (JSON: 401)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            reason = self._ended(request, user)
            if reason:
                request.gridgov_sign_out_reason = reason
                logout(request)
                message = sign_out_message(reason)
                if _wants_json(request):
                    return JsonResponse({"detail": message}, status=401)
                # Back to the page after signing in again; not to a form's POST target (e.g. /logout/).
                query = {"next": request.get_full_path()} if request.method == "GET" else {}
                return redirect(f"{reverse('login')}?{urlencode({**query, 'signed_out': reason})}")
        return self.get_response(request)

    @staticmethod
    def _ended(request: HttpRequest, user: User) -> str:
        session = request.session
        now = timezone.now().timestamp()
        signed_in = session.get(SIGNED_IN_AT)
        seen = session.get(SEEN_AT)
        if signed_in is None or seen is None:  # a session from before these limits: the clocks start now
            session[SIGNED_IN_AT] = signed_in or now
            session[SEEN_AT] = now
            return ""
        if now - signed_in > settings.SESSION_COOKIE_AGE:
            return "expired"
        if settings.SESSION_IDLE_MINUTES > 0 and now - seen > settings.SESSION_IDLE_MINUTES * 60:
            return "idle"
        if settings.ONE_SESSION_PER_ACCOUNT and user.current_session_key and (
            user.current_session_key != session.session_key
        ):
            return "elsewhere"
        if now - seen >= SEEN_GRANULARITY:
            session[SEEN_AT] = now
        return ""


# --- the second factor ----------------------------------------------------------------------------

def totp_required(user: User) -> bool:
    """Superusers and every holder of an administrator's role must sign in with a second factor."""
    if user.is_superuser:
        return True
    from governance.scope import role_assignments

    return any(a.role in TOTP_REQUIRED_ROLES for a in role_assignments(user))


def confirmed_totp(user: User):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_second_factor(user: User) -> bool:
    from django_otp import devices_for_user

    return any(True for _device in devices_for_user(user, confirmed=True))


def match_second_factor(user: User, token: str):
    """The device that accepts `token`: six digits are tried on the authenticator app, anything else
    on the recovery codes (each used once), so a recovery code does not count against the app's
    throttling. None if none accepts it."""
    from django_otp import devices_for_user
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with transaction.atomic():
        for device in devices_for_user(user, for_verify=True):
            if isinstance(device, TOTPDevice) != token.isdigit():
                continue
            if device.verify_token(token):
                return device
    return None


def new_totp_key() -> str:
    """20 random bytes as hex: django-otp's TOTPDevice.key."""
    return secrets.token_hex(20)


@transaction.atomic
def do_enrol_totp(*, actor: User, key: str, token: str) -> tuple[object, list[str]]:
    """Confirm an authenticator app: a code from `key` proves the user holds it. Replaces any earlier
    device and recovery codes; returns the device and the new recovery codes (shown once)."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    totp = TOTP(bytes.fromhex(key))
    totp.time = time.time()
    if not (token.isdigit() and len(token) == 6 and totp.verify(int(token), tolerance=1)):
        raise ValidationError(_("验证码不正确，请确认手机时间准确后重新输入。"))
    TOTPDevice.objects.filter(user=actor).delete()
    StaticDevice.objects.filter(user=actor).delete()
    # last_t: the code just used cannot sign in again.
    device = TOTPDevice.objects.create(user=actor, name=_("身份验证器"), key=key, confirmed=True, last_t=totp.t(),
                                       drift=totp.drift)
    static = StaticDevice.objects.create(user=actor, name=_("恢复码"), confirmed=True)
    codes = [StaticToken.random_token() for _position in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    record_audit(actor=actor, action="otp.enrol", target=actor, detail={"recovery_codes": len(codes)})
    return device, codes


@transaction.atomic
def do_remove_second_factor(*, actor: User) -> None:
    """A user who need not have a second factor switches it off (those who must cannot)."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if totp_required(actor):
        raise PermissionDenied(_("管理员账号必须使用两步验证，不能关闭。"))
    TOTPDevice.objects.filter(user=actor).delete()
    StaticDevice.objects.filter(user=actor).delete()
    record_audit(actor=actor, action="otp.remove", target=actor)


class SecondFactorRequiredMiddleware:
    """A user who signed in with a password alone although their role requires a second factor
    reaches only the enrolment page (and signing out, the language) until they have enrolled."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and request.session.get(MUST_ENROL):
            allowed = (reverse("totp-enrol"), reverse("logout"), reverse("set_language"), settings.STATIC_URL,
                       reverse("javascript-catalog"))
            if not request.path_info.startswith(allowed):
                if _wants_json(request):
                    return JsonResponse({"detail": _("请先设置两步验证。")}, status=403)
                return redirect(reverse("totp-enrol"))
        return self.get_response(request)
