"""Pagination for lists that can grow to city scale.

Django's Paginator counts every matching row on every page view. A city
leader's case list matches millions of rows over the years, so lists count at
most CAP rows and say "more than CAP" beyond that; filters narrow the list.
(The registers, at 10 M rows, page by key instead: parties.selectors.)
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    cap = 10_000

    @cached_property
    def count(self) -> int:
        # COUNT(*) over a LIMIT-ed subquery: stops after cap + 1 rows.
        return self.object_list[: self.cap + 1].count()

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap
