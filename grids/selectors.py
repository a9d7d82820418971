"""Reads on the grid log. Each starts from a scoped queryset."""

from __future__ import annotations

from governance.models import User
from governance.pagination import KeysetPage, keyset_page
from governance.roles import Cap
from governance.scope import scoped
from grids.models import Visit

PAGE_SIZE = 50


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
