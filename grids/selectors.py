"""Reads on the grid log. Each starts from a scoped queryset."""

from __future__ import annotations

from governance.models import User
from governance.roles import Cap
from governance.scope import scoped
from grids.models import Visit
from parties.selectors import Page, keyset_page


def visits_in_scope(user: User, mine: bool = False, after: int | None = None) -> Page:
    """Visits and patrols the user may see, newest first (keyset pages); `mine`: only their own."""
    qs = scoped(Visit.objects.all(), user, Cap.VIEW_REGISTER)
    if mine:
        qs = qs.filter(worker=user)
    return keyset_page(qs.select_related("worker", "grid", "house__building", "resident", "unit"), after)
