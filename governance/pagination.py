"""Pagination for lists that can grow to city scale.

Django's Paginator counts every matching row on every page view. A city
leader's case list matches millions of rows over the years, so lists count at
most CAP rows and say "more than CAP" beyond that; filters narrow the list.

Deep pages by OFFSET still walk every row before the page, so the big lists (cases,
disputes) page by key instead (`keyset_page`, below): the position of the last row shown,
(time, pk), goes into the URL and the next page starts there. The registers, at 10 M rows,
page by key on the pk alone and never count (parties.selectors.keyset_page).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
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


# ---------------------------------------------------------------- keyset ("seek") pages

KEY_RE = re.compile(r"^([0-9]{1,17})\.([0-9]{1,19})$")
EPOCH = datetime(1970, 1, 1, tzinfo=dt_timezone.utc)


class BadPageKey(ValueError):
    """A page key from the URL that is not one this module wrote."""


def encode_key(moment: datetime, pk: int) -> str:
    """`<microseconds since 1970 UTC>.<pk>`: the position of one row in (time, pk) order."""
    delta = moment - EPOCH
    return f"{(delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds}.{pk}"


def decode_key(raw: str) -> tuple[datetime, int]:
    m = KEY_RE.match(raw or "")
    if not m or int(m.group(2)) > 2**63 - 1:
        raise BadPageKey(raw)
    try:
        return EPOCH + timedelta(microseconds=int(m.group(1))), int(m.group(2))
    except OverflowError:
        raise BadPageKey(raw) from None


@dataclass
class KeysetPage:
    """One page of a list ordered newest first by (time field, pk), reached by key, not by OFFSET:
    page 1000 costs what page 1 costs. `next_key` / `prev_key` go into `?after=` / `?before=`.
    The count shown is the capped one (at most `cap` + 1 rows are counted)."""

    rows: list
    counted: QuerySet
    next_key: str | None = None
    prev_key: str | None = None
    cap = CappedPaginator.cap

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __bool__(self) -> bool:
        return bool(self.rows)

    @cached_property
    def count(self) -> int:
        return self.counted[: self.cap + 1].count()

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap

    @property
    def has_next(self) -> bool:
        return self.next_key is not None

    @property
    def has_previous(self) -> bool:
        return self.prev_key is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def _value(row, path: str):
    for part in path.split("__"):
        row = getattr(row, part)
    return row


def keyset_page(
    qs: QuerySet, *, time_field: str, after: str | None = None, before: str | None = None, size: int = 30
) -> KeysetPage:
    """The `size` rows of `qs` (newest first by `time_field`, then pk) just older than key `after`,
    or just newer than key `before`, or the first page. Raises BadPageKey for a key it cannot read.

    The redundant `time <= t` (`>=`) bound beside the row comparison lets the database start
    its index scan at the key instead of filtering its way down from the newest row."""
    desc = qs.order_by(f"-{time_field}", "-pk")
    key = lambda row: encode_key(_value(row, time_field), row.pk)  # noqa: E731
    if before:
        moment, pk = decode_key(before)
        newer = qs.filter(**{f"{time_field}__gte": moment}).filter(
            Q(**{f"{time_field}__gt": moment}) | Q(**{time_field: moment, "pk__gt": pk})
        )
        rows = list(newer.order_by(time_field, "pk")[: size + 1])
        more_newer = len(rows) > size
        rows = rows[:size][::-1]
        if rows:
            return KeysetPage(rows=rows, counted=qs, next_key=key(rows[-1]),
                              prev_key=key(rows[0]) if more_newer else None)
        # Nothing newer than the key any more: show the first page.
        after = None
    prev_key = None
    if after:
        moment, pk = decode_key(after)
        desc = desc.filter(**{f"{time_field}__lte": moment}).filter(
            Q(**{f"{time_field}__lt": moment}) | Q(**{time_field: moment, "pk__lt": pk})
        )
    rows = list(desc[: size + 1])
    next_key = key(rows[size - 1]) if len(rows) > size else None
    rows = rows[:size]
    if after and rows:
        prev_key = key(rows[0])
    return KeysetPage(rows=rows, counted=qs, next_key=next_key, prev_key=prev_key)


def seek_page(request, qs, time_field: str, size: int) -> KeysetPage:
    """The page of `qs` the request's `after` / `before` key points at (newest first); a key that
    is not ours is a BadPageKey (the caller answers 400)."""
    g = request.GET
    return keyset_page(qs, time_field=time_field, after=g.get("after"), before=g.get("before"), size=size)


def pager_links(request, page) -> dict:
    """`query`: the filters without the page keys (for the export link); `next_url` / `prev_url` /
    `first_url`: the same filters plus the key of the neighbouring page."""
    query = request.GET.copy()
    for name in ("page", "after", "before"):
        query.pop(name, None)
    base = query.urlencode()
    links = {"query": base, "next_url": None, "prev_url": None, "first_url": None}
    if isinstance(page, KeysetPage):
        sep = "&" if base else ""
        if page.next_key:
            links["next_url"] = f"?{base}{sep}after={page.next_key}"
        if page.prev_key:
            links["prev_url"] = f"?{base}{sep}before={page.prev_key}"
            links["first_url"] = f"?{base}"
    return links
