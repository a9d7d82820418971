"""Reads for territory pages. Each starts from a scoped queryset."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import Substr

from governance.models import Region, RoleAssignment, User
from governance.roles import Cap, Level, Role
from governance.scope import scoped


@dataclass
class ChildRow:
    region: Region
    grids: int
    workers: int


def grid_worker_count(code_prefix: str) -> int:
    return (
        RoleAssignment.objects.filter(role=Role.GRID_WORKER, region__code__startswith=code_prefix)
        .values("user_id")
        .distinct()
        .count()
    )


def children_with_counts(user: User, region: Region) -> list[ChildRow]:
    """Children of `region` with their grid and grid-worker counts: three queries, whatever the size."""
    children = list(scoped(Region.objects.filter(parent=region), user, Cap.VIEW))
    if not children:
        return []
    width = len(children[0].code)
    grids = dict(
        Region.objects.filter(level=Level.GRID, code__startswith=region.code)
        .annotate(prefix=Substr("code", 1, width))
        .values_list("prefix")
        .annotate(n=Count("code"))
    )
    workers = dict(
        RoleAssignment.objects.filter(role=Role.GRID_WORKER, region__code__startswith=region.code)
        .annotate(prefix=Substr("region_id", 1, width))
        .values_list("prefix")
        .annotate(n=Count("user_id", distinct=True))
    )
    return [ChildRow(c, grids.get(c.code, 1 if c.is_grid else 0), workers.get(c.code, 0)) for c in children]


def grid_workers_of(grid: Region) -> list[User]:
    return list(
        User.objects.filter(role_assignments__role=Role.GRID_WORKER, role_assignments__region=grid)
        .order_by("name")
        .distinct()
    )
