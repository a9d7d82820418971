"""Pagination for lists that can grow to city scale.

Django's Paginator counts every matching row on every page view. A city
leader's case list matches millions of rows over the years, so lists count at
most CAP rows and say "more than CAP" beyond that; filters narrow the list.

Deep pages by OFFSET still walk every row before the page, so the big lists page by key
instead (`keyset_page`, below): the position of the last row shown goes into the URL and the
next page starts there. Cases and disputes go by (time, pk) and show a capped count; the
registers and the visit log, at 10 M rows, go by the pk alone and never count.

Every keyset list renders `templates/_pager.html` with the context of `pager_links`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest
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
PK_KEY_RE = re.compile(r"^[0-9]{1,19}$")
MAX_PK = 2**63 - 1
EPOCH = datetime(1970, 1, 1, tzinfo=dt_timezone.utc)


class BadPageKey(ValueError):
    """A page key from the URL that is not one this module wrote."""


def encode_key(moment: datetime, pk: int) -> str:
    """`<microseconds since 1970 UTC>.<pk>`: the position of one row in (time, pk) order."""
    delta = moment - EPOCH
    return f"{(delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds}.{pk}"


def decode_key(raw: str) -> tuple[datetime, int]:
    m = KEY_RE.match(raw or "")
    if not m or int(m.group(2)) > MAX_PK:
        raise BadPageKey(raw)
    try:
        return EPOCH + timedelta(microseconds=int(m.group(1))), int(m.group(2))
    except OverflowError:
        raise BadPageKey(raw) from None


def decode_pk_key(raw: str) -> int:
    """A key of a list paged by the pk alone: the pk itself (`?after=123`)."""
    if not PK_KEY_RE.match(raw or "") or int(raw) > MAX_PK:
        raise BadPageKey(raw)
    return int(raw)


@dataclass
class KeysetPage:
    """One page of a list ordered newest first by (time field, pk), or by the pk alone, reached by
    key, not by OFFSET: page 1000 costs what page 1 costs. `next_key` / `prev_key` go into
    `?after=` / `?before=`. The count shown is the capped one (at most `cap` + 1 rows are
    counted); a list that is never counted (`counted` None) refuses to count."""

    rows: list
    counted: QuerySet | None
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
        if self.counted is None:
            raise TypeError("this list is paged without counting it")
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


def _older(qs: QuerySet, time_field: str | None, raw: str) -> QuerySet:
    """The rows of `qs` after key `raw` in newest-first order.

    The redundant `time <= t` bound beside the row comparison lets the database start its index
    scan at the key instead of filtering its way down from the newest row."""
    if time_field is None:
        return qs.filter(pk__lt=decode_pk_key(raw))
    moment, pk = decode_key(raw)
    return qs.filter(**{f"{time_field}__lte": moment}).filter(
        Q(**{f"{time_field}__lt": moment}) | Q(**{time_field: moment, "pk__lt": pk})
    )


def _newer(qs: QuerySet, time_field: str | None, raw: str) -> QuerySet:
    """The rows of `qs` before key `raw` in newest-first order (the mirror of `_older`)."""
    if time_field is None:
        return qs.filter(pk__gt=decode_pk_key(raw))
    moment, pk = decode_key(raw)
    return qs.filter(**{f"{time_field}__gte": moment}).filter(
        Q(**{f"{time_field}__gt": moment}) | Q(**{time_field: moment, "pk__gt": pk})
    )


def keyset_page(
    qs: QuerySet,
    *,
    time_field: str | None = None,
    after: str | None = None,
    before: str | None = None,
    size: int = 30,
    counted: bool = True,
) -> KeysetPage:
    """The `size` rows of `qs`, newest first, just older than key `after`, or just newer than key
    `before`, or the first page. Newest first is by (`time_field`, pk), or by the pk alone when
    `time_field` is None (the key is then the pk). `counted=False`: the page never counts `qs`.
    Raises BadPageKey for a key it cannot read."""
    order = (f"-{time_field}", "-pk") if time_field else ("-pk",)
    ascending = tuple(name.removeprefix("-") for name in order)
    if time_field:
        key = lambda row: encode_key(_value(row, time_field), row.pk)  # noqa: E731
    else:
        key = lambda row: str(row.pk)  # noqa: E731
    counted_qs = qs if counted else None
    if before:
        rows = list(_newer(qs, time_field, before).order_by(*ascending)[: size + 1])
        more_newer = len(rows) > size
        rows = rows[:size][::-1]
        if rows:
            return KeysetPage(rows=rows, counted=counted_qs, next_key=key(rows[-1]),
                              prev_key=key(rows[0]) if more_newer else None)
        # Nothing newer than the key any more: show the first page.
        after = None
    desc = _older(qs, time_field, after) if after else qs
    rows = list(desc.order_by(*order)[: size + 1])
    next_key = key(rows[size - 1]) if len(rows) > size else None
    rows = rows[:size]
    prev_key = key(rows[0]) if after and rows else None
    return KeysetPage(rows=rows, counted=counted_qs, next_key=next_key, prev_key=prev_key)


def seek_page(request: HttpRequest, qs: QuerySet, time_field: str | None, size: int, *,
              counted: bool = True) -> KeysetPage:
    """The page of `qs` the request's `after` / `before` key points at (newest first); a key that
    is not ours is a BadPageKey (the caller answers 400)."""
    g = request.GET
    return keyset_page(qs, time_field=time_field, after=g.get("after"), before=g.get("before"), size=size,
                       counted=counted)


def pager_links(request: HttpRequest, page) -> dict:
    """The context of `templates/_pager.html`, beside `page`. `query`: the filters without the
    page keys (for an export link); `next_url` / `prev_url` / `first_url`: the same filters plus
    the position of the neighbouring page, or None. `page` may be a KeysetPage (`?after=` /
    `?before=`), a Django Page (`?page=`, as CappedPaginator gives) or anything else (no links)."""
    query = request.GET.copy()
    for name in ("page", "after", "before"):
        query.pop(name, None)
    base = query.urlencode()
    sep = "&" if base else ""
    links = {"query": base, "next_url": None, "prev_url": None, "first_url": None}
    if isinstance(page, KeysetPage):
        if page.next_key:
            links["next_url"] = f"?{base}{sep}after={page.next_key}"
        if page.prev_key:
            links["prev_url"] = f"?{base}{sep}before={page.prev_key}"
            links["first_url"] = f"?{base}"
    elif isinstance(page, Page):
        if page.has_next():
            links["next_url"] = f"?{base}{sep}page={page.next_page_number()}"
        if page.has_previous():
            links["prev_url"] = f"?{base}{sep}page={page.previous_page_number()}"
            links["first_url"] = f"?{base}"
    return links
