"""Writes on territory, users and roles. Every write in gridgov is a do_* function:
keyword-only arguments, one transaction, one audit row, side effects after commit."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance import tokens
from governance.audit import chain
from governance.audit import context as audit_context
from governance.db import in_transaction
from governance.models import ApiToken, AuditEvent, Department, Outcome, Region, RoleAssignment, User, validate_region_code
from governance.roles import ADMIN_ROLES, SEPARATED_CAPABILITIES, Cap
from governance.scope import can, forget_scope, region_codes


class StaleVersion(Exception):
    """The row changed since the actor loaded it (optimistic locking): shown as HTTP 409."""

    message = gettext_lazy("该记录已被他人更新，请刷新后重试。")


def record_audit(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    region_code: str = "",
    detail: dict | None = None,
    outcome: str = Outcome.SUCCESS,
    target_type: str = "",
    target_id: str = "",
) -> AuditEvent:
    """Append one audit row. Called inside the action's transaction, so it commits with the write: the
    row is buffered and written, linked to the hash chain, as the transaction commits (the chain's
    lock is the transaction's last lock: governance.audit.chain.flush); a rolled-back transaction or
    savepoint leaves no row.

    The source address and the request come from the audit context (governance.audit.context, set
    by AuditContextMiddleware for every request), so callers pass neither. `outcome` is success,
    refused or failed (Outcome); without a model instance, name the target by `target_type` and
    `target_id` (e.g. a sign-in attempt for a username that does not exist)."""
    ctx = audit_context.current()
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None  # AnonymousUser: a refused or failed attempt before sign-in
    # Inside the action's transaction (the usual case) the row is written as it commits; alone, the row
    # is its own transaction.
    with contextlib.nullcontext() if in_transaction(connection) else transaction.atomic():
        event = AuditEvent(
            actor=actor,
            action=action,
            target_type=target._meta.label_lower if target is not None else target_type[:64],
            target_id=str(target.pk) if target is not None else str(target_id)[:64],
            region_code=(region_code or "")[:15],
            detail=chain.normalise(detail),
            outcome=outcome,
            address=ctx.get("address"),
            context=chain.normalise({k: v for k, v in ctx.items() if k != "address"}),
        )
        chain.append(event)
    return event


def require(actor: User | None, cap: str, region_code: str) -> None:
    """actor=None means the system itself (seed, periodic tasks)."""
    if actor is not None and not can(actor, cap, region_code):
        raise PermissionDenied(_("您没有在该辖区执行此操作的权限。"))


@transaction.atomic
def do_create_region(
    *,
    actor: User | None,
    code: str,
    name: str,
    parent: Region | None = None,
    grid_type: str = "",
    boundary: dict | None = None,
    centre: tuple[float, float] | None = None,
) -> Region:
    require(actor, Cap.CONFIGURE, parent.code if parent else code)
    code = code.strip()
    level = validate_region_code(code, parent.code if parent else None)
    region = Region(
        code=code, name=name.strip(), level=level, parent=parent, grid_type=grid_type, boundary=boundary
    )
    if centre:
        region.centre_lat, region.centre_lng = (round(Decimal(str(v)), 6) for v in centre)
    region.full_clean()
    region.save(force_insert=True)
    record_audit(actor=actor, action="region.create", target=region, region_code=region.code)
    return region


@transaction.atomic
def do_create_user(*, actor: User | None, username: str, name: str, password: str, phone: str = "") -> User:
    if actor is not None and not actor.is_superuser and not region_codes(actor, Cap.MANAGE_USERS):
        raise PermissionDenied(_("只有系统管理员可以创建用户。"))
    user = User(username=username, name=name, phone=phone)
    user.set_password(password)
    user.full_clean()
    user.save()
    record_audit(actor=actor, action="user.create", target=user, detail={"username": username})
    return user


@transaction.atomic
def do_grant_role(
    *, actor: User | None, user: User, role: str, region: Region, department: Department | None = None
) -> RoleAssignment:
    require(actor, Cap.MANAGE_USERS, region.code)
    refuse_admin_role_grant(actor, user, role)
    assignment = RoleAssignment(user=user, role=role, region=region, department=department)
    assignment.full_clean()
    assignment.save()
    record_audit(
        actor=actor,
        action="role.grant",
        target=assignment,
        region_code=region.code,
        detail={"user": user.username, "role": role},
    )
    forget_scope(user)
    return assignment


def refuse_admin_role_grant(actor: User | None, user: User, role: str) -> None:
    """三员分立: the administrators' roles are granted at installation only (the system, or a superuser in
    the audited /admin/), never by a role holder — a system administrator cannot make anyone (themself
    included) a security or audit administrator, nor another system administrator; and no role holder
    changes the roles of an administrator's account."""
    if actor is None or actor.is_superuser:
        return
    if role in ADMIN_ROLES:
        raise PermissionDenied(_("三员分立：系统管理员、安全管理员、审计管理员只能由安装时的超级管理员授予。"))
    if user.pk == actor.pk or RoleAssignment.objects.filter(user=user, role__in=ADMIN_ROLES).exists():
        raise PermissionDenied(_("三员分立：不能为自己或管理员账号授予角色。"))


@transaction.atomic
def do_revoke_role(*, actor: User | None, assignment: RoleAssignment) -> None:
    require(actor, Cap.MANAGE_USERS, assignment.region_id)
    refuse_admin_role_grant(actor, assignment.user, assignment.role)
    detail: dict[str, Any] = {"user": assignment.user.username, "role": assignment.role}
    record_audit(
        actor=actor, action="role.revoke", target=assignment, region_code=assignment.region_id, detail=detail
    )
    assignment.delete()
    forget_scope(assignment.user)


