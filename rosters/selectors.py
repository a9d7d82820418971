from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField, Case, Count, Prefetch, Q, QuerySet, Value, When
from guardian.models import GroupObjectPermission, UserObjectPermission

from governance.models import Region, RoleAssignment, User
from governance.roles import ADMIN_ROLES, Cap, Role
from governance.scope import region_codes, scoped
from rosters.models import ImportJob


def import_jobs_for(user: User) -> QuerySet[ImportJob]:
    return scoped(ImportJob.objects.all(), user, Cap.IMPORT_ROSTER).select_related("created_by", "region")


def may_import(user: User) -> bool:
    return user.is_authenticated and bool(region_codes(user, Cap.IMPORT_ROSTER))


def import_region_code(user: User) -> str | None:
    """The node an upload is filed under (for the history's scope): the user's highest import node."""
    codes = region_codes(user, Cap.IMPORT_ROSTER)
    return codes[0] if codes else None


# Where an account that holds nothing, or holds a grant on something other than a territory node
# (one case shared with it), is placed: a "node" no admin's scope contains (only the unscoped may touch it).
NOWHERE = ""


def account_territories(user_ids: Iterable[int]) -> dict[int, set[str]]:
    """Every territory node each account holds something on: the nodes of its roles and of its
    territorial grants (django-guardian `scope_<cap>` on a Region, its own or its groups'). Any
    other object grant counts as NOWHERE. An account holding nothing is absent from the result.
    Three queries, whatever the number of accounts."""
    ids = list(user_ids)
    held: dict[int, set[str]] = {}
    region_ct = ContentType.objects.get_for_model(Region)
    rows = list(RoleAssignment.objects.filter(user_id__in=ids).values_list("user_id", "region_id"))
    for model, user in ((UserObjectPermission, "user_id"), (GroupObjectPermission, "group__user")):
        for user_id, ct, codename, pk in model.objects.filter(**{f"{user}__in": ids}).values_list(
            user, "content_type_id", "permission__codename", "object_pk"
        ):
            rows.append((user_id, pk if ct == region_ct.pk and codename.startswith("scope_") else NOWHERE))
    for user_id, code in rows:
        held.setdefault(user_id, set()).add(code)
    return held


def untouchable_accounts(users: Iterable[User], prefixes: tuple[str, ...] | None) -> set[int]:
    """The accounts among `users` that someone whose import scope is `prefixes` (None: the system or a
    superuser) may not change by a roster nor give a password: a superuser always; for a scoped
    importer, an account holding nothing (it lies in nobody's scope) or anything outside the scope."""
    users = list(users)
    refused = {u.pk for u in users if u.is_superuser}
    if prefixes is None:
        return refused
    # 三员分立: no importer changes an administrator's account (system, security, audit).
    refused |= set(RoleAssignment.objects.filter(user__in=[u.pk for u in users], role__in=ADMIN_ROLES)
                   .values_list("user_id", flat=True))
    held = account_territories(u.pk for u in users)
    for user in users:
        nodes = held.get(user.pk)
        if not nodes or not all(code and code.startswith(prefixes) for code in nodes):
            refused.add(user.pk)
    return refused


def password_workers_for(user: User) -> QuerySet[User]:
    """Grid workers whose password `user` may issue or reset: holding a grid-worker role inside
    the user's import scope and no role or territorial grant outside it (nor any other object
    grant); never a superuser, never the user themself. The queryset form of untouchable_accounts."""
    codes = region_codes(user, Cap.IMPORT_ROSTER)
    if not codes:
        return User.objects.none()
    in_scope = scoped(RoleAssignment.objects.filter(role=Role.GRID_WORKER), user, Cap.IMPORT_ROSTER)
    workers = User.objects.filter(is_active=True, is_superuser=False, pk__in=in_scope.values("user_id"))
    inside, granted_inside = Q(), Q()
    for code in codes:
        inside |= Q(region__code__startswith=code)
        granted_inside |= Q(object_pk__startswith=code)
    granted_inside &= Q(content_type=ContentType.objects.get_for_model(Region),
                        permission__codename__startswith="scope_")
    workers = (
        workers.exclude(pk__in=RoleAssignment.objects.exclude(inside).values("user_id"))
        .exclude(pk__in=UserObjectPermission.objects.exclude(granted_inside).values("user_id"))
        .exclude(pk__in=GroupObjectPermission.objects.exclude(granted_inside).values("group__user"))
    )
    # 三员分立: an administrator's account (system, security, audit) is never given a password here.
    workers = workers.exclude(pk__in=RoleAssignment.objects.filter(role__in=ADMIN_ROLES).values("user_id"))
    return workers.exclude(pk=user.pk)


WITHOUT_PASSWORD = Q(password__startswith=UNUSABLE_PASSWORD_PREFIX) | Q(password="")


def password_overview(workers: QuerySet[User]) -> dict[str, int]:
    return workers.aggregate(
        total=Count("pk"),
        without_password=Count("pk", filter=WITHOUT_PASSWORD),
        must_change=Count("pk", filter=Q(must_change_password=True) & ~WITHOUT_PASSWORD),
    )


def password_worker_page_rows(workers: QuerySet[User]) -> QuerySet[User]:
    """The list on the passwords page: each worker with their grids and password state."""
    grids = RoleAssignment.objects.filter(role=Role.GRID_WORKER).select_related("region").only(
        "user_id", "region__code", "region__name"
    ).order_by("region_id")
    return (
        workers.only("pk", "username", "name", "must_change_password")
        .annotate(has_password=Case(When(WITHOUT_PASSWORD, then=Value(False)), default=Value(True),
                                    output_field=BooleanField()))
        .prefetch_related(Prefetch("role_assignments", queryset=grids, to_attr="grid_roles"))
        .order_by("username")
    )
