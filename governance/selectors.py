"""Reads on the territory: children with their grid and grid-worker counts, a grid's workers, the
grid picker's search. Each starts from a scoped queryset."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import Substr

from governance.models import Region, RoleAssignment, User
from governance.roles import Cap, Level, Role
from governance.scope import scoped


@dataclass
class ChildRow:
    """A child node of the territory with the grids and the grid workers below it."""

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


# ---- the grid picker (governance.fields.GridField and /territory/grids/search/) -----------------

GRID_SEARCH_LIMIT = 20
# Capabilities a form may ask the grid search for (the form's own capability on the grid).
GRID_SEARCH_CAPS = (Cap.VIEW, Cap.VIEW_REGISTER, Cap.CHANGE_REGISTER, Cap.FILE_CASE)


def grids_in_scope(user: User, cap: str):
    """The grids where `user` holds `cap` (a queryset, code order)."""
    return scoped(Region.objects.filter(level=Level.GRID), user, cap).order_by("code")


def search_grids(user: User, cap: str, q: str, limit: int = GRID_SEARCH_LIMIT) -> list[Region]:
    """At most `limit` grids in scope whose code starts with `q` (digits) or whose name, or whose
    community's name, contains `q`; with the community and street loaded for the path. One query."""
    qs = grids_in_scope(user, cap)
    q = q.strip()
    if q.isascii() and q.isdigit():
        qs = qs.filter(code__startswith=q)
    elif q:
        qs = qs.filter(Q(name__contains=q) | Q(parent__name__contains=q))
    return list(qs.select_related("parent", "parent__parent").only(
        "code", "name", "parent__code", "parent__name", "parent__parent__code", "parent__parent__name")[:limit])


def grid_path(grid: Region) -> str:
    """“street › community” of a grid loaded with its parents."""
    community = grid.parent
    street = community.parent if community is not None else None
    return " › ".join(n.name for n in (street, community) if n is not None)
