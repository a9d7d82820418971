"""Reads on the grid log and a grid worker's "my grid". Each starts from a scoped queryset."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils import timezone

from governance.models import Region, RoleAssignment, User
from governance.pagination import KeysetPage, keyset_page
from governance.roles import Cap, Level, Role
from governance.scope import role_assignments, scoped
from grids.models import Visit, VisitKind
from parties.models import SPECIAL_GROUP_TAGS, ResidentTag, TagKind
from parties.selectors import visible_tags_q

PAGE_SIZE = 50
KEY_PERSONS_SHOWN = 20  # on "my grid"; the register lists the rest (?grid=&tag=)


def visit_quota() -> int:
    """Household visits (入户走访) expected of one grid worker per month: the denominator of 走访率
    (reports.kpis) and the target on a grid worker's "my grid"."""
    return int(getattr(settings, "REPORTS_VISITS_PER_WORKER_MONTH", os.environ.get("GRIDGOV_VISIT_QUOTA", "20")))


def visits_in_scope(user: User, mine: bool = False, after: str | None = None, before: str | None = None,
                    **filters) -> KeysetPage:
    """Visits and patrols the user may see, newest first by when they happened (keyset pages by
    (at, pk): a visit logged late sits at its date; never counted in full);
    `mine`: only their own; `filters`: lookups already checked by the view (grid prefix, kind,
    dates). Raises BadPageKey for a bad key."""
    qs = scoped(Visit.objects.all(), user, Cap.VIEW_REGISTER)
    if mine:
        qs = qs.filter(worker=user)
    if filters:
        qs = qs.filter(**filters)
    qs = qs.select_related("worker", "grid", "house__building", "resident", "unit")
    return keyset_page(qs, time_field="at", after=after, before=before, size=PAGE_SIZE, counted=False)


def visits_of(user: User, limit: int = 20, **lookup) -> list[Visit]:
    """The latest visits to one house, resident or unit (`house=…`), for its register page."""
    return list(
        scoped(Visit.objects.filter(**lookup), user, Cap.VIEW_REGISTER)
        .select_related("worker", "house", "house__building", "resident", "unit")
        .order_by("-at", "-id")[:limit]
    )


def my_grids(user: User) -> list[Region]:
    """The grids `user` covers as a grid worker, with their community and street, in code order."""
    codes = [a.region_id for a in role_assignments(user) if a.role == Role.GRID_WORKER]
    if not codes:
        return []
    qs = Region.objects.filter(code__in=codes, level=Level.GRID).select_related("parent", "parent__parent")
    return list(scoped(qs, user, Cap.VIEW).order_by("code"))


def colleagues_of(user: User, grids: list[Region]) -> dict[str, list[str]]:
    """{grid code: the names of the other grid workers of that grid}."""
    colleagues: dict[str, list[str]] = {}
    rows = (
        RoleAssignment.objects.filter(role=Role.GRID_WORKER, region_id__in=[g.code for g in grids])
        .exclude(user=user)
        .select_related("user")
        .order_by("region_id", "user__name", "user_id")
    )
    for a in rows:
        colleagues.setdefault(a.region_id, []).append(a.user.get_full_name())
    return colleagues


def month_start(now: datetime | None = None) -> datetime:
    """The first instant of the current month in Asia/Shanghai."""
    local = timezone.localtime(now or timezone.now())
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


@dataclass
class VisitProgress:
    quota: int  # household visits expected of this worker this month
    done: int  # household visits they logged this month (入户走访, in any of their grids)
    patrols: int
    by_grid: dict[str, int]  # household visits this month per grid code
    days_left: int  # days of the month still to come, today included
    days_in_month: int

    @property
    def remaining(self) -> int:
        return max(self.quota - self.done, 0)

    @property
    def percent(self) -> int:
        return min(round(100 * self.done / self.quota), 100) if self.quota else 100

    @property
    def behind(self) -> bool:
        """Fewer visits than an even pace through the month would have by now."""
        return self.remaining > 0 and self.remaining > self.days_left * self.quota / max(self.days_in_month, 1)


