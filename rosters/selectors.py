from __future__ import annotations

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import BooleanField, Case, Count, Prefetch, Q, QuerySet, Value, When

from governance.models import Region, RoleAssignment, User
from governance.roles import Cap, Role
from governance.scope import region_codes, scoped
from rosters.models import ImportJob


def import_jobs_for(user: User) -> QuerySet[ImportJob]:
    return scoped(ImportJob.objects.all(), user, Cap.IMPORT_ROSTER).select_related("created_by", "region")


def may_import(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(region_codes(user, Cap.IMPORT_ROSTER)))


def import_region_code(user: User) -> str | None:
    """The node an upload is filed under (for the history's scope): the user's highest import node."""
    if user.is_superuser:
        root = Region.objects.filter(parent__isnull=True).order_by("code").values_list("code", flat=True).first()
        return root
    codes = region_codes(user, Cap.IMPORT_ROSTER)
    return codes[0] if codes else None


def password_workers_for(user: User) -> QuerySet[User]:
    """Grid workers whose password `user` may issue or reset: holding a grid-worker role inside
    the user's import scope and no role outside it; never a superuser, never the user themself."""
    codes = region_codes(user, Cap.IMPORT_ROSTER)
    if not user.is_superuser and not codes:
        return User.objects.none()
    in_scope = scoped(RoleAssignment.objects.filter(role=Role.GRID_WORKER), user, Cap.IMPORT_ROSTER)
    workers = User.objects.filter(is_active=True, is_superuser=False, pk__in=in_scope.values("user_id"))
    if not user.is_superuser:
        inside = Q()
        for code in codes:
            inside |= Q(region__code__startswith=code)
        workers = workers.exclude(pk__in=RoleAssignment.objects.exclude(inside).values("user_id"))
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
