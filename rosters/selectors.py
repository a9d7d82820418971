from __future__ import annotations

from django.db.models import QuerySet

from governance.models import Region, User
from governance.roles import Cap
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