def visit_progress(user: User, grids: list[Region], now: datetime | None = None) -> VisitProgress:
    """This month's household visits and patrols by `user` in their grids against the quota (one query)."""
    now = timezone.localtime(now or timezone.now())
    start = month_start(now)
    following = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    rows = (
        scoped(Visit.objects.filter(worker=user, at__gte=start, grid_id__in=[g.code for g in grids]), user,
               Cap.VIEW_REGISTER)
        .values("grid_id", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_grid: dict[str, int] = {}
    done = patrols = 0
    for row in rows:
        if row["kind"] == VisitKind.VISIT:
            by_grid[row["grid_id"]] = by_grid.get(row["grid_id"], 0) + row["n"]
            done += row["n"]
        else:
            patrols += row["n"]
    return VisitProgress(
        quota=visit_quota(), done=done, patrols=patrols, by_grid=by_grid,
        days_left=(following.date() - now.date()).days, days_in_month=(following.date() - start.date()).days,
    )


@dataclass
class KeyPersonGroup:
    tag: str
    label: str
    total: int  # residents of the user's grids with this tag
    rows: list[ResidentTag]  # the first of them (by name), each with its resident


def key_persons(user: User, grids: list[Region], limit: int | None = None) -> list[KeyPersonGroup]:
    """The key persons (特殊人群 tags) of `user`'s grids by tag: how many each, and the first `limit`
    (KEY_PERSONS_SHOWN) of all (two queries, however many there are). Residents are masked by the
    template, as on the register pages."""
    limit = limit or KEY_PERSONS_SHOWN
    codes = [g.code for g in grids]
    tags = scoped(
        ResidentTag.objects.filter(removed_at__isnull=True, tag__in=SPECIAL_GROUP_TAGS, resident__grid_id__in=codes),
        user, Cap.VIEW_REGISTER,
    ).filter(visible_tags_q(user))  # the sensitive tags only with view_sensitive_tags
    totals = dict(tags.values("tag").annotate(n=Count("resident_id", distinct=True)).values_list("tag", "n").order_by())
    if not totals:
        return []
    order = [tag for tag in TagKind.values if tag in totals]  # the tags' own order (重点人员 first)
    rank = Case(*(When(tag=tag, then=Value(i)) for i, tag in enumerate(order)), output_field=IntegerField())
    rows = list(
        tags.select_related("resident", "resident__grid", "resident__house", "resident__house__building")
        .annotate(rank=rank)
        .order_by("rank", "resident__name", "resident_id")[:limit]
    )
    visited = visited_this_month(user, [t.resident for t in rows])
    for t in rows:
        t.visited_this_month = t.resident_id in visited
    return [
        KeyPersonGroup(tag, str(TagKind(tag).label), totals[tag], [t for t in rows if t.tag == tag]) for tag in order
    ]


def visited_this_month(user: User, residents: list, now: datetime | None = None) -> set[int]:
    """The pks of those `residents` visited this month (Asia/Shanghai): a household visit to them or
    to the house they live in, by anyone (one query)."""
    if not residents:
        return set()
    by_house: dict[int, set[int]] = {}
    for r in residents:
        if r.house_id:
            by_house.setdefault(r.house_id, set()).add(r.pk)
    qs = scoped(Visit.objects.filter(kind=VisitKind.VISIT, at__gte=month_start(now)), user, Cap.VIEW_REGISTER).filter(
        Q(resident_id__in=[r.pk for r in residents]) | Q(house_id__in=list(by_house))
    )
    found: set[int] = set()
    for resident_id, house_id in qs.values_list("resident_id", "house_id"):
        if resident_id:
            found.add(resident_id)
        found |= by_house.get(house_id, set())
    return found