# Capabilities a territorial grant may never carry: the administrators' own (三员分立).
UNGRANTABLE_CAPABILITIES = frozenset().union(*SEPARATED_CAPABILITIES)


def _refuse_capability_grant(actor: User | None, user: User, cap: str, region: Region) -> None:
    if cap not in Cap.ALL:
        raise ValidationError(_("未知的权限“%(cap)s”。") % {"cap": cap})
    require(actor, Cap.MANAGE_SECURITY, region.code)
    if cap in UNGRANTABLE_CAPABILITIES:
        raise PermissionDenied(_("三员分立：管理员的权限不能通过授权获得。"))
    if actor is not None and (user.pk == actor.pk or RoleAssignment.objects.filter(user=user, role__in=ADMIN_ROLES).exists()):
        raise PermissionDenied(_("三员分立：不能为自己或管理员账号授权。"))


@transaction.atomic
def do_grant_capability(*, actor: User | None, user: User, cap: str, region: Region) -> None:
    """The security administrator's territorial grant: `cap` on `region` and below, for `user` (a
    django-guardian permission scope_<cap> on the node). Never an administrator's capability, never
    to oneself or an administrator's account. Audited."""
    from guardian.shortcuts import assign_perm

    _refuse_capability_grant(actor, user, cap, region)
    assign_perm(f"governance.scope_{cap}", user, region)
    record_audit(actor=actor, action="grant.add", target=region, region_code=region.code,
                 detail={"user": user.username, "capability": cap})
    forget_scope(user)


@transaction.atomic
def do_revoke_capability(*, actor: User | None, user: User, cap: str, region: Region) -> None:
    from guardian.shortcuts import remove_perm

    _refuse_capability_grant(actor, user, cap, region)
    remove_perm(f"governance.scope_{cap}", user, region)
    record_audit(actor=actor, action="grant.remove", target=region, region_code=region.code,
                 detail={"user": user.username, "capability": cap})
    forget_scope(user)


@transaction.atomic
def do_change_own_password(*, actor: User, password: str) -> User:
    """A signed-in user sets a new password of their own (clears "must change at first login").
    The caller checked the old password and the validators (django.contrib.auth's form)."""
    was_initial = actor.must_change_password
    actor.set_password(password)
    actor.must_change_password = False
    actor.save(update_fields=["password", "must_change_password"])
    record_audit(actor=actor, action="user.password.change", target=actor, detail={"initial": was_initial})
    return actor


# ---------------------------------------------------------------- API tokens (issue 15)

# How often one token's use is written down: the first request of each minute leaves one
# `api_token.use` audit row and refreshes last_used_at (see do_record_api_token_use).
API_TOKEN_USE_EVERY = timedelta(minutes=1)


@transaction.atomic
def do_issue_api_token(
    *, actor: User | None, user: User, name: str = "", expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for `user`: (the row, the token itself — shown once, never stored)."""
    if not tokens.manages(actor, user):
        raise PermissionDenied(_("您只能为本辖区内的用户签发令牌。"))
    if not user.is_active:
        raise ValidationError(_("该用户已停用。"))
    if tokens.needs_second_factor(user):
        raise ValidationError(_("管理员账号须以双因素认证登录，不签发 API 令牌；请为对接的系统单独建立业务账号。"))
    name = (name or "").strip()
    if len(name) > 64 or "\x00" in name:
        raise ValidationError(_("用途不能超过 64 个字。"))
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError(_("到期时间须晚于当前时间。"))
    prefix, token = tokens.new_token()
    row = ApiToken.objects.create(user=user, name=name, prefix=prefix, digest=tokens.digest(token),
                                  created_by=actor, expires_at=expires_at)
    record_audit(actor=actor, action="api_token.issue", target=row,
                 detail={"user": user.username, "prefix": prefix, "name": name,
                         "expires_at": expires_at.isoformat() if expires_at else ""})
    return row, token


@transaction.atomic
def do_revoke_api_token(*, actor: User | None, token: ApiToken) -> ApiToken:
    if not tokens.manages(actor, token.user):
        raise PermissionDenied(_("您只能吊销本辖区内用户的令牌。"))
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise ValidationError(_("该令牌已吊销。"))
    token.revoked_at, token.revoked_by = timezone.now(), actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    record_audit(actor=actor, action="api_token.revoke", target=token,
                 detail={"user": token.user.username, "prefix": token.prefix})
    return token


@transaction.atomic
def do_record_api_token_use(*, token: ApiToken, method: str, path: str, now: datetime | None = None) -> bool:
    """A request authenticated by `token`. Written at most once a minute per token: the first
    request of the minute refreshes last_used_at and leaves one `api_token.use` row (who, which
    token, the first request's method and path). Every write the request makes is audited by its
    own action, every reveal and look-up too; the minute bounds the log at 1,440 rows a token a day.
    Returns whether a row was written."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < API_TOKEN_USE_EVERY:
        return False
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - API_TOKEN_USE_EVERY)
    if not ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now):
        return False  # another request of this minute wrote it
    token.last_used_at = now
    record_audit(actor=token.user, action="api_token.use", target=token,
                 detail={"prefix": token.prefix, "method": method, "path": path[:200]})
    return True


def validation_message(error: ValidationError) -> str:
    """One readable Chinese line from a ValidationError, for pages and command output."""
    if hasattr(error, "message_dict"):
        return "；".join(f"{'、'.join(msgs)}" for msgs in error.message_dict.values())
    return "；".join(error.messages)
