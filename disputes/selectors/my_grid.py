"""Reads for a grid worker's "my grid" (grids.sections, registered by disputes.my_grid): their open
cases by deadline, and the cases filed recently in and around their grids. Both start from
visible_cases() (scope, and what was dispatched to the user) and are bounded."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from disputes.models import OPEN_STATUSES, Case
from disputes.selectors.cases import visible_cases
from governance.models import Region, User
from governance.roles import Cap
from governance.scope import region_codes

OPEN_SHOWN = 10
NEARBY_SHOWN = 10
NEARBY_DAYS = 30
NEARBY_MARGIN_M = 500  # "around my grids": this far beyond their outline


@dataclass
class OpenCases:
    rows: list[Case]  # soonest deadline first (no deadline last), at most OPEN_SHOWN
    total: int
    overdue: int


def _mine(user: User, grids: list[Region]) -> Q:
    """Cases of the user's grids, and those they filed or must handle elsewhere."""
    return Q(grid_id__in=[g.code for g in grids]) | Q(filer=user) | Q(assignee=user)


def my_open_cases(user: User, grids: list[Region], limit: int = OPEN_SHOWN, now: datetime | None = None) -> OpenCases:
    """The open cases of `user`'s grids (and those they filed or handle), soonest deadline first;
    with how many there are and how many are overdue. Two queries."""
    now = now or timezone.now()
    qs = visible_cases(user).filter(_mine(user, grids), status__in=OPEN_STATUSES)
    counts = qs.aggregate(total=Count("pk"), overdue=Count("pk", filter=Q(deadline__lt=now)))
    rows = list(
        qs.select_related("category", "category__parent", "grid", "assignee", "department")
        .order_by(F("deadline").asc(nulls_last=True), "created_at", "id")[:limit]
    )
    return OpenCases(rows, counts["total"] or 0, counts["overdue"] or 0)


def around(grids: list[Region], margin_m: float = NEARBY_MARGIN_M) -> tuple[float, float, float, float] | None:
    """(south, west, north, east) around the grids' outlines (or centres), `margin_m` beyond; None
    when no grid has a location."""
    points: list[tuple[float, float]] = []
    for g in grids:
        boundary = g.boundary or {}
        rings = boundary.get("coordinates") or []
        if boundary.get("type") == "Polygon":
            rings = [rings]
        for polygon in rings if boundary.get("type") in ("Polygon", "MultiPolygon") else []:
            for ring in polygon:
                points += [(float(lat), float(lng)) for lng, lat, *_ in ring]
        if g.centre_lat is not None and g.centre_lng is not None:
            points.append((float(g.centre_lat), float(g.centre_lng)))
    if not points:
        return None
    lats, lngs = [p[0] for p in points], [p[1] for p in points]
    dlat = margin_m / 111_320
    dlng = margin_m / (111_320 * max(math.cos(math.radians(sum(lats) / len(lats))), 0.01))
    return min(lats) - dlat, min(lngs) - dlng, max(lats) + dlat, max(lngs) + dlng


def sees_beyond(user: User, grid_codes: list[str]) -> bool:
    """Whether `user` sees cases outside the grids `grid_codes` through the territory."""
    return user.is_superuser or not set(region_codes(user, Cap.VIEW_CASES)) <= set(grid_codes)


def nearby_cases(user: User, grids: list[Region], limit: int = NEARBY_SHOWN, days: int = NEARBY_DAYS,
                 now: datetime | None = None) -> list[Case]:
    """Cases filed in the last `days` days in the user's grids or located within NEARBY_MARGIN_M of
    them, that the user may see (never beyond their scope), newest first, at most `limit`. One query."""
    now = now or timezone.now()
    codes = [g.code for g in grids]
    near = Q(grid_id__in=codes)
    # Whose scope is their grids sees nothing around them but what lies in them: no box to scan for
    # (the query then stays on the grid's index instead of a month of the city's cases).
    box = around(grids) if sees_beyond(user, codes) else None
    if box is not None:
        south, west, north, east = box
        near |= Q(lat__range=(round(south, 6), round(north, 6)), lng__range=(round(west, 6), round(east, 6)))
    qs: QuerySet[Case] = visible_cases(user).filter(near, created_at__gte=now - timedelta(days=days))
    return list(qs.select_related("category", "category__parent", "grid").order_by("-created_at", "-id")[:limit])
