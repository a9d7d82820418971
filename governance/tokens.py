"""API tokens (issue 15): making, hashing and finding them, and whose tokens an admin manages.

A token reads `ggt_<prefix>_<secret>`: 8 characters of prefix (kept in clear, to recognise a
token in lists) and 32 random bytes of secret. The database keeps only the SHA-256 of the
whole token; a high-entropy secret needs no slow hash (nothing to brute-force), and looking a
token up by its digest is one indexed query."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from guardian.models import GroupObjectPermission, UserObjectPermission

from governance.models import ApiToken, Region, RoleAssignment, User
from governance.roles import TOTP_REQUIRED_ROLES, Cap
from governance.scope import region_codes

SCHEME = "ggt_"


def new_token() -> tuple[str, str]:
    """(prefix, the whole token)."""
    prefix = secrets.token_hex(4)
    return prefix, f"{SCHEME}{prefix}_{secrets.token_urlsafe(32)}"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def find_token(token: str) -> ApiToken | None:
    """The token row for a presented token (active or not), or None."""
    if not token.startswith(SCHEME) or len(token) > 200:
        return None
    return ApiToken.objects.select_related("user").filter(digest=digest(token)).first()


def managed_users(actor: User) -> QuerySet[User]:
    """The accounts whose tokens `actor` may issue and revoke: every role and territorial grant
    they hold lies under a node where `actor` holds MANAGE_SECURITY — tokens are the security
    administrator's (三员分立), not the system administrator's — (and they hold at least one
    role there), never a superuser; superusers manage every account but other superusers."""
    users = User.objects.filter(is_superuser=False)
    if actor.is_superuser:
        return users
    codes = region_codes(actor, Cap.MANAGE_SECURITY)
    if not codes:
        return User.objects.none()
    inside, granted_inside = Q(), Q()
    for code in codes:
        inside |= Q(region__code__startswith=code)
        granted_inside |= Q(object_pk__startswith=code)
    granted_inside &= Q(content_type=ContentType.objects.get_for_model(Region), permission__codename__startswith="scope_")
    return (
        users.filter(pk__in=RoleAssignment.objects.filter(inside).values("user_id"))
        .exclude(pk__in=RoleAssignment.objects.exclude(inside).values("user_id"))
        .exclude(pk__in=UserObjectPermission.objects.exclude(granted_inside).values("user_id"))
        .exclude(pk__in=GroupObjectPermission.objects.exclude(granted_inside).values("group__user"))
    )


def manages(actor: User | None, user: User) -> bool:
    """Whether `actor` (None: the system, e.g. manage.py) may issue and revoke `user`'s tokens."""
    return actor is None or managed_users(actor).filter(pk=user.pk).exists()


def needs_second_factor(user: User) -> bool:
    """Accounts that must sign in with a second factor (superusers, every administrator's role:
    governance.identity.totp_required) get no API token: a token would be a way round it. Systems
    that call the API get an account of their own, with an operational role."""
    if user.is_superuser:
        return True
    return RoleAssignment.objects.filter(user=user, role__in=TOTP_REQUIRED_ROLES).exists()
